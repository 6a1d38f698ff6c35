// The database over the seed: matching (affected, not affected, fixed, last_affected, versions list, releases, source
// packages, name normalization), imports that add, update, skip and reject, the index kept by the commit hook, and
// zips (entries over the limit, truncated) read with the same limits as the HTTP endpoint.
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { ManualClock } from '../core/clock.js';
import { MemoryMetaStore } from '../storage/memory-meta-store.js';
import { documentsOfBody } from './import-sources.js';
import { matchRange } from './match.js';
import { locateSeedDir, seedIfEmpty } from './seed.js';
import { SCHEMES } from './versions/index.js';
import { VulnDb } from './vulndb.js';

async function seeded(): Promise<VulnDb> {
  const db = new VulnDb(new MemoryMetaStore(), new ManualClock(new Date('2026-01-01T00:00:00Z')));
  const s = await seedIfEmpty(db);
  expect(s?.rejected, JSON.stringify(s?.rejections)).toBe(0);
  return db;
}

const ids = (db: VulnDb, item: Parameters<VulnDb['match']>[0]) => db.match(item).map((f) => f.id).sort();

export function zipOf(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(entries)) if (name.endsWith('/')) z.addEmptyDirectory(name);
    else z.addBuffer(Buffer.isBuffer(body) ? body : Buffer.from(body), name);
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

describe('the seed', () => {
  it('loads every file, once', async () => {
    const db = await seeded();
    expect(locateSeedDir()).toBeDefined();
    expect(db.size).toBe(12);
    expect(db.wantsSeed()).toBe(false);
    expect(db.summary().ecosystems).toMatchObject({ npm: 3, PyPI: 3, Maven: 1, Go: 2, Debian: 2, Alpine: 1 });
    expect(db.summary().seeded?.advisories).toBe(12);
  });
});

