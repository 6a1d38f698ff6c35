// Online garbage collection after deletes (issue 11 item 4): Docker images sharing layers (pushed over HTTP, one
// repository mounting from another), an npm package and Python files are pushed; some are deleted on each path
// (registry DELETE of a manifest and of a blob link, REST packages.delete and versions.delete, the real npm's
// `npm unpublish` of one version, REST versions.delete of a Python version). `POST /_emulator/gc` then reclaims exactly the blobs nothing
// references any more, computed here from the bytes the test sent (not from what the emulator reports), the
// shared layers stay, everything left still pulls with its digest, and a second collection reclaims nothing.
//
// What "references" means for Docker: a manifest, and the live blob links of an image (what an upload or mount makes
// pullable as /v2/NAME/blobs/DIGEST). Deleting a manifest by digest (registry DELETE, REST versions.delete, cleanup)
// tombstones the image's links that no remaining manifest of the image uses, so the version's own layers go with it
// (as deleting a version does on Artifact Registry), while a layer another manifest of the image uses, or another
// image links, stays. Deleting the image (packages.delete) or the blob (registry blob DELETE) removes links too.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storedZip } from '../../support/clients/python.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { Registry, sha256, sha512 } from '../../support/registry.js';
import { npmClient, type NpmClient } from '../npm/npm-client.js';
import { publishDocument } from '../npm/npm-http.js';

const V1 = `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories`;
let emu: TestEmulator;
let reg: Registry;

/** Every blob file in the store, as `alg:hex` (the store's own layout: blobs/ALG/AB/HEX). */
async function storedBlobs(): Promise<Set<string>> {
  const out = new Set<string>();
  for (const alg of ['sha256', 'sha512']) {
    const root = join(emu.dataDir, 'blobs', alg);
    for (const prefix of await readdir(root).catch(() => [] as string[])) {
      for (const hex of await readdir(join(root, prefix))) out.add(`${alg}:${hex}`);
    }
  }
  return out;
}

const gc = async () => {
  const res = await fetch(`${emu.url}/_emulator/gc`, { method: 'POST' });
  expect(res.status).toBe(200);
  return (await res.json()) as { blobsDeleted: number; bytesReclaimed: number };
};

const control = async (method: string, path: string) => {
  const res = await fetch(`${emu.url}${V1}${path}`, { method });
  expect([res.status, method, path]).toEqual([200, method, path]);
};

/** A config, layers and an OCI image manifest over them; the manifest's bytes and digest. */
function image(config: string, layers: string[]) {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: Buffer.byteLength(config) },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: Buffer.byteLength(l) })),
  });
  return { body, digest: sha256(body), size: Buffer.byteLength(body) };
}

const CONFIG = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
const SHARED = 'shared base layer '.repeat(300);
const L = { a: 'layer only in app:v1 '.repeat(40), a2: 'layer only in app:v2 '.repeat(50), b: 'layer only in lib '.repeat(60), e: 'layer of extra '.repeat(20), m: 'layer of mirror '.repeat(30) };
const MA = image(CONFIG, [SHARED, L.a]);
const MA2 = image(CONFIG, [SHARED, L.a2]);
const MB = image(CONFIG, [SHARED, L.b]);
const ME = image(CONFIG, [L.e]);
const MM = image(CONFIG, [SHARED, L.m]);

const TARBALL = { '1.0.0': Buffer.from('npm tarball 1.0.0 '.repeat(100)), '1.1.0': Buffer.from('npm tarball 1.1.0 '.repeat(120)) };
const metadata = (v: string) => `Metadata-Version: 2.1\nName: tiny\nVersion: ${v}\n\nA tiny wheel.\n`;
const wheel = (v: string) => storedZip({ 'tiny/__init__.py': `VALUE = "${v}"\n`, [`tiny-${v}.dist-info/METADATA`]: metadata(v), [`tiny-${v}.dist-info/WHEEL`]: 'Wheel-Version: 1.0\n' });

