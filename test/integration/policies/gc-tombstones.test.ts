// Deleting a Docker manifest frees its layers (issue 11 item 4): a manifest delete by digest tombstones every blob link
// of the image that no remaining manifest of the image references. Over HTTP, with the emulator's own collections off
// so that the one asked for is what is counted: a layer the image's other manifest uses stays; a layer only the
// deleted manifest used answers 404 BLOB_UNKNOWN at once (HEAD and GET), can no longer be used by a manifest
// (MANIFEST_BLOB_UNKNOWN) nor mounted (the mount falls back to an upload session: 202 with a Location), and stops
// counting in sizeBytes; `DELETE /v2/…/blobs/<digest>` of it still answers 202 once, then 404; a blob linked by an
// upload alone (no manifest) is untouched; garbage collection reclaims exactly the tombstoned bytes nothing else
// links; uploading the digest again links it again, and the manifest can be pushed again. The expected sets and
// sizes are computed here from the bytes the test sent.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { ociError, Registry, sha256 } from '../../support/registry.js';

const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories`;
const APP = `${TEST_PROJECT}/tomb/app`;
const ELSEWHERE = `${TEST_PROJECT}/elsewhere/copy`;
let emu: TestEmulator;
let reg: Registry;

beforeAll(async () => {
  emu = await startEmulator({ autoGc: false });
  await emu.createRepository('tomb');
  await emu.createRepository('elsewhere');
  reg = new Registry(emu.url);
});
afterAll(() => emu?.stop());

/** Every blob file in the store, as `sha256:hex` (the store's own layout: blobs/sha256/AB/HEX). */
async function storedBlobs(): Promise<Set<string>> {
  const out = new Set<string>();
  const root = join(emu.dataDir, 'blobs', 'sha256');
  for (const prefix of await readdir(root).catch(() => [] as string[])) {
    for (const hex of await readdir(join(root, prefix))) out.add(`sha256:${hex}`);
  }
  return out;
}

const sizeOf = async (repo: string) => {
  const res = await fetch(`${emu.url}/v1/${PARENT}/${repo}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { sizeBytes?: string }).sizeBytes;
};
const total = (...parts: string[]) => String(parts.reduce((n, p) => n + Buffer.byteLength(p), 0));
const gc = async () => {
  const res = await fetch(`${emu.url}/_emulator/gc`, { method: 'POST' });
  expect(res.status).toBe(200);
  return (await res.json()) as { blobsDeleted: number; bytesReclaimed: number };
};

const CONFIG = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
const SHARED = 'layer both manifests use '.repeat(200);
const OWN1 = 'layer only v1 uses '.repeat(50);
const OWN2 = 'layer only the second manifest uses, deleted by blob DELETE '.repeat(30);
const OWN3 = 'layer only the second manifest uses, mounted from afterwards '.repeat(40);
const OWN4 = 'layer only the second manifest uses, left alone '.repeat(60);
const LOOSE = 'blob uploaded into the image, in no manifest '.repeat(20);
function manifest(layers: string[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(CONFIG), size: Buffer.byteLength(CONFIG) },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: Buffer.byteLength(l) })),
  });
}
const M1 = manifest([SHARED, OWN1]);
const M2 = manifest([SHARED, OWN2, OWN3, OWN4]);

const status = async (method: string, name: string, data: string) => (await reg.fetch(`/v2/${name}/blobs/${sha256(data)}`, { method })).status;
/** HEAD and GET of each blob in `name`: [first words, HEAD, GET] so a failure says which blob. */
const reads = (name: string, blobs: string[]) => Promise.all(blobs.map(async (b) => [b.slice(0, 24), await status('HEAD', name, b), await status('GET', name, b)]));
const expectReads = async (name: string, blobs: string[], code: number) => expect(await reads(name, blobs)).toEqual(blobs.map((b) => [b.slice(0, 24), code, code]));

