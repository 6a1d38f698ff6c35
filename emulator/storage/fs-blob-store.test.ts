// The blob store's garbage collector: what it deletes, what it keeps while uploads, mounts and manifest
// pushes run (holds), and how it recovers from a crash mid-sweep.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { digestOf, parseDigest } from '../core/digests.js';
import { randomIds } from '../core/ids.js';
import { FsBlobStore } from './fs-blob-store.js';
import { DataPaths } from './paths.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup() {
  const root = await mkdtemp(join(tmpdir(), 'are-blobs-'));
  dirs.push(root);
  const paths = new DataPaths(root);
  const blobs = new FsBlobStore(paths, randomIds);
  await blobs.init();
  return { root, paths, blobs };
}

async function putAll(blobs: FsBlobStore, count: number): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const data = randomBytes(64 + i);
    const digest = digestOf(data);
    await blobs.put(data, digest);
    out.set(digest, data);
  }
  return out;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FsBlobStore.collectGarbage', () => {
  it('deletes the blobs nothing references and keeps the others', async () => {
    const { blobs, paths } = await setup();
    const [a, b, c] = [...(await putAll(blobs, 3)).keys()] as [string, string, string];
    expect(await blobs.collectGarbage(() => [a])).toEqual({ removed: 2, bytes: 65 + 66 });
    expect(await blobs.stat(a)).toBeDefined();
    expect(await blobs.stat(b)).toBeUndefined();
    expect(await blobs.stat(c)).toBeUndefined();
    expect(await readdir(paths.blobTrashDir)).toEqual([]);
  });

  it('reports each blob it examines to its progress, as background work (afterMs)', async () => {
    const { blobs } = await setup();
    const [a] = [...(await putAll(blobs, 4)).keys()] as [string];
    const calls: Array<{ task: string; total: number; unit: string; afterMs?: number; ticks: number; done: boolean }> = [];
    await blobs.collectGarbage(() => [a], (task, total, unit, opts) => {
      const c = { task, total, unit, ...(opts?.afterMs !== undefined ? { afterMs: opts.afterMs } : {}), ticks: 0, done: false };
      calls.push(c);
      return { tick: (n = 1) => void (c.ticks += n), done: () => void (c.done = true) };
    });
    expect(calls).toEqual([{ task: 'garbage collection', total: 4, unit: 'blobs', afterMs: 2000, ticks: 4, done: true }]);
  });

  it('keeps a blob held when the sweep begins, and one whose hold begins while the sweep runs', async () => {
    const { blobs } = await setup();
    const [early, late, garbage] = [...(await putAll(blobs, 3)).keys()] as [string, string, string];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const earlyHold = blobs.hold([early], () => gate);
    let lateHold: Promise<void> | undefined;
    const result = await blobs.collectGarbage(() => {
      // the sweep has begun: this hold ends (its reference committed) after the referenced set was taken
      lateHold = blobs.hold([late], async () => {
        await tick();
      });
      return [];
    });
    release();
    await Promise.all([earlyHold, lateHold]);
    expect(result.removed).toBe(1);
    expect(await blobs.stat(early)).toBeDefined();
    expect(await blobs.stat(late)).toBeDefined();
    expect(await blobs.stat(garbage)).toBeUndefined();
  });

  it('never leaves a reference dangling while sweeps race with commits and unlinks', async () => {
    const { blobs } = await setup();
    // A few blobs that writers keep referencing (as manifest PUTs and mounts do: check or write the blob,
    // then commit the reference, under a hold) and unreferencing, while sweeps run back to back. The
    // invariant: a referenced blob exists, at every moment.
    const pool = await putAll(blobs, 6);
    const digests = [...pool.keys()];
    const referenced = new Set<string>();
    const dangling: string[] = [];
    let sweeping = true;
    let sweeps = 0;
    let removed = 0;
    const sweeper = (async () => {
      while (sweeping) {
        removed += (await blobs.collectGarbage(() => [...referenced])).removed;
        sweeps++;
      }
    })();
    const writer = async (seed: number) => {
      for (let i = 0; i < 300; i++) {
        const digest = digests[(seed + i * 7) % digests.length]!;
        if (referenced.has(digest)) {
          if (!(await blobs.stat(digest))) dangling.push(digest);
          referenced.delete(digest);
          continue;
        }
        await blobs.hold([digest], async () => {
          if (!(await blobs.stat(digest))) await blobs.put(pool.get(digest)!, digest);
          await tick();
          referenced.add(digest);
        });
        await tick();
      }
    };
    await Promise.all([0, 1, 2].map(writer));
    sweeping = false;
    await sweeper;
    // one sweep after the race, so that collecting something does not depend on how the race was scheduled
    removed += (await blobs.collectGarbage(() => [...referenced])).removed;
    expect(sweeps).toBeGreaterThan(10);
    expect(removed).toBeGreaterThan(0);
    for (const digest of referenced) if (!(await blobs.stat(digest))) dangling.push(digest);
    expect(dangling).toEqual([]);
  });

  it('runs one sweep at a time: a second call while one runs removes nothing', async () => {
    const { blobs } = await setup();
    await putAll(blobs, 4);
    let second: Promise<{ removed: number }> | undefined;
    const first = blobs.collectGarbage(() => {
      second = blobs.collectGarbage(() => []);
      return [];
    });
    expect((await first).removed).toBe(4);
    expect((await second!).removed).toBe(0);
  });

  it('puts back at startup a blob a sweep had moved aside when the process died', async () => {
    const { blobs, paths, root } = await setup();
    const data = Buffer.from('moved aside');
    const digest = digestOf(data);
    const d = parseDigest(digest);
    await mkdir(paths.blobTrashDir, { recursive: true });
    await writeFile(paths.trashedBlob(d.algorithm, d.hex), data);
    await writeFile(join(paths.blobTrashDir, 'not-a-digest'), 'x');
    const again = new FsBlobStore(new DataPaths(root), randomIds);
    await again.init();
    expect((await again.read(digest)).equals(data)).toBe(true);
    expect(await readdir(paths.blobTrashDir)).toEqual([]);
    expect(await blobs.stat(digest)).toBeDefined();
  });
});
