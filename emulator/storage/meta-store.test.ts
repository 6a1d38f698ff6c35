// Runs the MetaStore contract against both implementations, plus the on-disk store's own rules: the
// line-oriented snapshot, streaming reads of journals of any size, fsync'd appends and crash-safe compaction,
// torn journal lines, and refusing to start on unreadable or wrongly shaped files. Every store and file
// handle a test opens is closed after it.
import { readlinkSync } from 'node:fs';
import { appendFile, copyFile, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger, type Logger } from '../core/logger.js';
import { MAX_LINE_BYTES, SnapshotFile } from './json-lines-file.js';
import { LowMetaStore, ShardUnreadableError, type CompactionOptions } from './low-meta-store.js';
import { describeMetaStoreContract } from './meta-store.contract.js';
import { MemoryMetaStore } from './memory-meta-store.js';
import { DataPaths } from './paths.js';

const dirs: string[] = [];
const stores: LowMetaStore[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function openLow(dir: string, opts: { logger?: Logger; compaction?: CompactionOptions } = {}): Promise<LowMetaStore> {
  const store = new LowMetaStore(new DataPaths(dir), opts.logger ?? silentLogger, opts.compaction);
  await store.load();
  stores.push(store);
  return store;
}

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'are-meta-'));
  dirs.push(d);
  return d;
}

const exists = (file: string) => stat(file).then(() => true, () => false);

/** A logger that keeps its error lines. */
function recordingLogger(): Logger & { errors: Array<{ msg: string; fields?: Record<string, unknown> }> } {
  const errors: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const logger = { ...silentLogger, errors, error: (msg: string, fields?: Record<string, unknown>) => void errors.push({ msg, fields }), child: () => logger };
  return logger;
}

/** Paths that FileHandle sync()/datasync() were called on, in order (Linux: resolved through /proc/self/fd). */
async function recordSyncs(): Promise<string[] | undefined> {
  const probe = await open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void>; datasync: () => Promise<void> };
  await probe.close();
  let resolvable = true;
  try {
    readlinkSync('/proc/self/exe');
  } catch {
    resolvable = false;
  }
  // elsewhere the order of syncs cannot be observed from here, and the assertions on it are left out
  if (!resolvable) return undefined;
  const synced: string[] = [];
  for (const method of ['sync', 'datasync'] as const) {
    const original = proto[method];
    vi.spyOn(proto, method).mockImplementation(function (this: { fd: number }) {
      synced.push(`${method} ${readlinkSync(`/proc/self/fd/${this.fd}`)}`);
      return original.call(this);
    });
  }
  return synced;
}

describeMetaStoreContract('MemoryMetaStore', async () => ({ store: new MemoryMetaStore() }));
describeMetaStoreContract('LowMetaStore', async () => {
  const dir = await tempDir();
  return { store: await openLow(dir), reopen: () => openLow(dir) };
});

