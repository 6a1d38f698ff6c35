import { describe, expect, it } from 'vitest';
import { renderSettings } from './render-settings.js';

const base = { host: 'localhost:8088', project: 'p1', location: 'us-central1', repository: 'go-repo', iamMode: 'open' as const };

describe('print-settings go', () => {
  it('prints GOPROXY, GONOSUMDB and GOTOOLCHAIN lines for the repository', () => {
    const s = renderSettings('go', base);
    expect(s.text).toContain('export GOPROXY=http://localhost:8088/p1/go-repo\n');
    expect(s.text).toMatch(/^export GONOSUMDB=/m);
    expect(s.text).toContain('export GOTOOLCHAIN=local\n');
    expect(s.text).not.toMatch(/netrc/);
    expect(s.notes.join('\n')).toContain('ar-emulator go upload --module-path MODULE');
  });

  it('says in enforce mode that go sends no credentials over http, so reads must be anonymous', () => {
    const s = renderSettings('go', { ...base, iamMode: 'enforce', credential: { kind: 'token', token: 'ya29.x' } });
    expect(s.text).toMatch(/never sends credentials over plain http/);
    expect(s.text).not.toContain('ya29.x');
    expect(s.notes.join('\n')).toMatch(/\.netrc.*not read/);
    expect(s.notes.join('\n')).toMatch(/allUsers/);
  });
});
