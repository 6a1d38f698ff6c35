// The control plane's pythonPackages (artifact.proto PythonPackage): one entry per uploaded version, named
// `PACKAGE:VERSION` by the PEP 503 normalized name, with a `uri` where its first file is served; NOT_FOUND otherwise.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${TEST_PROJECT}/locations/us-central1/repositories/py-ctl`;
let emu: TestEmulator;
const v1 = (path: string) => fetch(`${emu.url}/v1/${REPO}${path}`);
/** The host `uri` names: the emulator's registry host, `localhost:PORT`. */
const registryHost = () => `localhost:${new URL(emu.url).port}`;
const json = async <T>(path: string) => (await (await v1(path)).json()) as T;

async function uploadSdist(name: string, version: string, filename: string, data: Buffer): Promise<void> {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', name, version, filetype: 'sdist', sha256_digest: createHash('sha256').update(data).digest('hex') })) form.append(k, v);
  form.append('content', new Blob([data]), filename);
  const res = await fetch(`${emu.url}/${TEST_PROJECT}/py-ctl/`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`upload ${filename}: ${res.status} ${res.statusText}`);
}

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('py-ctl', { format: 'PYTHON' });
  await uploadSdist('Ctl_One', '1.0', 'Ctl_One-1.0.tar.gz', Buffer.from('one 1.0'));
  await uploadSdist('ctl-one', '1.1', 'ctl_one-1.1.tar.gz', Buffer.from('one 1.1'));
  await uploadSdist('two', '0.1', 'two-0.1.tar.gz', Buffer.from('two 0.1'));
});
afterAll(() => emu.stop());

describe('listPythonPackages', () => {
  it('lists every version of every package by its normalized name, each with a uri that downloads from this emulator', async () => {
    const { pythonPackages } = await json<{ pythonPackages: Array<Record<string, unknown>> }>('/pythonPackages');
    expect(pythonPackages.map((p) => [p.name, p.packageName, p.version])).toEqual([
      [`${REPO}/pythonPackages/ctl-one:1.0`, 'ctl-one', '1.0'],
      [`${REPO}/pythonPackages/ctl-one:1.1`, 'ctl-one', '1.1'],
      [`${REPO}/pythonPackages/two:0.1`, 'two', '0.1'],
    ]);
    const host = registryHost();
    expect(pythonPackages.map((p) => p.uri)).toEqual([
      `${host}/${TEST_PROJECT}/py-ctl/packages/ctl-one/Ctl_One-1.0.tar.gz`,
      `${host}/${TEST_PROJECT}/py-ctl/packages/ctl-one/ctl_one-1.1.tar.gz`,
      `${host}/${TEST_PROJECT}/py-ctl/packages/two/two-0.1.tar.gz`,
    ]);
    expect(pythonPackages[0]).toMatchObject({ createTime: expect.any(String), updateTime: expect.any(String) });
    const path = String(pythonPackages[0]!.uri).slice(host.length);
    expect(await (await fetch(`${emu.url}${path}`)).text()).toBe('one 1.0');
  });

  it('pages with pageSize and pageToken', async () => {
    const first = await json<{ pythonPackages: Array<{ name: string }>; nextPageToken: string }>('/pythonPackages?pageSize=2');
    expect(first.pythonPackages.map((p) => p.name)).toEqual([`${REPO}/pythonPackages/ctl-one:1.0`, `${REPO}/pythonPackages/ctl-one:1.1`]);
    const second = await json<{ pythonPackages: Array<{ name: string }>; nextPageToken?: string }>(`/pythonPackages?pageSize=2&pageToken=${encodeURIComponent(first.nextPageToken)}`);
    expect(second.pythonPackages.map((p) => p.name)).toEqual([`${REPO}/pythonPackages/two:0.1`]);
    expect(second.nextPageToken).toBeUndefined();
  });
});

describe('getPythonPackage', () => {
  it('gets one version by PACKAGE:VERSION', async () => {
    const res = await v1('/pythonPackages/ctl-one:1.1');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: `${REPO}/pythonPackages/ctl-one:1.1`, packageName: 'ctl-one', version: '1.1',
      uri: `${registryHost()}/${TEST_PROJECT}/py-ctl/packages/ctl-one/ctl_one-1.1.tar.gz`,
      createTime: expect.any(String), updateTime: expect.any(String),
    });
  });

  it('answers NOT_FOUND for a version or a package that was never uploaded', async () => {
    for (const missing of ['ctl-one:9.9', 'never-uploaded:1.0']) {
      const res = await v1(`/pythonPackages/${missing}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    }
  });

  it('answers NOT_FOUND for a version deleted through the API', async () => {
    expect((await fetch(`${emu.url}/v1/${REPO}/packages/two/versions/0.1`, { method: 'DELETE' })).status).toBe(200);
    const res = await v1('/pythonPackages/two:0.1');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });
});
