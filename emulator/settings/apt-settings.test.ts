import { describe, expect, it } from 'vitest';
import { renderSettings, settingsToolForFormat } from './render-settings.js';

const base = { host: 'localhost:8080', project: 'my-proj', location: 'us-central1', repository: 'debs', iamMode: 'open' as const };
const lines = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('print-settings apt', () => {
  it('prints gcloud\'s sources.list line with the host swapped and the location key as signed-by', () => {
    const s = renderSettings('apt', base);
    expect(lines(s.text)).toEqual(['deb [signed-by=/etc/apt/keyrings/ar-emulator-us-central1.gpg] http://localhost:8080/projects/my-proj debs main']);
    expect(s.text).toContain('curl -fsS http://localhost:8080/doc/repo-signing-key.gpg');
    expect(settingsToolForFormat('APT')).toBe('apt');
  });

  it('carries a token as an auth.conf entry, and explains how to get one under enforce', () => {
    expect(lines(renderSettings('apt', { ...base, iamMode: 'enforce', credential: { kind: 'token', token: 'ya29.abc' } }).text).at(-1))
      .toBe('machine http://localhost:8080/projects/my-proj login oauth2accesstoken password ya29.abc');
    const bare = renderSettings('apt', { ...base, iamMode: 'enforce' });
    expect(bare.text).not.toContain('machine ');
    expect(bare.notes.join('\n')).toMatch(/print-settings apt --token/);
  });
});
