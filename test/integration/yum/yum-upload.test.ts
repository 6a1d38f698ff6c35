// yumArtifacts:create and yumArtifacts:import over HTTP (no client binaries: synthetic rpms, test/support/rpm-builder.ts):
// broken files and names with path tricks are INVALID_ARGUMENT in Google's JSON with nothing stored, a duplicate is
// ALREADY_EXISTS; the control plane lists packages, versions and files; import reports per-file errors; the
// repodata and package routes answer 404 for what is not there; deleting a version removes it from primary.xml.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRpm } from '../../support/rpm-builder.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${P}/locations/us-central1/repositories/yum`;
let emu: TestEmulator;

const upload = (bytes: Buffer, repo = REPO) =>
  fetch(`${emu.url}/upload/v1/${repo}/yumArtifacts:create?uploadType=media`, { method: 'POST', headers: { 'content-type': 'application/x-rpm' }, body: bytes });
const json = async <T>(path: string) => (await (await fetch(`${emu.url}${path}`)).json()) as T;
const primary = async () => {
  const repomd = await (await fetch(`${emu.url}/projects/${P}/yum/repodata/repomd.xml`)).text();
  const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)![1]!;
  return gunzipSync(Buffer.from(await (await fetch(`${emu.url}/projects/${P}/yum/${href}`)).arrayBuffer())).toString();
};

beforeAll(async () => {
  emu = await startEmulator({ grpcPort: false });
  await emu.createRepository('yum', { format: 'YUM' });
  await emu.createRepository('gen', { format: 'GENERIC' });
});
afterAll(async () => {
  await emu?.stop();
});

describe('yumArtifacts:create', () => {
  it('stores an rpm and shows it as a package, a version and a file', async () => {
    const res = await upload(syntheticRpm({ name: 'tool', version: '1.2', release: '3', epoch: 1, arch: 'x86_64' }));
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { operation: { response: { yumArtifacts: Array<{ name: string }> } } };
    expect(body.operation.response.yumArtifacts[0]!.name).toBe(`${REPO}/yumArtifacts/tool%3A1.2-3%3Ax86_64`);
    const pkgs = await json<{ packages: Array<{ name: string }> }>(`/v1/${REPO}/packages`);
    expect(pkgs.packages.map((p) => p.name)).toEqual([`${REPO}/packages/tool`]);
    const versions = await json<{ versions: Array<{ name: string }> }>(`/v1/${REPO}/packages/tool/versions`);
    expect(versions.versions.map((v) => decodeURIComponent(v.name.split('/versions/')[1]!))).toEqual(['1:1.2-3']);
    const files = await json<{ files: Array<{ name: string; sizeBytes: string }> }>(`/v1/${REPO}/files`);
    expect(files.files.map((f) => decodeURIComponent(f.name.split('/files/')[1]!))).toEqual(['tool-1.2-3.x86_64.rpm']);
    const got = await fetch(`${emu.url}/projects/${P}/yum/Packages/t/tool-1.2-3.x86_64.rpm`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/x-rpm');
    expect(await primary()).toContain('<version epoch="1" ver="1.2" rel="3"/>');
  });

  it.each<[string, Buffer]>([
    ['a bad lead magic', Buffer.concat([Buffer.alloc(4), syntheticRpm({ name: 'x', version: '1' }).subarray(4)])],
    ['a truncated file', syntheticRpm({ name: 'x', version: '1' }).subarray(0, 200)],
    ['a name with a slash', syntheticRpm({ name: 'a/../../b', version: '1' })],
    ['a version with ..', syntheticRpm({ name: 'x', version: '1..2' })],
    ['an arch with a control character', syntheticRpm({ name: 'x', version: '1', arch: 'x86\x1b64' })],
  ])('answers 400 INVALID_ARGUMENT for %s and stores nothing', async (_what, bytes) => {
    const before = await json<{ files?: unknown[] }>(`/v1/${REPO}/files`);
    const res = await upload(bytes);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { status: string; message: string } };
    expect(body.error.status).toBe('INVALID_ARGUMENT');
    expect(body.error.message).toMatch(/rpm package/);
    expect((await json<{ files?: unknown[] }>(`/v1/${REPO}/files`)).files?.length).toBe(before.files?.length);
  });

  it('answers 409 ALREADY_EXISTS for the same package again', async () => {
    const res = await upload(syntheticRpm({ name: 'tool', version: '1.2', release: '3', epoch: 1, arch: 'x86_64' }));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/already exists/);
  });

  it('refuses an upload into a repository of another format', async () => {
    const res = await upload(syntheticRpm({ name: 'x', version: '1' }), `projects/${P}/locations/us-central1/repositories/gen`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('FAILED_PRECONDITION');
  });
});

