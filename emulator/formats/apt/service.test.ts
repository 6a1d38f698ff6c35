import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleControl, syntheticDeb } from '../../../test/integration/apt/synthetic-deb.js';
import { ManualClock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import { EventBus } from '../../core/events.js';
import { randomIds } from '../../core/ids.js';
import { silentLogger } from '../../core/logger.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey } from '../../core/repository.js';
import { FsBlobStore } from '../../storage/fs-blob-store.js';
import { MemoryMetaStore } from '../../storage/memory-meta-store.js';
import { DataPaths } from '../../storage/paths.js';
import { debFileName, packagesStanza, parseDebControl } from './control.js';
import { AptService } from './service.js';
import { AptStore, indexKey, type AptTarget } from './store.js';

let root: string;
let blobs: FsBlobStore;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'are-apt-unit-'));
  blobs = new FsBlobStore(new DataPaths(root), randomIds);
  await blobs.init();
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function setup() {
  const meta = new MemoryMetaStore();
  const ref = { project: 'p', location: 'us-central1', repository: `r${n++}` };
  await meta.ensure(repositoryShardKey(ref)).transact((tx) => tx.put(REPOSITORY_TABLE, REPOSITORY_KEY, { ...ref, format: 'APT', mode: 'STANDARD_REPOSITORY' }));
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const store = new AptStore(meta);
  const signed: string[] = [];
  const service = new AptService(store, blobs, new EventBus(() => clock.now(), silentLogger), clock, {
    clearsign: async (_l, text) => {
      signed.push(text);
      return `signed(${text.length})`;
    },
    detachSign: async (_l, text) => `detached(${text.length})`,
  });
  return { service, store, t: store.writable(ref), signed };
}

async function add(service: AptService, t: AptTarget, bytes: Buffer) {
  const hex = createHash('sha256').update(bytes).digest('hex');
  await blobs.put(bytes, `sha256:${hex}`);
  return service.addDeb(t, { digest: `sha256:${hex}`, size: bytes.length, digests: { sha256: hex, md5: createHash('md5').update(bytes).digest('hex') } });
}

/** A stored package as an upload would have left it, without a .deb (the 2,000-package repository). */
async function seed(store: AptStore, t: AptTarget, i: number, over: Record<string, string> = {}) {
  const c = parseDebControl(simpleControl({ Package: `pkg${i}`, Version: `1.${i}`, ...over }));
  const filename = `pool/${t.ref.repository}/p/${c.package}/${debFileName(c)}`;
  const f = { filename, size: 100, md5: '0'.repeat(32), sha256: 'f'.repeat(64) };
  await store.addFile(t, debFileName(c), {
    package: c.package, version: c.version, architecture: c.architecture, component: c.component, filename, digest: `sha256:${'f'.repeat(64)}`,
    size: 100, sha256: f.sha256, md5: f.md5, stanza: packagesStanza(c, f), createTime: '2026-01-01T00:00:00.000Z',
  });
}

