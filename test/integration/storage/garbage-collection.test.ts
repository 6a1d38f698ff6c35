// Online garbage collection (issue 8): blobs of deleted images and manifests are removed without waiting
// for a restart (a collection is scheduled, debounced, after deletes), and collections that run while images
// are pushed never take a blob a pushed image needs.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';
import { waitFor } from '../../support/process.js';
import { Registry, sha256 } from '../../support/registry.js';

const REPO_PATH = '/v1/projects/test-project/locations/us-central1/repositories/repo';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let emu: TestEmulator;
let reg: Registry;

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('repo');
  reg = new Registry(emu.url);
});
afterAll(() => emu?.stop());

const blobFile = (digest: string) => join(emu.dataDir, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7));
const isStored = (digest: string) => stat(blobFile(digest)).then(() => true, () => false);

/** Pushes an image with its own layer; its blob digests (config, layer, manifest). */
async function pushImage(image: string, tag: string, layer: string): Promise<{ config: string; layer: string; manifest: string }> {
  const name = `test-project/repo/${image}`;
  const m = await reg.imageManifest(name, layer);
  const res = await reg.putManifest(name, tag, m);
  expect(res.status, await res.text()).toBe(201);
  const blobs = [(m.config as { digest: string }).digest, (m.layers as Array<{ digest: string }>)[0]!.digest];
  return { config: blobs[0]!, layer: blobs[1]!, manifest: res.headers.get('docker-content-digest')! };
}

describe('garbage collection after deletes', () => {
  it('removes the blobs of a deleted image without a restart', async () => {
    const d = await pushImage('gone', 'v1', `layer of gone ${Math.random()}`);
    for (const digest of Object.values(d)) expect(await isStored(digest)).toBe(true);
    const res = await fetch(`${emu.url}${REPO_PATH}/packages/gone`, { method: 'DELETE' });
    expect(res.status, await res.text()).toBe(200);
    await waitFor('the deleted image blobs to be collected', async () => {
      for (const digest of Object.values(d)) if (await isStored(digest)) return false;
      return true;
    });
  });

  it('removes a manifest deleted by digest and the layers only it used, keeping what another manifest of the image uses', async () => {
    const shared = `layer of kept ${Math.random()}`;
    const first = await pushImage('kept', 'v1', shared);
    const other = await pushImage('kept', 'v2', `other layer of kept ${Math.random()}`);
    // v3 uses v1's layer again (and the same config, which depends only on the layer's content here)
    const second = await pushImage('kept', 'v3', shared);
    expect(second.layer).toBe(first.layer);
    const res = await reg.fetch(`/v2/test-project/repo/kept/manifests/${other.manifest}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    // its own layer is unlinked at once (issue 11: deleting a version frees its layers) and then collected
    expect((await reg.fetch(`/v2/test-project/repo/kept/blobs/${other.layer}`, { method: 'HEAD' })).status).toBe(404);
    await waitFor('the deleted manifest and its own layer to be collected', async () => !(await isStored(other.manifest)) && !(await isStored(other.layer)));
    for (const digest of [first.layer, first.config, first.manifest, second.manifest]) expect(await isStored(digest), digest).toBe(true);
    expect((await reg.fetch(`/v2/test-project/repo/kept/blobs/${first.layer}`)).status).toBe(200);
  });

  it('never takes a blob of an image pushed while deletes keep collections running', async () => {
    const pushed: Array<{ image: string; digests: { config: string; layer: string; manifest: string } }> = [];
    let previous: string | undefined;
    for (let i = 0; i < 25; i++) {
      const image = `busy-${i}`;
      // a layer shared with the image deleted just before: collections race with its relinking
      const shared = `shared layer ${Math.floor(i / 2)}`;
      const [digests] = await Promise.all([
        pushImage(image, 'v1', shared),
        previous ? fetch(`${emu.url}${REPO_PATH}/packages/${previous}`, { method: 'DELETE' }).then((r) => expect(r.status).toBe(200)) : undefined,
      ]);
      pushed.push({ image, digests });
      previous = i % 3 === 0 ? image : undefined;
      if (previous) pushed.pop();
      await new Promise((resolve) => setTimeout(resolve, 40 * (i % 4)));
    }
    // let the last scheduled collection run
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const { image, digests } of pushed) {
      const name = `test-project/repo/${image}`;
      const manifest = await reg.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: OCI_MANIFEST } });
      expect(manifest.status, image).toBe(200);
      for (const digest of [digests.config, digests.layer]) {
        const blob = await reg.fetch(`/v2/${name}/blobs/${digest}`);
        expect(blob.status, `${image} ${digest}`).toBe(200);
        expect(sha256(new Uint8Array(await blob.arrayBuffer()))).toBe(digest);
      }
    }
  });
});
