// Online garbage collection during pushes (issue 11 item 4, acceptance: "a GC run during 20 concurrent pushes loses
// none of them"). Each round starts 20 image pushes at once (monolithic uploads, chunked uploads, cross-repository
// mounts from an image that is deleted meanwhile, and a layer every pusher re-pushes while it is garbage), and runs
// `POST /_emulator/gc` and Emulator.collectGarbage() in a loop until they end. The garbage the pushes revive is made
// both ways a blob link goes: a blob DELETE and the image's delete, and a manifest delete by digest, which
// tombstones the links no remaining manifest of the image uses. Then every manifest and every blob
// pushed must pull with its digest, also after one more collection.
//
// The test can fail: with FsBlobStore.hold() bypassed by hand (`return fn();` as its first line, so the sweep neither
// sees holders nor waits for them) it failed in 4 runs of 4, each in its first round: a blob a push had just linked
// while a sweep ran was gone (404 on its pull). The bypass is not in the code. The blobs that are garbage while
// pushes link them (the shared layer, the mount sources) are what make the race likely rather than rare.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { Registry, sha256 } from '../../support/registry.js';

const PUSHERS = 20;
const ROUNDS = 3;
const REPOS = ['r0', 'r1', 'r2', 'r3'];
let emu: TestEmulator;
let reg: Registry;

beforeAll(async () => {
  emu = await startEmulator();
  for (const r of [...REPOS, 'src']) await emu.createRepository(r);
  reg = new Registry(emu.url);
});
afterAll(() => emu?.stop());

interface Pushed {
  name: string;
  tag: string;
  manifest: string;
  blobs: string[];
}

const layer = (label: string, n: number) => `${label} `.repeat(n);
const descriptor = (data: string, mediaType = 'application/vnd.oci.image.layer.v1.tar') => ({ mediaType, digest: sha256(data), size: Buffer.byteLength(data) });

async function ok(res: Response | Promise<Response>, status: number, what: string): Promise<Response> {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return r;
}

