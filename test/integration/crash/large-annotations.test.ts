// Issue 8: valid pushes must never leave a data dir the emulator cannot start on. 1,000 manifests with
// 3.9 MiB of annotations each (all under the 4 MiB manifest limit) are pushed over HTTP; then the emulator
// is restarted on the same data dir: it must start clean, fast, and serve them all. Before the fix the
// annotations were copied into the repository's journal and 260 such manifests made it unreadable.
//
// About 4 GB go to the blob store (the manifests themselves): the temp data dir is removed afterwards.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';
import { Registry } from '../../support/registry.js';
import { listFiles } from './data-dir.js';

const MANIFESTS = 1_000;
const ANNOTATION_BYTES = Math.floor(3.9 * 1024 * 1024);
const CONCURRENCY = 4;
const NAME = 'test-project/big/app';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** the target is 1 s; asserted with room for a loaded CI machine, and the figure is printed */
const READY_BOUND_MS = 5_000;

const emulators: TestEmulator[] = [];
let dataDir = '';
afterAll(async () => {
  for (const e of emulators) await e.emulator.stop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function metaBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await listFiles(join(dir, 'meta'))) total += (await stat(f)).size;
  return total;
}

describe('1,000 manifests with 3.9 MiB of annotations each', () => {
  it('are all accepted, and the restarted emulator starts clean and quickly and serves them', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'are-annotations-'));
    const first = await startEmulator({ dataDir });
    emulators.push(first);
    await first.createRepository('big');
    const reg = new Registry(first.url);
    const base = JSON.stringify(await reg.imageManifest(NAME, 'the one layer'));
    // One shared 3.9 MiB value; each body differs only in a small annotation, so building it is one copy.
    const big = Buffer.alloc(ANNOTATION_BYTES, 'a');
    const tail = Buffer.from('"}}');
    const body = (i: number) => Buffer.concat([Buffer.from(`${base.slice(0, -1)},"annotations":{"org.example.i":"${i}","org.example.big":"`), big, tail]);
    expect(body(0).length).toBeLessThanOrEqual(4 * 1024 * 1024);

    const pushStart = Date.now();
    const statuses = new Map<number, number>();
    const digests: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < MANIFESTS; i = next++) {
          const res = await reg.fetch(`/v2/${NAME}/manifests/t${i}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST }, body: body(i) });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 201) digests[i] = res.headers.get('docker-content-digest')!;
          else throw new Error(`PUT t${i}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        }
      }),
    );
    const pushMs = Date.now() - pushStart;
    expect(Object.fromEntries(statuses)).toEqual({ 201: MANIFESTS });
    await first.emulator.stop();
    const meta = await metaBytes(dataDir);

    const readyStart = Date.now();
    const again = await startEmulator({ dataDir });
    const readyMs = Date.now() - readyStart;
    emulators.push(again);
    console.info(
      `[annotations] ${MANIFESTS} manifests of ${(body(0).length / 1048576).toFixed(2)} MiB pushed in ${pushMs} ms; ` +
        `metadata on disk ${(meta / 1024).toFixed(0)} KiB; restart to ready ${readyMs} ms`,
    );
    expect(meta).toBeLessThan(8 * 1024 * 1024);
    expect(readyMs).toBeLessThan(READY_BOUND_MS);

    const reg2 = new Registry(again.url);
    const tags = (await (await reg2.fetch(`/v2/${NAME}/tags/list?n=2000`)).json()) as { tags: string[] };
    expect(tags.tags.filter((t) => /^t\d+$/.test(t))).toHaveLength(MANIFESTS);
    for (const i of [0, 1, 499, 998, 999]) {
      const res = await reg2.fetch(`/v2/${NAME}/manifests/t${i}`, { headers: { accept: OCI_MANIFEST } });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(digests[i]);
      expect(Buffer.from(await res.arrayBuffer()).equals(body(i))).toBe(true);
    }
  }, 300_000);
});
