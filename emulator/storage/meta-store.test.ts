// Runs the MetaStore contract against both implementations, plus the on-disk store's own rules:
// compaction, torn journal lines, and refusing to start on unreadable files.
import { mkdtemp, readFile, readdir, writeFile, appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { LowMetaStore, ShardUnreadableError } from './low-meta-store.js';
import { describeMetaStoreContract } from './meta-store.contract.js';
import { MemoryMetaStore } from './memory-meta-store.js';
import { DataPaths } from './paths.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function openLow(dir: string): Promise<LowMetaStore> {
  const store = new LowMetaStore(new DataPaths(dir), silentLogger);
  await store.load();
  return store;
}

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'are-meta-'));
  dirs.push(d);
  return d;
}

describeMetaStoreContract('MemoryMetaStore', async () => ({ store: new MemoryMetaStore() }));
describeMetaStoreContract('LowMetaStore', async () => {
  const dir = await tempDir();
  return { store: await openLow(dir), reopen: () => openLow(dir) };
});

describe('LowMetaStore on disk', () => {
  it('writes one journal line per transaction and nothing on reads', async () => {
    const dir = await tempDir();
    const store = await openLow(dir);
    const shard = store.ensure(['repos', 'p', 'l', 'r']);
    await shard.transact((tx) => tx.put('t', 'a', 1));
    await shard.transact((tx) => tx.put('t', 'b', 2));
    const journal = join(dir, 'meta', 'repos', 'p', 'l', 'r.journal');
    const before = await readFile(journal, 'utf8');
    expect(before.trim().split('\n')).toHaveLength(2);
    shard.get('t', 'a');
    expect([...shard.entries("t")]).toHaveLength(2);
    expect(await readFile(journal, 'utf8')).toBe(before);
    await store.close();
  });

  it('compacts the journal into a lowdb snapshot once the journal outgrows it', async () => {
    const dir = await tempDir();
    const store = await openLow(dir);
    const shard = store.ensure(['big']);
    const value = 'x'.repeat(4000);
    for (let i = 0; i < 300; i++) await shard.transact((tx) => tx.put('t', `k${i}`, value));
    await new Promise((r) => setTimeout(r, 50));
    await store.close();
    const files = await readdir(join(dir, 'meta'));
    expect(files).toContain('big.json');
    const snapshot = JSON.parse(await readFile(join(dir, 'meta', 'big.json'), 'utf8')) as { tables: { t: Record<string, string> } };
    expect(Object.keys(snapshot.tables.t).length).toBeGreaterThan(200);
    const again = await openLow(dir);
    expect(again.get(['big'])!.size('t')).toBe(300);
    await again.close();
  });

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
    await third.close();
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

  it('refuses to start on a snapshot that is not JSON and leaves it untouched', async () => {
    const dir = await tempDir();
    const snapshot = join(dir, 'meta', 'repos', 'p', 'l', 'r.json');
    await (await import('node:fs/promises')).mkdir(join(dir, 'meta', 'repos', 'p', 'l'), { recursive: true });
    await writeFile(snapshot, '{"version":1,"tables":{');
    await expect(openLow(dir)).rejects.toThrow(/r\.json cannot be read/);
    expect(await readFile(snapshot, 'utf8')).toBe('{"version":1,"tables":{');
  });
});
