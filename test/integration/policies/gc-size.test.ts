// Repository `sizeBytes` (GET repository) stays right after deletes, after a cleanup run and after garbage collection
// (issue 11 item 4). "Right" is computed here from the bytes the test sent: for Docker, every distinct blob the
// repository still references (its manifests and the blobs linked into its images, each counted once however many
// images share it; a manifest delete unlinks the layers no other manifest of its image uses, so they stop counting
// at once, not at the next collection); for npm, the tarballs of its versions; for Python, its files and their core metadata. Garbage
// collection never changes it (it takes only what nothing references), and an empty repository has no sizeBytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedZip } from '../../support/clients/python.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { Registry, sha256 } from '../../support/registry.js';
import { publishDocument } from '../npm/npm-http.js';

const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories`;
let emu: TestEmulator;
let reg: Registry;

const json = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};
const sizeOf = async (repo: string) => {
  const res = await json('GET', `/v1/${PARENT}/${repo}`);
  expect(res.status).toBe(200);
  return res.body.sizeBytes;
};
const gc = async () => {
  const res = await json('POST', '/_emulator/gc');
  expect(res.status).toBe(200);
  return res.body;
};
const total = (...parts: Array<string | Buffer>) => String(parts.reduce((n, p) => n + Buffer.byteLength(p), 0));

const CONFIG = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
const SHARED = 'shared layer '.repeat(500);
const L = { a: 'app v1 layer '.repeat(70), a2: 'app v2 layer '.repeat(90), b: 'lib layer '.repeat(110), e: 'old layer '.repeat(130) };
function manifest(layers: string[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(CONFIG), size: Buffer.byteLength(CONFIG) },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: Buffer.byteLength(l) })),
  });
}
const MA = manifest([SHARED, L.a]);
const MA2 = manifest([SHARED, L.a2]);
const MB = manifest([SHARED, L.b]);
const ME = manifest([L.e]);

beforeAll(async () => {
  emu = await startEmulator();
  for (const [id, format] of [['sized', 'DOCKER'], ['sized-npm', 'NPM'], ['sized-py', 'PYTHON']] as const) await emu.createRepository(id, { format });
  reg = new Registry(emu.url);
});
afterAll(() => emu?.stop());

describe('repository sizeBytes', () => {
  it('Docker: counts each referenced blob once, and follows deletes, a cleanup run and garbage collection', async () => {
    const D = `${TEST_PROJECT}/sized`;
    const push = async (image: string, ref: string, body: string, blobs: string[]) => {
      for (const b of blobs) await reg.pushBlob(`${D}/${image}`, b);
      expect((await reg.putManifest(`${D}/${image}`, ref, body)).status).toBe(201);
    };
    await push('app', 'v1', MA, [CONFIG, SHARED, L.a]);
    await push('app', sha256(MA2), MA2, [CONFIG, SHARED, L.a2]);
    await push('lib', 'v1', MB, [CONFIG, SHARED, L.b]);
    await push('old', sha256(ME), ME, [CONFIG, L.e]);
    // the config and the shared layer, in three and two images, count once
    const all = [CONFIG, SHARED, L.a, L.a2, L.b, L.e, MA, MA2, MB, ME];
    expect(await sizeOf('sized')).toBe(total(...all));

    // registry DELETE of app's untagged manifest: its own layer (no other manifest of app uses it) stops counting at
    // once; the config and the shared layer, which app:v1 still uses, stay
    expect((await reg.fetch(`/v2/${D}/app/manifests/${sha256(MA2)}`, { method: 'DELETE' })).status).toBe(202);
    const afterManifestDelete = total(CONFIG, SHARED, L.a, L.b, L.e, MA, MB, ME);
    expect(await sizeOf('sized')).toBe(afterManifestDelete);
    expect((await reg.fetch(`/v2/${D}/app/blobs/${sha256(L.a2)}`)).status).toBe(404);
    expect(await gc()).toMatchObject({ blobsDeleted: expect.any(Number) });
    expect(await sizeOf('sized')).toBe(afterManifestDelete);
    // deleting the orphaned link afterwards (as the OCI conformance suite does) answers 202 and changes nothing
    expect((await reg.fetch(`/v2/${D}/app/blobs/${sha256(L.a2)}`, { method: 'DELETE' })).status).toBe(202);
    expect(await sizeOf('sized')).toBe(afterManifestDelete);

    // a cleanup policy deleting untagged versions: the dry run changes nothing, the real run takes old's manifest
    const patch = await json('PATCH', `/v1/${PARENT}/sized?updateMask=cleanupPolicies`, {
      cleanupPolicies: { 'drop-untagged': { id: 'drop-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED' } } },
    });
    expect(patch.status).toBe(200);
    const run = (dryRun: boolean) => json('POST', '/_emulator/cleanup:run', { repository: `${PARENT}/sized`, dryRun });
    const dry = await run(true);
    expect(dry.body).toMatchObject({ dryRun: true, deleted: [{ package: 'old', version: sha256(ME), policy: 'drop-untagged' }] });
    expect(await sizeOf('sized')).toBe(afterManifestDelete);
    const real = await run(false);
    expect(real.body).toMatchObject({ dryRun: false, deleted: [{ package: 'old', version: sha256(ME), policy: 'drop-untagged' }] });
    // old's only version went, and with it old's layer; its config is still app's and lib's (counted once anyway)
    const afterCleanup = total(CONFIG, SHARED, L.a, L.b, MA, MB);
    expect(await sizeOf('sized')).toBe(afterCleanup);
    expect(await gc()).toMatchObject({ blobsDeleted: expect.any(Number) });
    expect(await sizeOf('sized')).toBe(afterCleanup);

    // deleting a whole image (REST packages.delete) takes its links; the shared ones are still app's
    expect((await json('DELETE', `/v1/${PARENT}/sized/packages/lib`)).status).toBe(200);
    expect((await json('DELETE', `/v1/${PARENT}/sized/packages/old`)).status).toBe(200);
    const afterImageDelete = total(CONFIG, SHARED, L.a, MA);
    expect(await sizeOf('sized')).toBe(afterImageDelete);
    expect(await gc()).toMatchObject({ blobsDeleted: expect.any(Number) });
    expect(await sizeOf('sized')).toBe(afterImageDelete);
    expect((await reg.fetch(`/v2/${D}/app/blobs/${sha256(SHARED)}`)).status).toBe(200);

    expect((await json('DELETE', `/v1/${PARENT}/sized/packages/app`)).status).toBe(200);
    expect(await sizeOf('sized')).toBeUndefined();
    await gc();
    expect(await sizeOf('sized')).toBeUndefined();
  });

  it('npm: the tarballs of the versions left, after unpublish, cleanup and garbage collection', async () => {
    const base = `${emu.url}/${TEST_PROJECT}/sized-npm`;
    const tarball = (v: string) => Buffer.from(`tarball of sized@${v} `.repeat(40 + Number(v.split('.')[1])));
    const versions = ['1.0.0', '1.1.0', '1.2.0'];
    for (const v of versions) {
      const res = await fetch(`${base}/sized`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(publishDocument('sized', v, tarball(v))) });
      expect(res.status).toBe(201);
    }
    expect(await sizeOf('sized-npm')).toBe(total(...versions.map(tarball)));
    expect((await json('DELETE', `/v1/${PARENT}/sized-npm/packages/sized/versions/1.0.0`)).status).toBe(200);
    expect(await sizeOf('sized-npm')).toBe(total(tarball('1.1.0'), tarball('1.2.0')));
    // keep the most recent version, delete the rest
    const patch = await json('PATCH', `/v1/${PARENT}/sized-npm?updateMask=cleanupPolicies`, {
      cleanupPolicies: {
        all: { id: 'all', action: 'DELETE', condition: { tagState: 'ANY' } },
        newest: { id: 'newest', action: 'KEEP', mostRecentVersions: { keepCount: 1 } },
      },
    });
    expect(patch.status).toBe(200);
    const run = await json('POST', '/_emulator/cleanup:run', { repository: `${PARENT}/sized-npm`, dryRun: false });
    expect(run.body).toMatchObject({ deleted: [{ package: 'sized', version: '1.1.0', policy: 'all' }] });
    expect(await sizeOf('sized-npm')).toBe(total(tarball('1.2.0')));
    await gc();
    expect(await sizeOf('sized-npm')).toBe(total(tarball('1.2.0')));
    const tgz = await fetch(`${base}/sized/-/sized-1.2.0.tgz`);
    expect(Buffer.from(await tgz.arrayBuffer())).toEqual(tarball('1.2.0'));
  });

  it('Python: its files and their core metadata, after a version delete and garbage collection', async () => {
    const metadata = (v: string) => `Metadata-Version: 2.1\nName: sized\nVersion: ${v}\n\nSized.\n`;
    const wheel = (v: string) => storedZip({ 'sized/__init__.py': `V = "${v}"\n`, [`sized-${v}.dist-info/METADATA`]: metadata(v), [`sized-${v}.dist-info/WHEEL`]: 'Wheel-Version: 1.0\n' });
    for (const v of ['0.1', '0.2']) {
      const form = new FormData();
      for (const [k, val] of Object.entries({ ':action': 'file_upload', name: 'sized', version: v, filetype: 'bdist_wheel', pyversion: 'py3' })) form.append(k, val);
      form.append('content', new Blob([wheel(v)]), `sized-${v}-py3-none-any.whl`);
      expect((await fetch(`${emu.url}/${TEST_PROJECT}/sized-py/`, { method: 'POST', body: form })).status).toBe(200);
    }
    expect(await sizeOf('sized-py')).toBe(total(wheel('0.1'), metadata('0.1'), wheel('0.2'), metadata('0.2')));
    expect((await json('DELETE', `/v1/${PARENT}/sized-py/packages/sized/versions/0.1`)).status).toBe(200);
    expect(await sizeOf('sized-py')).toBe(total(wheel('0.2'), metadata('0.2')));
    await gc();
    expect(await sizeOf('sized-py')).toBe(total(wheel('0.2'), metadata('0.2')));
  });
});