describe('a manifest delete tombstones the layers only it used', () => {
  it('shared and loose links stay; the rest is gone for reads, mounts, manifests and sizeBytes; GC reclaims it; a re-upload brings it back', async () => {
    for (const b of [CONFIG, SHARED, OWN1, OWN2, OWN3, OWN4, LOOSE]) await reg.pushBlob(APP, b);
    expect((await reg.putManifest(APP, 'v1', M1)).status).toBe(201);
    expect((await reg.putManifest(APP, sha256(M2), M2)).status).toBe(201);
    const everything = [CONFIG, SHARED, OWN1, OWN2, OWN3, OWN4, LOOSE, M1, M2];
    expect(await sizeOf('tomb')).toBe(total(...everything));
    const before = await storedBlobs();
    expect([...before].sort()).toEqual(everything.map((b) => sha256(b)).sort());

    expect((await reg.fetch(`/v2/${APP}/manifests/${sha256(M2)}`, { method: 'DELETE' })).status).toBe(202);

    // v1 still uses the config and the shared layer; the loose blob was never in a manifest: all still served
    await expectReads(APP, [CONFIG, SHARED, OWN1, LOOSE], 200);
    const pulled = await reg.fetch(`/v2/${APP}/blobs/${sha256(SHARED)}`);
    expect(sha256(Buffer.from(await pulled.arrayBuffer()))).toBe(sha256(SHARED));
    // the layers only the deleted manifest used are gone at once, in the registry's own error
    await expectReads(APP, [OWN2, OWN3, OWN4], 404);
    expect(await ociError(await reg.fetch(`/v2/${APP}/blobs/${sha256(OWN4)}`))).toBe('BLOB_UNKNOWN');
    // … and from sizeBytes, before any collection; their bytes are still stored (a tombstone, not a delete)
    const afterDelete = total(CONFIG, SHARED, OWN1, LOOSE, M1);
    expect(await sizeOf('tomb')).toBe(afterDelete);
    expect([...(await storedBlobs())].sort()).toEqual([...before].sort());

    // a manifest using them is refused until they are pushed again
    const again = await reg.putManifest(APP, sha256(M2), M2);
    expect(again.status).toBe(400);
    expect(await ociError(again)).toBe('MANIFEST_BLOB_UNKNOWN');

    // a mount from the tombstoned link is not a mount: 202 with an upload session, nothing linked; the upload
    // through that session works (the bytes are still stored) and links the blob in the other repository
    const mount = await reg.fetch(`/v2/${ELSEWHERE}/blobs/uploads/?mount=${sha256(OWN3)}&from=${APP}`, { method: 'POST' });
    expect(mount.status).toBe(202);
    const location = mount.headers.get('location');
    expect(location).toMatch(/\/blobs\/uploads\//);
    expect(await status('HEAD', ELSEWHERE, OWN3)).toBe(404);
    const put = await reg.fetch(`${location}${location!.includes('?') ? '&' : '?'}digest=${sha256(OWN3)}`, {
      method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: OWN3,
    });
    expect(put.status).toBe(201);
    expect(await status('HEAD', ELSEWHERE, OWN3)).toBe(200);
    expect(await status('HEAD', APP, OWN3)).toBe(404);
    // nor does a mount without `from` find it (the automatic cross-mount looks at live links only)
    const anonymous = await reg.fetch(`/v2/${ELSEWHERE}/blobs/uploads/?mount=${sha256(OWN4)}`, { method: 'POST' });
    expect(anonymous.status).toBe(202);
    expect((await reg.fetch(anonymous.headers.get('location')!, { method: 'DELETE' })).status).toBe(204);

    // DELETE of a tombstoned blob answers 202 once (the OCI conformance suite deletes blobs after their manifest), then 404
    expect((await reg.fetch(`/v2/${APP}/blobs/${sha256(OWN2)}`, { method: 'DELETE' })).status).toBe(202);
    const second = await reg.fetch(`/v2/${APP}/blobs/${sha256(OWN2)}`, { method: 'DELETE' });
    expect(second.status).toBe(404);
    expect(await ociError(second)).toBe('BLOB_UNKNOWN');
    expect(await sizeOf('tomb')).toBe(afterDelete);

    // the collection takes exactly what nothing links any more: the deleted manifest's bytes and the two layers
    // only it used that no other image links (OWN3 is linked in the other repository now)
    const gone = [M2, OWN2, OWN4];
    expect(await gc()).toEqual({ blobsDeleted: gone.length, bytesReclaimed: Number(total(...gone)) });
    expect([...(await storedBlobs())].sort()).toEqual([...before].filter((d) => !gone.map((b) => sha256(b)).includes(d)).sort());
    expect(await gc()).toEqual({ blobsDeleted: 0, bytesReclaimed: 0 });
    expect(await sizeOf('tomb')).toBe(afterDelete);
    expect(await sizeOf('elsewhere')).toBe(total(OWN3));
    await expectReads(APP, [CONFIG, SHARED, OWN1, LOOSE], 200);
    await expectReads(ELSEWHERE, [OWN3], 200);

    // uploading the digests again links them again (OWN2 and OWN4 stored anew, OWN3's bytes still there), and the
    // manifest can be pushed again and pulls with its digest
    for (const b of [OWN2, OWN3, OWN4]) await reg.pushBlob(APP, b);
    await expectReads(APP, [OWN2, OWN3, OWN4], 200);
    expect((await reg.putManifest(APP, sha256(M2), M2)).status).toBe(201);
    const m = await reg.fetch(`/v2/${APP}/manifests/${sha256(M2)}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(m.status).toBe(200);
    expect(sha256(Buffer.from(await m.arrayBuffer()))).toBe(sha256(M2));
    expect(await sizeOf('tomb')).toBe(total(...everything));
    expect(await gc()).toEqual({ blobsDeleted: 0, bytesReclaimed: 0 });
  });

  it('REST versions.delete tombstones the same way; a layer another image links keeps its bytes', async () => {
    const IMG = `${TEST_PROJECT}/tomb/rest`;
    const OWN = 'layer only the REST-deleted version uses '.repeat(25);
    const body = manifest([SHARED, OWN]);
    for (const b of [CONFIG, SHARED, OWN]) await reg.pushBlob(IMG, b);
    expect((await reg.putManifest(IMG, 'only', body)).status).toBe(201);
    const res = await fetch(`${emu.url}/v1/${PARENT}/tomb/packages/rest/versions/${sha256(body)}?force=true`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    await expectReads(IMG, [CONFIG, SHARED, OWN], 404);
    // the config and the shared layer are still app's (they stay); the manifest and its own layer go
    await expectReads(APP, [CONFIG, SHARED], 200);
    expect(await gc()).toEqual({ blobsDeleted: 2, bytesReclaimed: Number(total(body, OWN)) });
  });
});
