import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRpm, type SyntheticRpm } from '../../../test/support/rpm-builder.js';
import { ManualClock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import { EventBus } from '../../core/events.js';
import { randomIds } from '../../core/ids.js';
import { silentLogger } from '../../core/logger.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey } from '../../core/repository.js';
import { FsBlobStore } from '../../storage/fs-blob-store.js';
import { BlobIngest } from '../../storage/ingest.js';
import { MemoryMetaStore } from '../../storage/memory-meta-store.js';
import { DataPaths } from '../../storage/paths.js';
import { YumService } from './service.js';
import { T, YumStore, type YumTarget } from './store.js';

let root: string;
let blobs: FsBlobStore;
let ingest: BlobIngest;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'are-yum-unit-'));
  const paths = new DataPaths(root);
  blobs = new FsBlobStore(paths, randomIds);
  await blobs.init();
  ingest = new BlobIngest(paths, blobs, randomIds);
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function setup() {
  const meta = new MemoryMetaStore();
  const ref = { project: 'p', location: 'us-central1', repository: `r${n++}` };
  await meta.ensure(repositoryShardKey(ref)).transact((tx) => tx.put(REPOSITORY_TABLE, REPOSITORY_KEY, { ...ref, format: 'YUM', mode: 'STANDARD_REPOSITORY' }));
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const store = new YumStore(meta);
  const signed: string[] = [];
  const events = new EventBus(() => clock.now(), silentLogger);
  const service = new YumService(store, blobs, (s, then) => ingest.ingest(s, {}, then), events, clock, {
    detachSign: async (_l, data) => {
      signed.push(data);
      return `signature of ${data.length} bytes`;
    },
  });
  return { service, store, t: store.writable(ref), signed, events };
}

/** stores the bytes as the upload protocol would have, then links them */
async function add(service: YumService, t: YumTarget, bytes: Buffer) {
  const hex = createHash('sha256').update(bytes).digest('hex');
  await blobs.put(bytes, `sha256:${hex}`);
  return service.addRpm(t, { digest: `sha256:${hex}`, size: bytes.length, digests: { sha256: hex, md5: createHash('md5').update(bytes).digest('hex') } });
}

const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as EmulatorError);

async function document(service: YumService, t: YumTarget, type: string): Promise<string> {
  const built = await service.repodata(t);
  const f = built.files.find((x) => x.type === type)!;
  return gunzipSync(await blobs.read(f.digest)).toString('utf8');
}