describe('importYumArtifacts', () => {
  it('imports the rpms of gs:// URIs and reports the missing, broken and duplicate ones per URI', async () => {
    const bucket = join(emu.dataDir, 'gcs', 'rpm-bucket');
    await mkdir(bucket, { recursive: true });
    await writeFile(join(bucket, 'good.rpm'), syntheticRpm({ name: 'imported', version: '2.0' }));
    await writeFile(join(bucket, 'broken.rpm'), Buffer.from('not an rpm'));
    await writeFile(join(bucket, 'dup.rpm'), syntheticRpm({ name: 'tool', version: '1.2', release: '3', epoch: 1, arch: 'x86_64' }));
    const res = await fetch(`${emu.url}/v1/${REPO}/yumArtifacts:import`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gcsSource: { uris: ['gs://rpm-bucket/good.rpm', 'gs://rpm-bucket/broken.rpm', 'gs://rpm-bucket/dup.rpm', 'gs://rpm-bucket/missing.rpm'] } }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const op = (await res.json()) as { done: boolean; response: { '@type': string; yumArtifacts: Array<{ packageName: string }>; errors: Array<{ gcsSource: { uris: string[] }; error: { code: number } }> } };
    expect(op.done).toBe(true);
    expect(op.response['@type']).toMatch(/ImportYumArtifactsResponse$/);
    expect(op.response.yumArtifacts.map((a) => a.packageName)).toEqual(['imported']);
    expect(op.response.errors.map((e) => [e.gcsSource.uris[0], e.error.code])).toEqual([
      ['gs://rpm-bucket/broken.rpm', 3], ['gs://rpm-bucket/dup.rpm', 6], ['gs://rpm-bucket/missing.rpm', 5],
    ]);
    expect(await primary()).toContain('<name>imported</name>');
  });
});

describe('getRepodata', () => {
  it('answers 404 for unknown repodata files, packages and repositories', async () => {
    for (const path of [`/projects/${P}/yum/repodata/nothing-primary.xml.gz`, `/projects/${P}/yum/Packages/t/nothing-1-1.noarch.rpm`, `/projects/${P}/yum/Packages/x/tool-1.2-3.x86_64.rpm`, `/projects/${P}/absent/repodata/repomd.xml`]) {
      expect((await fetch(`${emu.url}${path}`)).status, path).toBe(404);
    }
  });

  it('serves repomd.xml.asc and the key, and drops a deleted version from primary.xml', async () => {
    expect(await (await fetch(`${emu.url}/projects/${P}/yum/repodata/repomd.xml.asc`)).text()).toMatch(/BEGIN PGP SIGNATURE/);
    expect(await (await fetch(`${emu.url}/projects/${P}/yum/repodata/repomd.xml.key`)).text()).toMatch(/BEGIN PGP PUBLIC KEY BLOCK/);
    const del = await fetch(`${emu.url}/v1/${REPO}/packages/imported/versions/2.0-1`, { method: 'DELETE' });
    expect(del.status, await del.clone().text()).toBe(200);
    expect(await primary()).not.toContain('<name>imported</name>');
  });
});
