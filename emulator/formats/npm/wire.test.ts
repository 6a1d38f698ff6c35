// Reading npm's packument PUTs (publish vs metadata update) and building the full and abbreviated packuments.
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../../core/errors.js';
import type { PackageRecord, VersionRecord } from './service/tables.js';
import { abbreviatedPackument, fullPackument, parsePackumentPut, wantsAbbreviated } from './wire.js';

const tgz = Buffer.from('tarball').toString('base64');
const publish = (extra: Record<string, unknown> = {}) => ({
  _id: '@lab/x', name: '@lab/x', description: 'd', 'dist-tags': { beta: '1.0.0' },
  versions: { '1.0.0': { name: '@lab/x', version: '1.0.0', _id: '@lab/x@1.0.0', dist: { shasum: 'ab'.repeat(20) }, scripts: { postinstall: 'x' }, dependencies: { a: '^1' } } },
  _attachments: { '@lab/x-1.0.0.tgz': { data: tgz, length: 7 } },
  ...extra,
});

describe('parsePackumentPut', () => {
  it('reads a publish: the version, its tags, the attachment and the digests to verify', () => {
    const p = parsePackumentPut(publish(), '@lab/x');
    expect(p).toMatchObject({ kind: 'publish', name: '@lab/x', version: '1.0.0', tags: ['beta'], attachment: { data: tgz, length: 7 }, expected: [{ algorithm: 'sha1', hex: 'ab'.repeat(20) }] });
    if (p.kind !== 'publish') throw new Error('unreachable');
    expect(p.manifest).toEqual({ name: '@lab/x', version: '1.0.0', scripts: { postinstall: 'x' }, dependencies: { a: '^1' } });
  });

  it('reads a document without attachments as a metadata update (npm deprecate)', () => {
    const u = parsePackumentPut({ name: 'x', versions: { '1.0.0': { deprecated: 'old' }, '1.1.0': {} }, 'dist-tags': { latest: '1.1.0' } }, 'x');
    expect(u).toEqual({ kind: 'update', name: 'x', versions: new Map([['1.0.0', { deprecated: 'old' }], ['1.1.0', {}]]), distTags: { latest: '1.1.0' } });
  });

  it('refuses a name that is not the URL\'s, two versions, or two attachments', () => {
    const fails = (doc: unknown, name = '@lab/x') => {
      try {
        parsePackumentPut(doc, name);
      } catch (err) {
        return (err as EmulatorError).message;
      }
      return 'accepted';
    };
    expect(fails(publish(), '@lab/y')).toMatch(/does not match the URL/);
    expect(fails(publish({ versions: { '1.0.0': {}, '1.0.1': {} } }))).toMatch(/exactly one version, not 2/);
    expect(fails(publish({ _attachments: { '@lab/x-1.0.0.tgz': { data: tgz }, '@lab/x-1.0.0.sigstore': { data: '{}' } } }))).toMatch(/exactly one tarball/);
    expect(fails(publish({ _attachments: { '@lab/x-1.0.0.tgz': { data: 'not base64!' } } }))).toMatch(/is not base64/);
  });
});

describe('packuments', () => {
  const pkg: PackageRecord = { createTime: '2026-01-01T00:00:00.000Z', updateTime: '2026-01-02T00:00:00.000Z', rev: 3, description: 'd' };
  const v: VersionRecord = {
    name: '@lab/x', version: '1.0.0', manifest: { name: '@lab/x', version: '1.0.0', scripts: { postinstall: 'x' }, dependencies: { a: '^1' }, readme: 'long' },
    tarball: { file: 'x-1.0.0.tgz', digest: 'sha512:00', size: 7, sha1: 'ab', sha256: 'cd', integrity: 'sha512-AA==' },
    createTime: pkg.createTime, updateTime: pkg.updateTime, deprecated: 'old',
  };
  const input = { name: '@lab/x', pkg, versions: [v], distTags: { latest: '1.0.0' }, tarballUrl: () => 'http://h/p/r/@lab/x/-/x-1.0.0.tgz' };

  it('abbreviates to what npm install needs, with hasInstallScript and deprecated', () => {
    expect(abbreviatedPackument(input)).toEqual({
      name: '@lab/x', modified: pkg.updateTime, 'dist-tags': { latest: '1.0.0' },
      versions: { '1.0.0': { name: '@lab/x', version: '1.0.0', dependencies: { a: '^1' }, hasInstallScript: true, deprecated: 'old', dist: { integrity: 'sha512-AA==', shasum: 'ab', tarball: 'http://h/p/r/@lab/x/-/x-1.0.0.tgz' } } },
    });
  });

  it('gives the full document with _rev, time and the registry-built dist', () => {
    const full = fullPackument(input) as { _rev: string; time: Record<string, string>; versions: Record<string, { dist: unknown; _id: string }> };
    expect(full._rev).toMatch(/^3-[0-9a-f]{8}$/);
    expect(full.time).toEqual({ created: pkg.createTime, modified: pkg.updateTime, '1.0.0': pkg.createTime });
    expect(full.versions['1.0.0']!._id).toBe('@lab/x@1.0.0');
  });

  it('recognises the install Accept header, and not a q=0 one', () => {
    expect(wantsAbbreviated('application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*')).toBe(true);
    expect(wantsAbbreviated('application/json')).toBe(false);
    expect(wantsAbbreviated('application/vnd.npm.install-v1+json;q=0')).toBe(false);
  });
});