describe('YumService uploads', () => {
  it('bounds the work of one more upload in a repository of 2,000 packages: one header, three fragments, one rebuild on read', async () => {
    const { service, t, signed } = await setup();
    for (let i = 0; i < 2000; i++) await add(service, t, syntheticRpm({ name: `pkg${i}`, version: '1.0' }));
    await service.repodata(t);
    const before = { ...service.counters };
    expect(before.headersParsed).toBe(2000);

    await add(service, t, syntheticRpm({ name: 'one-more', version: '1.0' }));
    expect(service.counters.headersParsed - before.headersParsed).toBe(1);
    expect(service.counters.fragmentsRendered - before.fragmentsRendered).toBe(3);
    expect(service.counters.repodataBuilds - before.repodataBuilds).toBe(0); // nothing is assembled until a client reads

    const built = await service.repodata(t);
    await service.repodata(t); // cached until the next change
    expect(service.counters.repodataBuilds - before.repodataBuilds).toBe(1);
    expect(service.counters.headersParsed - before.headersParsed).toBe(1); // assembling never re-parses a header
    expect(service.counters.fragmentsRead - before.fragmentsRead).toBe(3 * 2001);
    expect(signed.length).toBe(2); // repomd.xml is signed once per change
    expect(built.repomd).toContain('<data type="primary">');
    const primary = await document(service, t, 'primary');
    expect(primary).toContain('packages="2001"');
    expect(primary).toContain('<name>one-more</name>');
  }, 120_000);

  it.each<[string, Partial<SyntheticRpm>]>([
    ['a name with a slash', { name: 'evil/../../etc' }],
    ['a name of ..', { name: '..' }],
    ['a name with a control character', { name: 'bad\x01name' }],
    ['a version with a slash', { version: '1/2' }],
    ['a version with ..', { version: '1..2' }],
    ['a release with a newline', { release: '1\n2' }],
    ['an arch with a slash', { arch: 'x86_64/../x' }],
    ['an empty name', { name: '' }],
  ])('refuses %s with INVALID_ARGUMENT and stores nothing', async (_what, fields) => {
    const { service, store, t } = await setup();
    const err = await rejection(add(service, t, syntheticRpm({ name: 'ok', version: '1.0', ...fields })));
    expect(err).toBeInstanceOf(EmulatorError);
    expect(err!.code).toBe('INVALID_ARGUMENT');
    expect(err!.message).toMatch(/rpm package's (name|version|release|arch|header)/);
    expect(store.files(t)).toEqual([]);
    expect(store.generation(t)).toBe(0);
  });

  it.each<[string, (b: Buffer) => Buffer]>([
    ['a bad lead magic', (b) => Buffer.concat([Buffer.from([0, 0, 0, 0]), b.subarray(4)])],
    ['a truncated header', (b) => b.subarray(0, 300)],
    ['a header index beyond the data store', (b) => {
      const c = Buffer.from(b);
      const sigEnd = 96 + 16 + c.readUInt32BE(96 + 8) * 16 + c.readUInt32BE(96 + 12);
      const start = sigEnd + ((8 - (sigEnd % 8)) % 8);
      c.writeUInt32BE(0x00ffffff, start + 16 + 8); // the first entry's offset
      return c;
    }],
    ['not an rpm at all', () => Buffer.from('hello world, this is not an rpm file')],
  ])('refuses %s with INVALID_ARGUMENT and stores nothing', async (_what, mangle) => {
    const { service, store, t } = await setup();
    const err = await rejection(add(service, t, mangle(syntheticRpm({ name: 'ok', version: '1.0' }))));
    expect(err?.code).toBe('INVALID_ARGUMENT');
    expect(err?.message).toMatch(/not a valid rpm package/);
    expect(store.files(t)).toEqual([]);
  });

  it('answers ALREADY_EXISTS for the same name, version, release and arch, keeping the first', async () => {
    const { service, store, t, events } = await setup();
    await add(service, t, syntheticRpm({ name: 'dup', version: '1.0' }));
    const err = await rejection(add(service, t, syntheticRpm({ name: 'dup', version: '1.0', files: ['/usr/bin/other'] })));
    expect(err?.code).toBe('ALREADY_EXISTS');
    expect(err?.message).toMatch(/dup-1\.0-1\.noarch\.rpm already exists/);
    expect(store.files(t).length).toBe(1);
    expect(store.generation(t)).toBe(1);
    // one push event, for the upload that was stored
    expect(events.replay().filter((e) => e.type === 'artifact.pushed').map((e) => e.data)).toEqual([
      { repository: t.repository, format: 'YUM', package: 'dup', version: '1.0-1', kind: 'file', sizeBytes: expect.any(Number), action: 'yum upload dup-1.0-1.noarch.rpm' },
    ]);
  });

  it('escapes markup and drops control characters in the XML, which stays well-formed', async () => {
    const { service, t } = await setup();
    const summary = `5 < 6 & "quotes" 'apos' > \x07bell`;
    await add(service, t, syntheticRpm({ name: 'xml', version: '1.0', epoch: 2, files: ['/etc/a&b.conf', '/usr/share/x<y>'], extra: [[1004, { type: 'i18n', value: summary }]] }));
    for (const type of ['primary', 'filelists', 'other']) expect(XMLValidator.validate(await document(service, t, type))).toBe(true);
    const primary = await document(service, t, 'primary');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(primary) as { metadata: { package: { summary: string; version: Record<string, string>; format: { file: string } } } };
    expect(parsed.metadata.package.summary).toBe(`5 < 6 & "quotes" 'apos' > bell`);
    expect(parsed.metadata.package.version['@_epoch']).toBe('2');
    expect(parsed.metadata.package.format.file).toBe('/etc/a&b.conf'); // /usr/share is not a primary file
    expect(await document(service, t, 'filelists')).toContain('<file>/usr/share/x&lt;y&gt;</file>');
  });

  it('keeps every new repodata blob held from garbage collection until the record referencing it is committed', async () => {
    const { store, t } = await setup();
    const held = new Set<string>();
    const heldAtSave: string[][] = [];
    const service = new YumService(store, blobs, async (source, then) => ingest.ingest(source, {}, async (b) => {
      held.add(b.digest);
      try {
        return await then(b);
      } finally {
        held.delete(b.digest);
      }
    }), new EventBus(() => new Date(), silentLogger), new ManualClock(new Date('2026-01-01T00:00:00Z')));
    const save = store.saveBuilt.bind(store);
    store.saveBuilt = async (target, b) => {
      heldAtSave.push(b.files.map((f) => f.digest).filter((d) => held.has(d)));
      return save(target, b);
    };
    await add(service, t, syntheticRpm({ name: 'held', version: '1' }));
    const built = await service.repodata(t);
    expect(heldAtSave).toEqual([built.files.map((f) => f.digest)]);
  });

  it('keeps the previous repodata servable after a change, and deletions change the index', async () => {
    const { service, store, t } = await setup();
    await add(service, t, syntheticRpm({ name: 'a', version: '1' }));
    const first = await service.repodata(t);
    await add(service, t, syntheticRpm({ name: 'b', version: '1' }));
    const second = await service.repodata(t);
    expect(second.generation).toBe(first.generation + 1);
    for (const f of first.files) expect(service.repodataFile(t, f.href.slice('repodata/'.length))).toBeDefined();
    await store.deleteFiles(t, 'a');
    expect(await document(service, t, 'primary')).not.toContain('<name>a</name>');
    expect(t.shard.get(T.packages, 'a')).toBeUndefined();
  });
});
