import { describe, expect, it } from 'vitest';
import { renderSettings, settingsToolForFormat } from './render-settings.js';

const base = { host: 'localhost:8080', project: 'my-proj', location: 'us-central1', repository: 'rpms', iamMode: 'open' as const };
const lines = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('print-settings yum', () => {
  it('prints gcloud\'s .repo layout with the host swapped, checking repomd.xml against the emulator key', () => {
    const s = renderSettings('yum', base);
    expect(lines(s.text)).toEqual([
      '[rpms]',
      'name=rpms',
      'baseurl=http://localhost:8080/projects/my-proj/rpms',
      'enabled=1',
      'repo_gpgcheck=1',
      'gpgcheck=0',
      'gpgkey=http://localhost:8080/doc/repo-signing-key.gpg',
    ]);
    expect(s.text).toContain('# gcloud prints repo_gpgcheck=0');
    expect(settingsToolForFormat('YUM')).toBe('yum');
  });

  it('carries a token or a key as dnf\'s username/password, and explains how to get one under enforce', () => {
    expect(lines(renderSettings('yum', { ...base, iamMode: 'enforce', credential: { kind: 'token', token: 'ya29.abc' } }).text).slice(-2)).toEqual(['username=oauth2accesstoken', 'password=ya29.abc']);
    expect(lines(renderSettings('yum', { ...base, iamMode: 'enforce', credential: { kind: 'jsonKey', keyBase64: 'eyJ9', path: 'k.json' } }).text).slice(-2)).toEqual(['username=_json_key_base64', 'password=eyJ9']);
    const bare = renderSettings('yum', { ...base, iamMode: 'enforce' });
    expect(bare.text).not.toContain('username=');
    expect(bare.notes.join('\n')).toMatch(/print-settings yum --token/);
  });
});