/** An upload in three PATCHes, closed by PUT ?digest=. */
async function pushChunked(name: string, data: string): Promise<void> {
  let location = await reg.startUpload(name);
  const bytes = Buffer.from(data);
  const cut = [0, Math.floor(bytes.length / 3), Math.floor((2 * bytes.length) / 3), bytes.length];
  for (let i = 0; i < 3; i++) {
    const chunk = bytes.subarray(cut[i], cut[i + 1]);
    const res = await ok(reg.fetch(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${cut[i]}-${cut[i + 1]! - 1}` },
      body: chunk,
    }), 202, `PATCH ${name}`);
    location = res.headers.get('location')!;
  }
  await ok(reg.fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${sha256(data)}`, { method: 'PUT' }), 201, `PUT ${name}`);
}

/** A mount from `from`; when the source is gone (202: an upload session instead), the bytes are uploaded. */
async function mountOrPush(name: string, data: string, from: string): Promise<void> {
  const res = await reg.fetch(`/v2/${name}/blobs/uploads/?mount=${sha256(data)}&from=${from}`, { method: 'POST' });
  if (res.status === 201) return;
  if (res.status !== 202) throw new Error(`mount into ${name}: ${res.status} ${await res.text()}`);
  const location = res.headers.get('location')!;
  await ok(reg.fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${sha256(data)}`, {
    method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: data,
  }), 201, `upload after a refused mount into ${name}`);
}

async function push(round: number, i: number, shared: string, mounted: string[]): Promise<Pushed> {
  const name = `${TEST_PROJECT}/${REPOS[i % REPOS.length]}/img-${round}-${i}`;
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, pusher: `${round}-${i}` });
  const own = layer(`monolithic layer of ${round}-${i}`, 50 + i);
  const chunked = layer(`chunked layer of ${round}-${i}`, 80 + i);
  const mount = mounted[i % mounted.length]!;
  await reg.pushBlob(name, config);
  await reg.pushBlob(name, own);
  await pushChunked(name, chunked);
  await mountOrPush(name, mount, `${TEST_PROJECT}/src/base-${round}`);
  await reg.pushBlob(name, shared);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: descriptor(config, 'application/vnd.oci.image.config.v1+json'),
    layers: [own, chunked, mount, shared].map((l) => descriptor(l)),
  });
  await ok(reg.putManifest(name, 'v1', body), 201, `manifest of ${name}`);
  return { name, tag: 'v1', manifest: sha256(body), blobs: [config, own, chunked, mount, shared] };
}

async function pullsIntact(p: Pushed): Promise<void> {
  const m = await reg.fetch(`/v2/${p.name}/manifests/${p.tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  expect([p.name, m.status]).toEqual([p.name, 200]);
  expect(sha256(Buffer.from(await m.arrayBuffer()))).toBe(p.manifest);
  for (const b of p.blobs) {
    const res = await reg.fetch(`/v2/${p.name}/blobs/${sha256(b)}`);
    expect([p.name, sha256(b), res.status]).toEqual([p.name, sha256(b), 200]);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(b));
  }
}

describe('garbage collection during concurrent pushes', () => {
  it(`loses none of ${PUSHERS} concurrent pushes, in ${ROUNDS} rounds`, async () => {
    const all: Pushed[] = [];
    let sweeps = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // garbage that the pushes bring back to life: the shared layer is linked only by an image deleted before the
      // pushes start (even rounds), or only by the image's one manifest, deleted by digest (odd rounds: its links
      // are tombstoned); the mount sources only by blob links deleted (0, 1), or tombstoned by the delete of the
      // manifest using them (2, 3), while the pushes mount from them
      const shared = layer(`layer every pusher pushes in round ${round}`, 400);
      const mounted = [0, 1, 2, 3].map((k) => layer(`mounted layer ${k} of round ${round}`, 200 + k));
      const base = `${TEST_PROJECT}/src/base-${round}`;
      for (const data of [shared, ...mounted]) await reg.pushBlob(base, data);
      const baseManifest = JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: descriptor(mounted[2]!, 'application/vnd.oci.image.config.v1+json'), layers: [descriptor(mounted[3]!)],
      });
      await ok(reg.putManifest(base, sha256(baseManifest), baseManifest), 201, `manifest of ${base}`);
      await reg.pushBlob(`${TEST_PROJECT}/src/scratch-${round}`, shared);
      const scratchManifest = JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: descriptor(shared, 'application/vnd.oci.image.config.v1+json'), layers: [],
      });
      await ok(reg.putManifest(`${TEST_PROJECT}/src/scratch-${round}`, 'x', scratchManifest), 201, 'scratch manifest');
      if (round % 2 === 0) {
        await ok(fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/src/packages/scratch-${round}`, { method: 'DELETE' }), 200, 'delete scratch');
      } else {
        await ok(reg.fetch(`/v2/${TEST_PROJECT}/src/scratch-${round}/manifests/${sha256(scratchManifest)}`, { method: 'DELETE' }), 202, 'delete scratch manifest');
        expect((await reg.fetch(`/v2/${TEST_PROJECT}/src/scratch-${round}/blobs/${sha256(shared)}`)).status).toBe(404);
      }

      let done = false;
      const collector = (async () => {
        while (!done) {
          const res = await ok(fetch(`${emu.url}/_emulator/gc`, { method: 'POST' }), 200, 'POST /_emulator/gc');
          const body = (await res.json()) as { blobsDeleted: number; bytesReclaimed: number };
          expect(body.blobsDeleted).toBeGreaterThanOrEqual(0);
          await emu.emulator.collectGarbage();
          sweeps += 2;
        }
      })();
      const pushes = Array.from({ length: PUSHERS }, (_, i) => push(round, i, shared, mounted));
      // the mount source goes while the pushes mount from it
      const sourceGone = new Promise((resolve) => setImmediate(resolve)).then(() =>
        Promise.all([
          ...mounted.slice(0, 2).map((m) => ok(reg.fetch(`/v2/${base}/blobs/${sha256(m)}`, { method: 'DELETE' }), 202, 'delete a mount source')),
          ok(reg.fetch(`/v2/${base}/manifests/${sha256(baseManifest)}`, { method: 'DELETE' }), 202, 'delete the manifest of two mount sources'),
        ]));
      const results = await Promise.allSettled([...pushes, sourceGone]);
      done = true;
      await collector;
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));
      expect(failed).toEqual([]);
      for (const r of results.slice(0, PUSHERS)) all.push((r as PromiseFulfilledResult<Pushed>).value);
      for (const p of all) await pullsIntact(p);
    }
    expect(sweeps).toBeGreaterThanOrEqual(2 * ROUNDS);
    // and after the collections are over: nothing of any push was garbage
    expect(await emu.emulator.collectGarbage()).toMatchObject({ blobsDeleted: expect.any(Number) });
    for (const p of all) await pullsIntact(p);
    expect(await emu.emulator.collectGarbage()).toEqual({ blobsDeleted: 0, bytesReclaimed: 0 });
  });
});