async function pushImage(name: string, m: { body: string }, reference: string, blobs: string[]) {
  for (const b of blobs) await reg.pushBlob(name, b);
  const res = await reg.putManifest(name, reference, m.body);
  expect(res.status).toBe(201);
}

async function pythonUpload(v: string) {
  const form = new FormData();
  for (const [k, val] of Object.entries({ ':action': 'file_upload', name: 'tiny', version: v, filetype: 'bdist_wheel', pyversion: 'py3' })) form.append(k, val);
  form.append('content', new Blob([wheel(v)]), `tiny-${v}-py3-none-any.whl`);
  const res = await fetch(`${emu.url}/${TEST_PROJECT}/py/`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  // no collection of the emulator's own (at start, after deletes): the one this test asks for is what it counts
  emu = await startEmulator({ autoGc: false });
  for (const [id, format] of [['dock', 'DOCKER'], ['other', 'DOCKER'], ['npm', 'NPM'], ['py', 'PYTHON']] as const) await emu.createRepository(id, { format });
  reg = new Registry(emu.url);
});
afterAll(() => emu?.stop());

describeWithClients(['npm'], 'garbage collection after deletes', () => {
  let c: NpmClient;
  beforeAll(async () => {
    c = await npmClient(`${emu.url}/${TEST_PROJECT}/npm/`);
  });
  afterAll(() => c?.dispose());

  it('reclaims exactly the unreferenced blobs, keeps the shared ones, and everything left still pulls', async () => {
    const D = `${TEST_PROJECT}/dock`;
    await pushImage(`${D}/app`, MA, 'v1', [CONFIG, SHARED, L.a]);
    await pushImage(`${D}/app`, MA2, 'v2', [CONFIG, SHARED, L.a2]);
    await pushImage(`${D}/lib`, MB, 'v1', [CONFIG, SHARED, L.b]);
    await pushImage(`${D}/extra`, ME, ME.digest, [CONFIG, L.e]);
    // the mirror mounts the shared layer and the config from dock/app (201: linked without upload)
    for (const d of [sha256(SHARED), sha256(CONFIG)]) {
      const res = await reg.fetch(`/v2/${TEST_PROJECT}/other/mirror/blobs/uploads/?mount=${d}&from=${D}/app`, { method: 'POST' });
      expect(res.status).toBe(201);
    }
    await pushImage(`${TEST_PROJECT}/other/mirror`, MM, 'latest', [L.m]);

    const npm = (path: string, init?: RequestInit) => fetch(`${emu.url}/${TEST_PROJECT}/npm${path}`, init);
    for (const v of ['1.0.0', '1.1.0'] as const) {
      const res = await npm('/gcpkg', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(publishDocument('gcpkg', v, TARBALL[v])) });
      expect(res.status).toBe(201);
    }
    await pythonUpload('0.1');
    await pythonUpload('0.2');

    const before = await storedBlobs();
    // nothing else is stored: every blob this test sent is there, once
    const sent = [CONFIG, SHARED, ...Object.values(L), MA.body, MA2.body, MB.body, ME.body, MM.body, metadata('0.1'), metadata('0.2'), wheel('0.1'), wheel('0.2')].map((b) => sha256(b));
    const npmDigest = (b: Buffer) => [sha256(b), sha512(b)].find((d) => before.has(d))!;
    expect([...before].sort()).toEqual([...sent, npmDigest(TARBALL['1.0.0']), npmDigest(TARBALL['1.1.0'])].sort());

    // deletes, one per path
    expect((await reg.fetch(`/v2/${D}/app/manifests/${MA2.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await reg.fetch(`/v2/${D}/app/blobs/${sha256(L.a2)}`, { method: 'DELETE' })).status).toBe(202);
    await control('DELETE', '/dock/packages/lib');
    await control('DELETE', `/dock/packages/extra/versions/${ME.digest}`);
    // published over HTTP above (so the test knows the tarball bytes); unpublished by the real npm
    await c.npm(['unpublish', 'gcpkg@1.0.0']);
    await control('DELETE', '/py/packages/tiny/versions/0.1');

    // what nothing references any more, from the bytes sent: app:v2's manifest and its own layer (orphaned by the
    // manifest delete; the blob DELETE after it still answered 202), lib's manifest and own layer (the image is gone;
    // config and shared layer are still app's), extra's manifest and its own layer (its only version went; the config
    // it also used stays, app and mirror link it), npm 1.0.0's tarball, Python 0.1's wheel and metadata
    const gone = new Map<string, number>([
      [MA2.digest, MA2.size], [sha256(L.a2), L.a2.length], [MB.digest, MB.size], [sha256(L.b), L.b.length], [ME.digest, ME.size], [sha256(L.e), L.e.length],
      [npmDigest(TARBALL['1.0.0']), TARBALL['1.0.0'].length],
      [sha256(wheel('0.1')), wheel('0.1').length], [sha256(metadata('0.1')), Buffer.byteLength(metadata('0.1'))],
    ]);
    const expectedBytes = [...gone.values()].reduce((a, b) => a + b, 0);
    expect(await gc()).toEqual({ blobsDeleted: gone.size, bytesReclaimed: expectedBytes });
    expect([...(await storedBlobs())].sort()).toEqual([...before].filter((d) => !gone.has(d)).sort());
    expect(await gc()).toEqual({ blobsDeleted: 0, bytesReclaimed: 0 });

    // everything left pulls with its digest; what went answers 404
    const pullManifest = async (name: string, ref: string, m: { digest: string }) => {
      const res = await reg.fetch(`/v2/${name}/manifests/${ref}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      expect([name, ref, res.status]).toEqual([name, ref, 200]);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(m.digest);
    };
    const pullBlob = async (name: string, data: string) => {
      const res = await reg.fetch(`/v2/${name}/blobs/${sha256(data)}`);
      expect([name, res.status]).toEqual([name, 200]);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(data));
    };
    await pullManifest(`${D}/app`, 'v1', MA);
    for (const b of [CONFIG, SHARED, L.a]) await pullBlob(`${D}/app`, b);
    // extra lost its only version: its links are tombstoned (404 there), though the config still pulls from app
    await pullManifest(`${TEST_PROJECT}/other/mirror`, 'latest', MM);
    for (const b of [CONFIG, SHARED, L.m]) await pullBlob(`${TEST_PROJECT}/other/mirror`, b);
    expect((await reg.fetch(`/v2/${D}/app/manifests/${MA2.digest}`)).status).toBe(404);
    expect((await reg.fetch(`/v2/${D}/app/blobs/${sha256(L.a2)}`)).status).toBe(404);
    expect((await reg.fetch(`/v2/${D}/lib/manifests/v1`)).status).toBe(404);
    for (const b of [CONFIG, L.e]) expect([b.slice(0, 20), (await reg.fetch(`/v2/${D}/extra/blobs/${sha256(b)}`)).status]).toEqual([b.slice(0, 20), 404]);

    const tgz = await npm('/gcpkg/-/gcpkg-1.1.0.tgz');
    expect(tgz.status).toBe(200);
    expect(Buffer.from(await tgz.arrayBuffer())).toEqual(TARBALL['1.1.0']);
    expect((await npm('/gcpkg/-/gcpkg-1.0.0.tgz')).status).toBe(404);
    const whl = await fetch(`${emu.url}/${TEST_PROJECT}/py/packages/tiny/tiny-0.2-py3-none-any.whl`);
    expect(whl.status).toBe(200);
    expect(Buffer.from(await whl.arrayBuffer())).toEqual(wheel('0.2'));
    expect(await (await fetch(`${emu.url}/${TEST_PROJECT}/py/packages/tiny/tiny-0.2-py3-none-any.whl.metadata`)).text()).toBe(metadata('0.2'));
  });
});
