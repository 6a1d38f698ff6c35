import { describe, expect, it } from 'vitest';
import { renderSettings, settingsToolForFormat } from './render-settings.js';
import type { SettingsInput } from './settings-snippet.js';

const base: SettingsInput = { host: 'localhost:8088', project: 'my-proj', location: 'us-central1', repository: 'repo1', iamMode: 'open' };

describe('print-settings mvn', () => {
  it('prints the pom.xml repository and distributionManagement blocks and a settings.xml server with the same id', () => {
    const { text } = renderSettings('mvn', base);
    expect(text).toContain('<!-- Insert the following snippet into your pom.xml -->');
    expect(text.match(/<url>http:\/\/localhost:8088\/my-proj\/repo1<\/url>/g)).toHaveLength(3);
    expect(text).toContain('<snapshotRepository>');
    const settings = text.slice(text.indexOf('<settings>'));
    expect(settings).toContain('<id>artifact-registry</id>');
    expect(settings).toContain('<username>oauth2accesstoken</username>');
    expect(settings).toContain('<password>ar-emulator-open-mode</password>');
  });

  it('reads the password from the environment in enforce mode and embeds a given token or key', () => {
    expect(renderSettings('mvn', { ...base, iamMode: 'enforce' }).text).toContain('<password>${env.AR_EMULATOR_TOKEN}</password>');
    expect(renderSettings('mvn', { ...base, iamMode: 'enforce', credential: { kind: 'token', token: 'ya29.t' } }).text).toContain('<password>ya29.t</password>');
    const key = renderSettings('mvn', { ...base, credential: { kind: 'jsonKey', keyBase64: 'S0VZ', path: 'k.json' } }).text;
    expect(key).toContain('<username>_json_key_base64</username>');
    expect(key).toContain('<password>S0VZ</password>');
  });

  it('is the tool the dashboard shows for MAVEN repositories', () => {
    expect(settingsToolForFormat('MAVEN')).toBe('mvn');
  });
});

describe('print-settings gradle', () => {
  it('prints publishing and repositories blocks with http allowed and credentials', () => {
    const { text } = renderSettings('gradle', base);
    expect(text).toContain("plugins { id 'maven-publish' }");
    expect(text.match(/url 'http:\/\/localhost:8088\/my-proj\/repo1'/g)).toHaveLength(2);
    expect(text).toContain('allowInsecureProtocol = true');
    expect(renderSettings('gradle', { ...base, iamMode: 'enforce' }).text).toContain("password = System.getenv('AR_EMULATOR_TOKEN')");
  });
});
