// An export that fails half-way leaves the previous export intact and no partial directory behind.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryMetaStore } from './memory-meta-store.js';
import type { MetaShard } from './meta-store.js';
import { DataPaths } from './paths.js';
import { exportSnapshot, SNAPSHOT_MANIFEST, verifySnapshot } from './snapshot.js';

const base = await mkdtemp(join(tmpdir(), 'snapshot-unit-'));
afterAll(() => rm(base, { recursive: true, force: true }));

describe('exportSnapshot', () => {
  it('replaces the previous export only when the new one is complete', async () => {
    const paths = new DataPaths(join(base, 'data'));
    const meta = new MemoryMetaStore();
    await meta.ensure(['repos', 'p', 'l', 'r']).transact((tx) => tx.put('t', 'k', { v: 1 }));
    const dir = join(base, 'export');
    await exportSnapshot({ paths, meta, dir, emulatorVersion: 'test', now: new Date(0) });
    const first = await readFile(join(dir, SNAPSHOT_MANIFEST), 'utf8');
    expect((await verifySnapshot(dir)).files.map((f) => f.path)).toEqual(['meta/repos/p/l/r.json']);

    const failing = { key: ['x'], exportState: async () => Promise.reject(new Error('disk full')) } as unknown as MetaShard;
    const broken = Object.assign(Object.create(meta) as MemoryMetaStore, { list: () => [...meta.list([]), failing] });
    await expect(exportSnapshot({ paths, meta: broken, dir, emulatorVersion: 'test', now: new Date(1) })).rejects.toThrow('disk full');
    expect(await readFile(join(dir, SNAPSHOT_MANIFEST), 'utf8')).toBe(first);
    expect((await readdir(base)).sort()).toEqual(['export']);
  });
});
