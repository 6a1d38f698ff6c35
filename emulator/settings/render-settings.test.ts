import { describe, expect, it } from 'vitest';
import { renderSettings, SETTINGS_RENDERERS, settingsToolForFormat } from './render-settings.js';
import { settingsHost, type SettingsInput } from './settings-snippet.js';

const base: SettingsInput = { host: 'localhost:8088', project: 'my-proj', location: 'us-central1', repository: 'repo1', iamMode: 'open' };
const lines = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('renderSettings npm', () => {
  it('prints gcloud\'s project .npmrc layout with the host swapped and a placeholder token in open mode', () => {
    expect(renderSettings('npm', base).text).toBe(
      [
        '# Insert the following snippet into your project .npmrc',
        '# Repository projects/my-proj/locations/us-central1/repositories/repo1 on the Artifact Registry emulator.',
        '# IAM mode open: the emulator needs no credentials from local callers.',
        '# npm will not publish without a token, so the snippet has one; any value works.',
        '',
        'registry=http://localhost:8088/my-proj/repo1/',
        '//localhost:8088/my-proj/repo1/:_authToken=ar-emulator-open-mode',
        '',
      ].join('\n'),
    );
  });

  it('uses @scope:registry= for a scope and refuses a scope without @', () => {
    expect(lines(renderSettings('npm', { ...base, scope: '@acme' }).text)[0]).toBe('@acme:registry=http://localhost:8088/my-proj/repo1/');
    expect(() => renderSettings('npm', { ...base, scope: 'acme' })).toThrow(/Scope name must start with "@"/);
    expect(() => renderSettings('npm', { ...base, scope: '@' })).toThrow(/Scope name/);
  });

  it('reads the token from $AR_EMULATOR_TOKEN under enforce without a credential, and says how to set it', () => {
    const s = renderSettings('npm', { ...base, iamMode: 'enforce' });
    expect(lines(s.text)).toEqual(['registry=http://localhost:8088/my-proj/repo1/', '//localhost:8088/my-proj/repo1/:_authToken=${AR_EMULATOR_TOKEN}']);
    expect(s.notes.join('\n')).toMatch(/export AR_EMULATOR_TOKEN=\$\(ar-emulator auth print-access-token --endpoint localhost:8088/);
  });

  it('puts a given token in a user .npmrc section', () => {
    const s = renderSettings('npm', { ...base, iamMode: 'enforce', credential: { kind: 'token', token: 'ya29.emu.x.y' } });
    expect(s.text).toContain('# Insert the following snippet into your user .npmrc');
    expect(lines(s.text)).toEqual(['registry=http://localhost:8088/my-proj/repo1/', '//localhost:8088/my-proj/repo1/:_authToken=ya29.emu.x.y']);
  });

  it('embeds a --json-key as gcloud does: _password is base64 of the base64 key, user _json_key_base64', () => {
    const keyBase64 = Buffer.from('{"type":"service_account"}').toString('base64');
    const s = renderSettings('npm', { ...base, credential: { kind: 'jsonKey', keyBase64, path: 'key.json' } });
    expect(lines(s.text)).toContain(`//localhost:8088/my-proj/repo1/:_password="${Buffer.from(keyBase64).toString('base64')}"`);
    expect(lines(s.text)).toContain('//localhost:8088/my-proj/repo1/:username=_json_key_base64');
  });
});

describe('renderSettings python', () => {
  it('prints the .pypirc and pip.conf sections, with index-url and no credential for pip in open mode', () => {
    const text = renderSettings('python', base).text;
    expect(lines(text)).toEqual([
      '[distutils]', 'index-servers =', '    repo1',
      '[repo1]', 'repository: http://localhost:8088/my-proj/repo1/', 'username: oauth2accesstoken', 'password: ar-emulator-open-mode',
      '[global]', 'index-url = http://localhost:8088/my-proj/repo1/simple/',
    ]);
    expect(text).toContain('# Insert the following snippet into your .pypirc');
    expect(text).toContain('# Insert the following snippet into your pip.conf');
  });

  it('names the oauth2accesstoken user under enforce without a credential and explains the password on stderr', () => {
    const s = renderSettings('python', { ...base, iamMode: 'enforce' });
    expect(lines(s.text)).toContain('username: oauth2accesstoken');
    expect(lines(s.text).some((l) => l.startsWith('password:'))).toBe(false);
    expect(lines(s.text)).toContain('index-url = http://oauth2accesstoken@localhost:8088/my-proj/repo1/simple/');
    expect(s.notes.join('\n')).toMatch(/TWINE_PASSWORD/);
  });

  it('puts a token in both files, and percent-encodes a base64 key in the pip URL', () => {
    const t = renderSettings('python', { ...base, iamMode: 'enforce', credential: { kind: 'token', token: 'ya29.emu.a.b' } });
    expect(lines(t.text)).toContain('password: ya29.emu.a.b');
    expect(lines(t.text)).toContain('index-url = http://oauth2accesstoken:ya29.emu.a.b@localhost:8088/my-proj/repo1/simple/');
    const k = renderSettings('python', { ...base, credential: { kind: 'jsonKey', keyBase64: 'ab/c+d=', path: 'k.json' } });
    expect(lines(k.text)).toContain('username: _json_key_base64');
    expect(lines(k.text)).toContain('index-url = http://_json_key_base64:ab%2Fc%2Bd%3D@localhost:8088/my-proj/repo1/simple/');
  });
});

describe('renderSettings docker', () => {
  it('names images HOST/PROJECT/REPO/IMAGE, with no login in open mode and the helper or a token login under enforce', () => {
    expect(renderSettings('docker', base).text).toContain('docker push localhost:8088/my-proj/repo1/IMAGE:TAG');
    expect(renderSettings('docker', base).text).not.toContain('docker login');
    const e = renderSettings('docker', { ...base, iamMode: 'enforce' }).text;
    expect(e).toContain('ar-emulator configure-docker --endpoint localhost:8088');
    expect(e).toContain('docker login -u oauth2accesstoken --password-stdin localhost:8088');
  });
});

describe('renderSettings inputs', () => {
  it('refuses an unknown tool, naming the known ones', () => {
    expect(() => renderSettings('maven', base)).toThrow(/Unknown print-settings tool "maven": one of npm, python, docker/);
  });

  it('refuses names that could break a config file', () => {
    expect(() => renderSettings('npm', { ...base, repository: 'repo\nregistry=x' })).toThrow(/Invalid repository id/);
    expect(() => renderSettings('npm', { ...base, project: 'P P' })).toThrow(/Invalid project id/);
    expect(() => renderSettings('npm', { ...base, location: 'mars' })).toThrow(/Unknown location/);
    expect(() => renderSettings('npm', { ...base, credential: { kind: 'token', token: 'a\nb' } })).toThrow(/token/);
    expect(() => renderSettings('python', { ...base, scope: '@a' })).toThrow(/npm only/);
  });

  it('maps each format to its tool', () => {
    expect(SETTINGS_RENDERERS.map((r) => [r.format, settingsToolForFormat(r.format)])).toEqual([['NPM', 'npm'], ['PYTHON', 'python'], ['DOCKER', 'docker'], ['MAVEN', 'mvn'], ['MAVEN', 'mvn'], ['YUM', 'yum'], ['GO', 'go'], ['APT', 'apt']]);
    expect(settingsToolForFormat('maven')).toBe('mvn');
    expect(settingsToolForFormat('kfp')).toBeUndefined();
  });
});

describe('settingsHost', () => {
  it('writes loopback names as localhost and keeps other hosts and the port', () => {
    expect(settingsHost('127.0.0.1:8088')).toBe('localhost:8088');
    expect(settingsHost('http://[::1]:9000/')).toBe('localhost:9000');
    expect(settingsHost('LOCALHOST:1')).toBe('localhost:1');
    expect(settingsHost('emu.internal:8088')).toBe('emu.internal:8088');
    expect(() => settingsHost('')).toThrow(/HOST:PORT/);
  });
});