describe('AptService', () => {
  it('one more upload into a 2,000-package repository parses one control file and rebuilds only its index', async () => {
    const { service, store, t, signed } = await setup();
    for (let i = 0; i < 1990; i++) await seed(store, t, i);
    for (let i = 0; i < 10; i++) await seed(store, t, 5000 + i, { Section: 'contrib/misc', Architecture: 'arm64' });
    await service.release(t);
    const before = { ...service.counters };
    expect(before.indexBuilds).toBe(6); // {main, contrib} × {all, amd64, arm64}
    const contribBuilt = store.builtIndex(t, indexKey('contrib', 'arm64'));

    await add(service, t, await syntheticDeb(simpleControl({ Package: 'newcomer', Version: '1.0' })));
    const rel = await service.release(t);
    const after = service.counters;
    expect(after.controlsParsed - before.controlsParsed).toBe(1);
    expect(after.indexBuilds - before.indexBuilds).toBe(1); // main/binary-amd64 only
    expect(after.releaseBuilds - before.releaseBuilds).toBe(1);
    expect(store.builtIndex(t, indexKey('contrib', 'arm64'))).toEqual(contribBuilt);
    expect(signed).toHaveLength(2);
    expect(rel.inRelease).toBe(`signed(${rel.release.length})`);

    // reads after that build nothing and sign nothing
    await service.release(t);
    await service.indexFile(t, 'main', 'amd64', 'Packages.xz');
    expect(service.counters.indexBuilds - before.indexBuilds).toBe(1);
    expect(signed).toHaveLength(2);

    const xzFile = (await service.indexFile(t, 'main', 'amd64', 'Packages.xz'))!;
    const gzFile = (await service.indexFile(t, 'main', 'amd64', 'Packages.gz'))!;
    const plain = xz.decompressSync(await blobs.read(xzFile.digest)).toString();
    expect(gunzipSync(await blobs.read(gzFile.digest)).toString()).toBe(plain);
    expect(plain.match(/^Package: /gm)).toHaveLength(1991);
    expect(rel.release).toMatch(new RegExp(`^ ${xzFile.sha256} +${xzFile.size} main/binary-amd64/Packages\\.xz$`, 'm'));
  }, 60_000);

  it('an Architecture: all upload bumps binary-all and every architecture of its component, nothing else', async () => {
    const { service, store, t } = await setup();
    await seed(store, t, 1, { Section: 'contrib/misc' });
    await service.release(t);
    const before = service.counters.indexBuilds;
    await add(service, t, await syntheticDeb(simpleControl({ Package: 'everywhere', Architecture: 'all' })));
    await service.release(t);
    expect(service.counters.indexBuilds - before).toBe(3); // main: all, amd64, arm64
  });

  it('refuses a package that would take the repository past its components or architectures', async () => {
    const { service, store, t } = await setup();
    for (let i = 0; i < 7; i++) await seed(store, t, i, { Section: `c${i}/misc` }); // main + 7
    for (let i = 0; i < 14; i++) await seed(store, t, 100 + i, { Architecture: `arch${i}` }); // amd64, arm64 + 14
    await expect(add(service, t, await syntheticDeb(simpleControl({ Section: 'one-more/misc' })))).rejects.toThrow(/8 components/);
    await expect(add(service, t, await syntheticDeb(simpleControl({ Architecture: 'riscv64' })))).rejects.toThrow(/16 architectures/);
    await add(service, t, await syntheticDeb(simpleControl({ Section: 'c1/misc', Architecture: 'arch3' })));
  });

  it('reports the .deb files and the current and previous index files to the garbage collector', async () => {
    const { service, store, t } = await setup();
    const first = await add(service, t, await syntheticDeb(simpleControl({ Package: 'one' })));
    await service.release(t);
    const old = store.builtIndex(t, indexKey('main', 'amd64'))!;
    await add(service, t, await syntheticDeb(simpleControl({ Package: 'two' })));
    await service.release(t);
    const now = store.builtIndex(t, indexKey('main', 'amd64'))!;
    const referenced = new Set(service.referencedBlobs());
    for (const d of [first.file.digest, ...old.files.map((f) => f.digest), ...now.files.map((f) => f.digest)]) expect(referenced.has(d), d).toBe(true);
    expect(service.indexFileByHash(t, 'main', 'amd64', old.files[0]!.sha256)).toEqual(old.files[0]);
  });

  it('keeps nothing when the control file is bad or the version exists', async () => {
    const { service, store, t } = await setup();
    await add(service, t, await syntheticDeb(simpleControl()));
    await expect(add(service, t, await syntheticDeb(simpleControl({ Description: 'again' })))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(add(service, t, await syntheticDeb(simpleControl({ Package: '../etc' })))).rejects.toBeInstanceOf(EmulatorError);
    expect(store.files(t).map((f) => f.package)).toEqual(['demo']);
  });
});
