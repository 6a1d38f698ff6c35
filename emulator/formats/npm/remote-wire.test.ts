// The packument a remote npm repository serves: tarball URLs rewritten, cached versions win and outlive the upstream.
import { describe, expect, it } from 'vitest';
import { remotePackument } from './remote-wire.js';
import type { VersionRecord } from './service/tables.js';

const cached = (version: string, manifest: Record<string, unknown> = {}): VersionRecord => ({
  name: 'pkg', version, manifest: { name: 'pkg', version, ...manifest }, createTime: '2026-01-01T00:00:00.000Z', updateTime: '2026-01-01T00:00:00.000Z',
  tarball: { file: `pkg-${version}.tgz`, digest: 'sha512:00', size: 1, sha1: 'a'.repeat(40), sha256: 'b'.repeat(64), integrity: 'sha512-cached' },
});
const url = (_v: string, file: string) => `http://emu/p/r/pkg/-/${file}`;
const upstream = {
  _id: 'pkg', name: 'pkg', 'dist-tags': { latest: '2.0.0', next: '3.0.0-rc.1' }, time: { '1.0.0': 'T1', '2.0.0': 'T2' },
  versions: {
    '1.0.0': { name: 'pkg', version: '1.0.0', dependencies: { evil: '1' }, dist: { integrity: 'sha512-upstream', tarball: 'https://up/pkg-1.0.0.tgz' } },
    '2.0.0': { name: 'pkg', version: '2.0.0', dist: { integrity: 'sha512-two', shasum: 'c'.repeat(40), tarball: 'https://up/pkg-2.0.0.tgz' } },
  },
};

describe('remotePackument', () => {
  it('points every tarball at the emulator and keeps the upstream\'s other fields', () => {
    const doc = remotePackument({ name: 'pkg', kind: 'full', upstream, cached: [], tarballUrl: url }) as typeof upstream;
    expect(doc.versions['2.0.0'].dist).toEqual({ integrity: 'sha512-two', shasum: 'c'.repeat(40), tarball: 'http://emu/p/r/pkg/-/pkg-2.0.0.tgz' });
    // a dist-tag naming a version the document does not list is dropped
    expect(doc['dist-tags']).toEqual({ latest: '2.0.0' });
    expect(upstream.versions['2.0.0'].dist.tarball).toBe('https://up/pkg-2.0.0.tgz');
  });

  it('serves a cached version as cached, whatever the upstream now says about it', () => {
    const doc = remotePackument({ name: 'pkg', kind: 'abbreviated', upstream, cached: [cached('1.0.0', { description: 'old', scripts: { install: 'x' } })], tarballUrl: url }) as { versions: Record<string, Record<string, unknown>> };
    expect(doc.versions['1.0.0']).toEqual({ name: 'pkg', version: '1.0.0', hasInstallScript: true, dist: { integrity: 'sha512-cached', shasum: 'a'.repeat(40), tarball: 'http://emu/p/r/pkg/-/pkg-1.0.0.tgz' } });
  });

  it('keeps cached versions the upstream no longer has, and a latest among them when the upstream is gone', () => {
    const doc = remotePackument({ name: 'pkg', kind: 'full', upstream: undefined, cached: [cached('1.0.0'), cached('1.2.0')], tarballUrl: url }) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string>; time: Record<string, string> };
    expect(Object.keys(doc.versions)).toEqual(['1.0.0', '1.2.0']);
    expect(doc['dist-tags']).toEqual({ latest: '1.2.0' });
    expect(doc.time['1.2.0']).toBe('2026-01-01T00:00:00.000Z');
  });
});