describe('LowMetaStore on disk', () => {
  it('writes one journal line per transaction, fsyncs it before the transaction resolves, and writes nothing on reads', async () => {
    const dir = await tempDir();
    const store = await openLow(dir);
    const journal = join(dir, 'meta', 'repos', 'p', 'l', 'r.journal');
    const synced = await recordSyncs();
    const shard = store.ensure(['repos', 'p', 'l', 'r']);
    await shard.transact((tx) => tx.put('t', 'a', 1));
    if (synced) expect(synced).toContain(`datasync ${journal}`);
    await shard.transact((tx) => tx.put('t', 'b', 2));
    if (synced) expect(synced.filter((s) => s === `datasync ${journal}`)).toHaveLength(2);
    const before = await readFile(journal, 'utf8');
    expect(before.trim().split('\n')).toHaveLength(2);
    shard.get('t', 'a');
    expect([...shard.entries('t')]).toHaveLength(2);
    expect(await readFile(journal, 'utf8')).toBe(before);
  });

  it('leaves nothing on disk for a transaction refused by the record cap', async () => {
    const dir = await tempDir();
    const store = await openLow(dir);
    const shard = store.ensure(['s']);
    await shard.transact((tx) => tx.put('t', 'a', 1));
    const journal = join(dir, 'meta', 's.journal');
    const before = await readFile(journal);
    await expect(shard.transact((tx) => tx.put('t', 'b', 'z'.repeat(2 << 20)))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await readFile(journal)).toEqual(before);
    await store.close();
    const again = await openLow(dir);
    expect([...again.get(['s'])!.entries('t')]).toEqual([['a', 1]]);
  });

  it('compacts the journal into a line-oriented snapshot: temp file fsynced, renamed, directory fsynced, then the journal removed', async () => {
    const dir = await tempDir();
    const store = await openLow(dir);
    const shard = store.ensure(['big']);
    const value = 'x'.repeat(4000);
    for (let i = 0; i < 255; i++) await shard.transact((tx) => tx.put('t', `k${i}`, value));
    expect(await exists(join(dir, 'meta', 'big.json'))).toBe(false);
    const synced = await recordSyncs();
    const snapshot = join(dir, 'meta', 'big.json');
    const journal = join(dir, 'meta', 'big.journal');
    // until the journal passes 1 MiB: then compaction is scheduled
    let n = 255;
    while ((await stat(journal)).size <= 1 << 20) await shard.transact((tx) => tx.put('t', `k${n++}`, value));
    await vi.waitFor(async () => expect(await exists(journal)).toBe(false), { timeout: 5_000 });
    expect(synced === undefined && process.platform === 'linux').toBe(false);
    if (synced) {
      const tmp = join(dir, 'meta', '.big.json.tmp');
      const meta = join(dir, 'meta');
      const tmpSync = synced.indexOf(`sync ${tmp}`);
      expect(tmpSync, synced.join('\n')).toBeGreaterThanOrEqual(0);
      // the directory is synced after the rename, and again after the journal is removed
      expect(synced.slice(tmpSync + 1).filter((s) => s === `sync ${meta}`).length, synced.join('\n')).toBeGreaterThanOrEqual(2);
    }
    const lines = (await readFile(snapshot, 'utf8')).split('\n');
    expect(lines[0]).toBe('{"version":2}');
    expect(lines.at(-1)).toBe('');
    expect(JSON.parse(lines[1]!)).toEqual(['t', 'k0', value]);
    expect(lines.length - 2).toBe(n);
    await store.close();
    const again = await openLow(dir);
    expect(again.get(['big'])!.size('t')).toBe(n);
  });

  it('recovers every state a crash during compaction can leave: old snapshot + journal, new snapshot + old journal, stale temp file', async () => {
    const dir = await tempDir();
    const compaction = { minJournalBytes: 0, snapshotFactor: 0 };
    const store = await openLow(dir, { compaction });
    const shard = store.ensure(['s']);
    await shard.transact((tx) => tx.put('t', 'a', 1));
    await vi.waitFor(async () => expect(await exists(join(dir, 'meta', 's.journal'))).toBe(false));
    await store.close();
    // A journal after that snapshot: put b, overwrite a, delete b.
    const s2 = await openLow(dir, { compaction: { minJournalBytes: 1 << 30 } });
    await s2.get(['s'])!.transact((tx) => tx.put('t', 'b', 2));
    await s2.get(['s'])!.transact((tx) => tx.put('t', 'a', 3));
    await s2.get(['s'])!.transact((tx) => tx.delete('t', 'b'));
    await s2.close();
    const journal = join(dir, 'meta', 's.journal');
    const saved = join(dir, 'saved.journal');
    await copyFile(journal, saved);
    // (1) killed before the rename: a temp file beside the old snapshot and the journal
    await writeFile(join(dir, 'meta', '.s.json.tmp'), '{"version":2}\n["t","a",');
    const crashed1 = await openLow(dir, { compaction });
    expect([...crashed1.get(['s'])!.entries('t')]).toEqual([['a', 3]]);
    // (2) killed after the rename, before the journal was removed: it is replayed over the newer snapshot
    await crashed1.get(['s'])!.transact((tx) => tx.put('t', 'c', 4));
    await vi.waitFor(async () => expect(await exists(journal)).toBe(false));
    await crashed1.close();
    await copyFile(saved, journal);
    const crashed2 = await openLow(dir);
    expect(Object.fromEntries(crashed2.get(['s'])!.entries('t'))).toEqual({ a: 3, c: 4 });
  });

  it('logs a failed compaction with the file and its cause, and loses nothing', async () => {
    const dir = await tempDir();
    const logger = recordingLogger();
    const store = await openLow(dir, { logger, compaction: { minJournalBytes: 0, snapshotFactor: 0 } });
    // a directory where the snapshot goes: the rename fails
    await mkdir(join(dir, 'meta', 's.json', 'blocker'), { recursive: true });
    const shard = store.ensure(['s']);
    await shard.transact((tx) => tx.put('t', 'a', 1));
    await vi.waitFor(() => expect(logger.errors.length).toBeGreaterThan(0));
    expect(logger.errors[0]!.msg).toMatch(/compaction failed/);
    expect(logger.errors[0]!.fields?.file).toBe(join(dir, 'meta', 's.journal'));
    expect(logger.errors[0]!.fields?.cause).toBeInstanceOf(Error);
    await shard.transact((tx) => tx.put('t', 'b', 2));
    await store.close();
    await rm(join(dir, 'meta', 's.json'), { recursive: true });
    const again = await openLow(dir);
    expect(Object.fromEntries(again.get(['s'])!.entries('t'))).toEqual({ a: 1, b: 2 });
  });

  it('still reads a version-1 snapshot (one JSON document) and rewrites it as version 2 on compaction', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'meta'), { recursive: true });
    await writeFile(join(dir, 'meta', 'old.json'), JSON.stringify({ version: 1, tables: { t: { a: { v: 1 } }, u: {} } }));
    await writeFile(join(dir, 'meta', 'old.journal'), `${JSON.stringify([['p', 't', 'b', { v: 2 }]])}\n`);
    const store = await openLow(dir, { compaction: { minJournalBytes: 0, snapshotFactor: 0 } });
    expect(Object.fromEntries(store.get(['old'])!.entries('t'))).toEqual({ a: { v: 1 }, b: { v: 2 } });
    await store.close();
    expect((await readFile(join(dir, 'meta', 'old.json'), 'utf8')).split('\n')[0]).toBe('{"version":2}');
    const again = await openLow(dir);
    expect(Object.fromEntries(again.get(['old'])!.entries('t'))).toEqual({ a: { v: 1 }, b: { v: 2 } });
  });

  it('never writes a snapshot line it could not read back', async () => {
    const dir = await tempDir();
    const file = join(dir, 'x.json');
    await writeFile(file, '{"version":2}\n["t","a",1]\n');
    const huge = new Map([['t', new Map([['a', 'h'.repeat(MAX_LINE_BYTES)]])]]);
    await expect(new SnapshotFile(file).write({ tables: huge })).rejects.toThrow(/too large for a snapshot line/);
    expect(await readFile(file, 'utf8')).toBe('{"version":2}\n["t","a",1]\n');
    expect(await readdir(dir)).toEqual(['x.json']);
  });

  it(
    'reads a journal larger than the longest JS string (0x1fffffe8 characters), line by line',
    async () => {
      const dir = await tempDir();
      await mkdir(join(dir, 'meta'), { recursive: true });
      const journal = join(dir, 'meta', 'huge.journal');
      // 130 lines of 4 MiB: 545 MB, more than one string can hold (the pre-fix readFileSync failed here)
      const line = Buffer.from(`${JSON.stringify([['p', 't', 'k', 'v'.repeat(4 << 20)]])}\n`);
      const handle = await open(journal, 'w');
      try {
        for (let i = 0; i < 130; i++) await handle.write(line);
        await handle.write(`${JSON.stringify([['p', 't', 'last', 1]])}\n`);
      } finally {
        await handle.close();
      }
      expect((await stat(journal)).size).toBeGreaterThan(0x1fffffe8);
      const store = await openLow(dir, { compaction: { minJournalBytes: 1 << 40 } });
      const shard = store.get(['huge'])!;
      expect(shard.get<string>('t', 'k')!.length).toBe(4 << 20);
      expect(shard.get('t', 'last')).toBe(1);
    },
    120_000,
  );

  it('drops a torn final journal line (a crash mid-append) and keeps every complete one', async () => {
    const dir = await tempDir();
    const store = await openLow(dir);
    await store.ensure(['s']).transact((tx) => tx.put('t', 'a', 1));
    await store.close();
    await appendFile(join(dir, 'meta', 's.journal'), '[["p","t","b",');
    const again = await openLow(dir);
    expect(again.get(['s'])!.get('t', 'a')).toBe(1);
    expect(again.get(['s'])!.get('t', 'b')).toBeUndefined();
    await again.ensure(['s']).transact((tx) => tx.put('t', 'c', 3));
    await again.close();
    const third = await openLow(dir);
    expect(third.get(['s'])!.get('t', 'c')).toBe(3);
  });

  it('refuses to start on a corrupt journal line and leaves the file untouched', async () => {
    const dir = await tempDir();
    const store = await openLow(dir);
    await store.ensure(['s']).transact((tx) => tx.put('t', 'a', 1));
    await store.close();
    const journal = join(dir, 'meta', 's.journal');
    await appendFile(journal, 'not json\n');
    const bytes = await readFile(journal);
    await expect(openLow(dir)).rejects.toThrow(ShardUnreadableError);
    await expect(openLow(dir)).rejects.toThrow(/s\.journal \(line 2\)/);
    expect(await readFile(journal)).toEqual(bytes);
  });

  it.each([
    ['an object', '{"p":["t","k",1]}'],
    ['a list of non-operations', '[1,2]'],
    ['an unknown operation', '[["x","t","k"]]'],
    ['a put without its value', '[["p","t","k"]]'],
    ['a delete with a value', '[["d","t","k",1]]'],
    ['a numeric table name', '[["p",5,"k",1]]'],
  ])('refuses to start on a journal line that is valid JSON but %s, naming the file and line', async (_what, text) => {
    const dir = await tempDir();
    await mkdir(join(dir, 'meta'), { recursive: true });
    const journal = join(dir, 'meta', 'w.journal');
    await writeFile(journal, `[["p","t","a",1]]\n${text}\n`);
    await expect(openLow(dir)).rejects.toThrow(ShardUnreadableError);
    await expect(openLow(dir)).rejects.toThrow(new RegExp(`${journal.replaceAll('.', '\\.')} \\(line 2\\)`));
    expect(await readFile(journal, 'utf8')).toBe(`[["p","t","a",1]]\n${text}\n`);
  });

  it.each([
    ['a version-1 table that is not an object', JSON.stringify({ version: 1, tables: { t: 5 } }), /table "t" is not an object/],
    ['a version-1 document whose tables are a list', JSON.stringify({ version: 1, tables: [] }), /not a metadata snapshot/],
    ['an unknown version', JSON.stringify({ version: 3, tables: {} }), /not a metadata snapshot/],
    ['a version-2 record that is not [table, key, value]', '{"version":2}\n["t","a",1]\n{"t":"a"}\n', /\(line 3\).*not \["TABLE","KEY",VALUE\]/],
    ['a version-2 snapshot cut short', '{"version":2}\n["t","a",1]\n["t","b"', /incomplete line/],
  ])('refuses to start on a snapshot with %s, naming the file and leaving it untouched', async (_what, text, message) => {
    const dir = await tempDir();
    const snapshot = join(dir, 'meta', 'repos', 'p', 'l', 'r.json');
    await mkdir(dirname(snapshot), { recursive: true });
    await writeFile(snapshot, text);
    const failure = await openLow(dir).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ShardUnreadableError);
    expect((failure as ShardUnreadableError).message).toContain(snapshot);
    expect((failure as ShardUnreadableError).message).toMatch(message);
    expect(await readFile(snapshot, 'utf8')).toBe(text);
  });

  it('refuses to start on a snapshot that is not JSON and leaves it untouched', async () => {
    const dir = await tempDir();
    const snapshot = join(dir, 'meta', 'repos', 'p', 'l', 'r.json');
    await mkdir(join(dir, 'meta', 'repos', 'p', 'l'), { recursive: true });
    await writeFile(snapshot, '{"version":1,"tables":{');
    await expect(openLow(dir)).rejects.toThrow(/r\.json cannot be read/);
    expect(await readFile(snapshot, 'utf8')).toBe('{"version":1,"tables":{');
  });
});
