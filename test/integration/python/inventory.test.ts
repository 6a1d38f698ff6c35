// A PYTHON repository through the control plane: packages (normalized names), versions, files and
// pythonPackages as the real service lists them, and a version deleted through the API is gone from the
// simple index and the file URLs (no tags: Python has none).
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${TEST_PROJECT}/locations/us-central1/repositories/pyinv`;
let emu: TestEmulator;

async function uploadSdist(name: string, version: string, filename: string, data: Buffer): Promise<void> {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', name, version, filetype: 'sdist', sha256_digest: createHash('sha256').update(data).digest('hex') })) form.append(k, v);
  form.append('content', new Blob([data]), filename);
  const res = await fetch(`${emu.url}/${TEST_PROJECT}/pyinv/`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`upload ${filename}: ${res.status} ${res.statusText}`);
}
/** A GET with a Host header of its own (fetch may not set Host). */
function getWithHost(path: string, host: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject).end();
  });
}
const get = async (path: string) => (await fetch(`${emu.url}/v1/${path}`)).json() as Promise<Record<string, Array<Record<string, unknown>>>>;

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('pyinv', { format: 'PYTHON' });
  await uploadSdist('Demo_Pkg', '1.0', 'Demo_Pkg-1.0.tar.gz', Buffer.from('one'));
  await uploadSdist('demo-pkg', '2.0', 'demo-pkg-2.0.zip', Buffer.from('two'));
  await uploadSdist('other', '0.1', 'other-0.1.tar.gz', Buffer.from('three'));
});
afterAll(() => emu.stop());

describe('a PYTHON repository in the control plane', () => {
  it('lists packages by normalized name, their versions and files with SHA256 and MD5', async () => {
    expect((await get(`${REPO}/packages`)).packages!.map((p) => p.name)).toEqual([`${REPO}/packages/demo-pkg`, `${REPO}/packages/other`]);
    expect((await get(`${REPO}/packages/demo-pkg/versions`)).versions!.map((v) => v.name)).toEqual([`${REPO}/packages/demo-pkg/versions/1.0`, `${REPO}/packages/demo-pkg/versions/2.0`]);
    const files = (await get(`${REPO}/files`)).files!;
    expect(files.map((f) => f.name)).toEqual([`${REPO}/files/Demo_Pkg-1.0.tar.gz`, `${REPO}/files/demo-pkg-2.0.zip`, `${REPO}/files/other-0.1.tar.gz`]);
    expect(files[0]).toMatchObject({ sizeBytes: '3', owner: `${REPO}/packages/demo-pkg/versions/1.0` });
    expect((files[0]!.hashes as Array<{ type: string }>).map((h) => h.type)).toEqual(['SHA256', 'MD5']);
    expect((await get(`${REPO}/packages/demo-pkg/tags`)).tags ?? []).toEqual([]);
  });

  it('lists pythonPackages with a uri that downloads from this emulator', async () => {
    const items = (await get(`${REPO}/pythonPackages`)).pythonPackages!;
    expect(items.map((p) => p.name)).toEqual([`${REPO}/pythonPackages/demo-pkg:1.0`, `${REPO}/pythonPackages/demo-pkg:2.0`, `${REPO}/pythonPackages/other:0.1`]);
    expect(String(items[0]!.uri)).toMatch(new RegExp(`/${TEST_PROJECT}/pyinv/packages/demo-pkg/Demo_Pkg-1\\.0\\.tar\\.gz$`));
    const file = await fetch(`${emu.url}/${TEST_PROJECT}/pyinv/packages/demo-pkg/Demo_Pkg-1.0.tar.gz`);
    expect(await file.text()).toBe('one');
  });

  it('deletes a version through the API from the simple index and the file URLs, then the package with its last version', async () => {
    const del = await fetch(`${emu.url}/v1/${REPO}/packages/demo-pkg/versions/1.0`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const page = await (await fetch(`${emu.url}/${TEST_PROJECT}/pyinv/simple/demo-pkg/`)).text();
    expect(page).not.toContain('Demo_Pkg-1.0.tar.gz');
    expect(page).toContain('demo-pkg-2.0.zip');
    expect((await fetch(`${emu.url}/${TEST_PROJECT}/pyinv/packages/demo-pkg/Demo_Pkg-1.0.tar.gz`)).status).toBe(404);
    await fetch(`${emu.url}/v1/${REPO}/packages/demo-pkg/versions/2.0`, { method: 'DELETE' });
    expect((await fetch(`${emu.url}/${TEST_PROJECT}/pyinv/simple/demo-pkg/`)).status).toBe(404);
    expect((await get(`${REPO}/packages`)).packages!.map((p) => p.name)).toEqual([`${REPO}/packages/other`]);
    const del2 = await fetch(`${emu.url}/v1/${REPO}/packages/other`, { method: 'DELETE' });
    expect(del2.status).toBe(200);
    expect(await (await fetch(`${emu.url}/${TEST_PROJECT}/pyinv/simple/`)).text()).not.toContain('other');
  });

  it('lets a file name be uploaded again once its version was deleted (a choice: PyPI never allows it)', async () => {
    await uploadSdist('other', '0.1', 'other-0.1.tar.gz', Buffer.from('again'));
    expect(await (await fetch(`${emu.url}/${TEST_PROJECT}/pyinv/packages/other/other-0.1.tar.gz`)).text()).toBe('again');
  });

  it('is reached by a LOCATION-python.pkg.dev Host, whose location is the one looked up', async () => {
    const here = await getWithHost(`/${TEST_PROJECT}/pyinv/simple/`, 'us-central1-python.pkg.dev');
    expect([here.status, here.type]).toEqual([200, 'text/html; charset=utf-8']);
    const elsewhere = await getWithHost(`/${TEST_PROJECT}/pyinv/simple/`, 'europe-west1-python.pkg.dev:443');
    expect(elsewhere).toEqual({ status: 404, type: 'text/plain; charset=utf-8', body: `404 Repository "pyinv" was not found in project "${TEST_PROJECT}", location "europe-west1".\n` });
  });
});