describe('matching', () => {
  it('the malicious ua-parser-js releases, and only those', async () => {
    const db = await seeded();
    for (const v of ['0.7.29', '0.8.0', '1.0.0']) {
      const [f, ...rest] = db.match({ ecosystem: 'npm', name: 'ua-parser-js', version: v });
      expect(rest).toEqual([]);
      expect(f).toMatchObject({ id: 'GHSA-pjwm-rvh2-c87w', severity: 'CRITICAL', summary: 'Embedded malware in ua-parser-js' });
    }
    expect(db.match({ ecosystem: 'npm', name: 'ua-parser-js', version: '0.7.29' })[0]!.fixedVersion).toBe('0.7.30');
    for (const v of ['0.7.28', '0.7.30', '0.8.1', '1.0.1', '1.0.0-rc.1']) expect(ids(db, { ecosystem: 'npm', name: 'ua-parser-js', version: v }), v).toEqual([]);
  });

  it('log4j-core by Maven order: each branch, with the fixed version of its range', async () => {
    const db = await seeded();
    const m = (version: string) => db.match({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version });
    expect(m('2.14.1')[0]).toMatchObject({ id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'], severity: 'CRITICAL', cvssScore: 10, fixedVersion: '2.15.0' });
    expect(m('2.0-beta9')[0]?.fixedVersion).toBe('2.3.1');
    expect(m('2.12.1')[0]?.fixedVersion).toBe('2.12.2');
    for (const v of ['2.15.0', '2.3.1', '2.12.2', '2.17.1']) expect(m(v), v).toEqual([]);
  });

  it('PyPI names are normalized (PEP 503) and versions compared by PEP 440', async () => {
    const db = await seeded();
    expect(ids(db, { ecosystem: 'PyPI', name: 'Jinja2', version: '3.1.2' })).toEqual(['GHSA-h5c8-rqwp-cp95']);
    expect(ids(db, { ecosystem: 'PyPI', name: 'jinja2', version: '3.1.3' })).toEqual([]);
    expect(ids(db, { ecosystem: 'PyPI', name: 'requests', version: '2.28.0' })).toEqual(['GHSA-j8r2-6x86-q33q']);
    expect(ids(db, { ecosystem: 'PyPI', name: 'requests', version: '2.2.1' })).toEqual([]);
    expect(ids(db, { ecosystem: 'PyPI', name: 'urllib3', version: '2.0.5' })).toEqual(['GHSA-v845-jxx5-vc9f']);
    expect(ids(db, { ecosystem: 'PyPI', name: 'urllib3', version: '1.26.17' })).toEqual([]);
    expect(db.match({ ecosystem: 'PyPI', name: 'urllib3', version: '1.26.16' })[0]).toMatchObject({ severity: 'MEDIUM', fixedVersion: '1.26.17', cvssScore: 5.9 });
  });

  it('Go modules, pseudo-versions included', async () => {
    const db = await seeded();
    expect(ids(db, { ecosystem: 'Go', name: 'golang.org/x/net', version: 'v0.16.0' })).toEqual(['GHSA-qppj-fm5r-hxr3']);
    expect(ids(db, { ecosystem: 'Go', name: 'golang.org/x/net', version: 'v0.0.0-20220722155237-a158d28d115b' })).toEqual(['GHSA-qppj-fm5r-hxr3']);
    expect(ids(db, { ecosystem: 'Go', name: 'golang.org/x/net', version: 'v0.17.0' })).toEqual([]);
    expect(ids(db, { ecosystem: 'Go', name: 'golang.org/x/text/language', version: 'v0.3.7' })).toEqual(['GHSA-69ch-w2m2-3vjp']);
  });

  it('Debian: the release must match, and the source package is what is matched', async () => {
    const db = await seeded();
    const libc6 = (version: string, release: string) => db.match({ ecosystem: 'Debian', release, name: 'libc6', version, source: { name: 'glibc' } });
    expect(libc6('2.36-9+deb12u1', '12')[0]).toMatchObject({ id: 'DSA-5514-1', aliases: ['CVE-2023-4911'], fixedVersion: '2.36-9+deb12u3', package: { ecosystem: 'Debian:12', name: 'glibc' } });
    expect(libc6('2.36-9+deb12u3', '12')).toEqual([]);
    expect(libc6('2.31-13+deb11u5', '11')[0]?.fixedVersion).toBe('2.31-13+deb11u7');
    expect(libc6('2.31-13+deb11u5', '10')).toEqual([]);
    // without the source the binary name names nothing
    expect(ids(db, { ecosystem: 'Debian', release: '12', name: 'libc6', version: '2.36-9' })).toEqual([]);
    // `~` sorts before the end: 3.0.11-1~deb12u1 is below the fix, 3.0.11-1~deb12u2 is the fix
    expect(ids(db, { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u1' })).toEqual(['DSA-5532-1']);
    expect(ids(db, { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2' })).toEqual([]);
  });

  it('Alpine: major.minor of VERSION_ID, and apk order of -rN', async () => {
    const db = await seeded();
    expect(ids(db, { ecosystem: 'Alpine', release: '3.18.4', name: 'libssl3', version: '3.1.3-r0', source: { name: 'openssl' } })).toEqual(['ALPINE-CVE-2023-5363']);
    expect(ids(db, { ecosystem: 'Alpine', release: '3.18.4', name: 'openssl', version: '3.1.4-r0' })).toEqual([]);
    expect(ids(db, { ecosystem: 'Alpine', release: '3.19.0', name: 'openssl', version: '3.1.3-r0' })).toEqual([]);
  });

  it('a version that does not parse matches nothing', async () => {
    const db = await seeded();
    expect(db.match({ ecosystem: 'npm', name: 'lodash', version: 'latest' })).toEqual([]);
    expect(db.match({ ecosystem: 'npm', name: 'lodash', version: '4.17.20' }).map((f) => f.id)).toEqual(['GHSA-35jh-r3h4-6jhm']);
  });

  it('range events by OSV evaluation: last_affected, several introduced, limit', () => {
    const s = SCHEMES.semver;
    const r = (events: Array<Record<string, string>>) => ({ type: 'SEMVER' as const, events: events as never });
    expect(matchRange(r([{ introduced: '1.0.0' }, { last_affected: '1.2.0' }]), s, '1.2.0')?.range).toEqual({ type: 'SEMVER', introduced: '1.0.0', lastAffected: '1.2.0' });
    expect(matchRange(r([{ introduced: '1.0.0' }, { last_affected: '1.2.0' }]), s, '1.2.1')).toBeUndefined();
    expect(matchRange(r([{ introduced: '1.0.0' }, { last_affected: '1.2.0' }]), s, '0.9.0')).toBeUndefined();
    // events out of order, two intervals
    const two = r([{ fixed: '1.5.0' }, { introduced: '2.0.0' }, { introduced: '1.0.0' }, { fixed: '2.1.0' }]);
    expect(matchRange(two, s, '1.4.0')?.fixed).toBe('1.5.0');
    expect(matchRange(two, s, '1.7.0')).toBeUndefined();
    expect(matchRange(two, s, '2.0.5')?.fixed).toBe('2.1.0');
    expect(matchRange(two, s, '2.1.0')).toBeUndefined();
    // introduced only: every later version
    expect(matchRange(r([{ introduced: '0' }]), s, '99.0.0')?.range).toEqual({ type: 'SEMVER', introduced: '0' });
    expect(matchRange(r([{ introduced: '0' }, { limit: '2.0.0' }]), s, '2.0.0')).toBeUndefined();
  });

  it('an explicit versions list matches exactly, by the scheme (1.0 == 1.0.0 in PyPI)', async () => {
    const db = new VulnDb(new MemoryMetaStore(), new ManualClock(new Date()));
    await db.importDocuments([{ source: 't', doc: { id: 'PYSEC-0000-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'Some_Pkg' }, versions: ['1.0', '2.0rc1'] }] } }]);
    expect(ids(db, { ecosystem: 'PyPI', name: 'some-pkg', version: '1.0.0' })).toEqual(['PYSEC-0000-1']);
    expect(db.match({ ecosystem: 'PyPI', name: 'some.pkg', version: '2.0rc1' })[0]?.affectedRange).toEqual({ type: 'VERSIONS' });
    expect(ids(db, { ecosystem: 'PyPI', name: 'some-pkg', version: '2.0' })).toEqual([]);
  });
});

describe('imports', () => {
  const doc = (modified: string, fixed = '1.3.0', summary = 's') => ({
    id: 'GHSA-aaaa-bbbb-cccc', modified, summary,
    affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
  });

  it('adds, updates when modified is newer or the same, skips an older copy, and the index follows', async () => {
    const db = new VulnDb(new MemoryMetaStore(), new ManualClock(new Date('2026-01-01T00:00:00Z')));
    let s = await db.importDocuments([{ source: 'a', doc: doc('2024-01-01T00:00:00Z') }]);
    expect(s).toMatchObject({ added: 1, updated: 0, rejected: 0, advisories: 1 });
    expect(db.match({ ecosystem: 'npm', name: 'left-pad', version: '1.2.0' })[0]?.fixedVersion).toBe('1.3.0');
    s = await db.importDocuments([{ source: 'b', doc: doc('2024-02-01T00:00:00Z', '1.2.5') }]);
    expect(s).toMatchObject({ added: 0, updated: 1 });
    expect(db.match({ ecosystem: 'npm', name: 'left-pad', version: '1.2.0' })[0]?.fixedVersion).toBe('1.2.5');
    expect(db.match({ ecosystem: 'npm', name: 'left-pad', version: '1.2.7' })).toEqual([]);
    s = await db.importDocuments([{ source: 'c', doc: doc('2024-02-01T00:00:00Z', '1.2.5') }]);
    expect(s).toMatchObject({ unchanged: 1, updated: 0 });
    s = await db.importDocuments([{ source: 'd', doc: doc('2024-02-01T00:00:00Z', '1.2.5', 'same time, new text') }]);
    expect(s).toMatchObject({ updated: 1 });
    s = await db.importDocuments([{ source: 'e', doc: doc('2023-01-01T00:00:00Z', '9.9.9') }]);
    expect(s).toMatchObject({ skipped: 1, updated: 0 });
    expect(db.get('GHSA-aaaa-bbbb-cccc')?.osv.summary).toBe('same time, new text');
    // a package the advisory no longer names drops out of the index
    await db.importDocuments([{ source: 'f', doc: { ...doc('2025-01-01T00:00:00Z'), affected: [{ package: { ecosystem: 'npm', name: 'right-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] } }]);
    expect(db.match({ ecosystem: 'npm', name: 'left-pad', version: '1.0.0' })).toEqual([]);
    expect(db.match({ ecosystem: 'npm', name: 'right-pad', version: '1.0.0' })).toHaveLength(1);
    expect(db.summary().lastImport).toMatchObject({ time: '2026-01-01T00:00:00.000Z', added: 0, updated: 1 });
  });

  it('a withdrawn advisory is kept and matches nothing', async () => {
    const db = new VulnDb(new MemoryMetaStore(), new ManualClock(new Date()));
    await db.importDocuments([{ source: 'w', doc: { ...doc('2024-01-01T00:00:00Z'), withdrawn: '2024-01-02T00:00:00Z' } }]);
    expect(db.size).toBe(1);
    expect(db.match({ ecosystem: 'npm', name: 'left-pad', version: '1.0.0' })).toEqual([]);
    expect(db.summary().withdrawn).toBe(1);
  });

  it('a zip: JSON entries imported, a broken one rejected with its name, other files skipped', async () => {
    const zip = await zipOf({ 'npm/': '', 'npm/a.json': JSON.stringify(doc('2024-01-01T00:00:00Z')), 'npm/broken.json': '{"id": ', 'README.txt': 'not json' });
    const { docs } = await documentsOfBody(zip, undefined);
    expect(docs.map((d) => d.source)).toEqual(['npm/a.json', 'npm/broken.json']);
    const db = new VulnDb(new MemoryMetaStore(), new ManualClock(new Date()));
    const s = await db.importDocuments(docs);
    expect(s).toMatchObject({ added: 1, rejected: 1 });
    expect(s.rejections[0]).toMatchObject({ source: 'npm/broken.json', reason: expect.stringMatching(/^not JSON/) });
  });

  it('a zip entry over the limit, or a truncated zip, fails the whole import with the reason', async () => {
    const bomb = await zipOf({ 'big.json': Buffer.alloc(5 << 20, 0x20) });
    expect(bomb.length).toBeLessThan(64 << 10);
    await expect(documentsOfBody(bomb, 'application/zip')).rejects.toThrow(/inflates to 5242880 bytes; one advisory may hold at most 4194304/);
    const good = await zipOf({ 'a.json': JSON.stringify(doc('2024-01-01T00:00:00Z')) });
    await expect(documentsOfBody(good.subarray(0, good.length - 30), 'application/zip')).rejects.toThrow(/The zip cannot be read \(truncated or not a zip\?\)/);
    await expect(documentsOfBody(Buffer.from('{"id": "x"'), undefined)).rejects.toThrow(/neither a zip nor JSON/);
    await expect(documentsOfBody(Buffer.from('42'), undefined)).rejects.toThrow(/JSON of type number/);
  });
});
