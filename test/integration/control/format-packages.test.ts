// npmPackages and pythonPackages (list, get) over REST (fetch, and the Node client's REST fallback) and gRPC (the
// Node client), all through one ControlApi, on NPM and PYTHON repositories whose inventory is a test fake: each
// version of each package is one item named PACKAGE:VERSION; a repository of another format has none.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { fakeInventory, inventoryModule } from '../formats/fake-inventory.js';

const REPOS = `projects/${TEST_PROJECT}/locations/us-central1/repositories`;
const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-02T00:00:00Z';
const T3 = '2026-01-03T00:00:00Z';

let emu: TestEmulator;
let host: string;

beforeAll(async () => {
  const npm = fakeInventory('NPM');
  npm.add('js', '@acme/widget', [{ id: '1.0.0', createTime: T1 }, { id: '1.1.0', createTime: T2, tags: ['latest', 'next'] }]);
  npm.add('js', 'left-pad', [{ id: '0.0.1', createTime: T3, tags: ['latest'] }]);
  const python = fakeInventory('PYTHON');
  python.add('py', 'demo-pkg', [
    { id: '1.0', createTime: T1, files: [{ id: 'demo_pkg-1.0-py3-none-any.whl', sizeBytes: 10, sha256: 'ab'.repeat(32) }, { id: 'demo_pkg-1.0.tar.gz', sizeBytes: 20, sha256: 'cd'.repeat(32) }] },
    { id: '2.0', createTime: T2 },
  ]);
  python.add('py', 'served', [{ id: '0.1', createTime: T3, files: [{ id: 'served-0.1.tar.gz', sizeBytes: 5, sha256: 'ef'.repeat(32), path: 'packages/served/served-0.1.tar.gz' }] }]);
  emu = await startEmulator({ formats: () => [inventoryModule(npm), inventoryModule(python)] });
  host = `localhost:${emu.emulator.port}`;
  await emu.createRepository('js', { format: 'NPM' });
  await emu.createRepository('py', { format: 'PYTHON' });
  await emu.createRepository('images', { format: 'DOCKER' });
});
afterAll(() => emu.stop());

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/v1/${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const widget10 = { name: `${REPOS}/js/npmPackages/@acme%2Fwidget:1.0.0`, packageName: '@acme/widget', version: '1.0.0', createTime: T1, updateTime: T1 };
const widget11 = { name: `${REPOS}/js/npmPackages/@acme%2Fwidget:1.1.0`, packageName: '@acme/widget', version: '1.1.0', tags: ['latest', 'next'], createTime: T2, updateTime: T2 };
const leftPad = { name: `${REPOS}/js/npmPackages/left-pad:0.0.1`, packageName: 'left-pad', version: '0.0.1', tags: ['latest'], createTime: T3, updateTime: T3 };

describe('npmPackages over REST', () => {
  it('lists each version of each package, a scope\'s slash escaped, dist-tags as tags', async () => {
    expect(await get(`${REPOS}/js/npmPackages`)).toEqual({ status: 200, body: { npmPackages: [widget10, widget11, leftPad] } });
  });

  it('pages with pageSize and pageToken', async () => {
    const first = await get(`${REPOS}/js/npmPackages?pageSize=2`);
    expect(first.body.npmPackages).toEqual([widget10, widget11]);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await get(`${REPOS}/js/npmPackages?pageSize=2&pageToken=${encodeURIComponent(String(first.body.nextPageToken))}`);
    expect(second.body).toEqual({ npmPackages: [leftPad] });
  });

  it('gets one by PACKAGE:VERSION, the scope written @scope%2Fname or %40scope%2Fname', async () => {
    expect(await get(`${REPOS}/js/npmPackages/@acme%2Fwidget:1.1.0`)).toEqual({ status: 200, body: widget11 });
    expect(await get(`${REPOS}/js/npmPackages/%40acme%2Fwidget:1.1.0`)).toEqual({ status: 200, body: widget11 });
    expect(await get(`${REPOS}/js/npmPackages/left-pad:0.0.1`)).toEqual({ status: 200, body: leftPad });
  });

  it('answers NOT_FOUND for a missing version or package, INVALID_ARGUMENT for a name without a version', async () => {
    expect((await get(`${REPOS}/js/npmPackages/left-pad:9.9.9`)).status).toBe(404);
    expect((await get(`${REPOS}/js/npmPackages/right-pad:0.0.1`)).status).toBe(404);
    const bad = await get(`${REPOS}/js/npmPackages/left-pad`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { status: 'INVALID_ARGUMENT', message: expect.stringContaining('PACKAGE:VERSION') } });
  });

  it('answers an empty list for a repository of another format, and NOT_FOUND for a get there', async () => {
    expect(await get(`${REPOS}/py/npmPackages`)).toEqual({ status: 200, body: {} });
    expect(await get(`${REPOS}/images/npmPackages`)).toEqual({ status: 200, body: {} });
    expect((await get(`${REPOS}/py/npmPackages/demo-pkg:1.0`)).status).toBe(404);
  });

  it('answers NOT_FOUND for a missing repository', async () => {
    expect((await get(`${REPOS}/nothing/npmPackages`)).status).toBe(404);
  });
});

describe('pythonPackages over REST', () => {
  const demo10 = (h: string) => ({
    name: `${REPOS}/py/pythonPackages/demo-pkg:1.0`, uri: `${h}/${TEST_PROJECT}/py/demo-pkg/demo_pkg-1.0-py3-none-any.whl`,
    packageName: 'demo-pkg', version: '1.0', createTime: T1, updateTime: T1,
  });

  it('lists each version with the uri of its first file', async () => {
    const res = await get(`${REPOS}/py/pythonPackages`);
    expect(res.body.pythonPackages).toEqual([
      demo10(host),
      { name: `${REPOS}/py/pythonPackages/demo-pkg:2.0`, uri: `${host}/${TEST_PROJECT}/py/demo-pkg`, packageName: 'demo-pkg', version: '2.0', createTime: T2, updateTime: T2 },
      { name: `${REPOS}/py/pythonPackages/served:0.1`, uri: `${host}/${TEST_PROJECT}/py/packages/served/served-0.1.tar.gz`, packageName: 'served', version: '0.1', createTime: T3, updateTime: T3 },
    ]);
  });

  it("builds the uri from the file's path where the format serves it, when the inventory gives one", async () => {
    expect((await get(`${REPOS}/py/pythonPackages/served:0.1`)).body.uri).toBe(`${host}/${TEST_PROJECT}/py/packages/served/served-0.1.tar.gz`);
  });

  it('gets one by PACKAGE:VERSION', async () => {
    expect(await get(`${REPOS}/py/pythonPackages/demo-pkg:1.0`)).toEqual({ status: 200, body: demo10(host) });
    expect((await get(`${REPOS}/js/pythonPackages/left-pad:0.0.1`)).status).toBe(404);
    expect(await get(`${REPOS}/js/pythonPackages`)).toEqual({ status: 200, body: {} });
  });
});

describe.each(['grpc', 'rest'] as const)('the Node client (%s)', (transport) => {
  let client: ArtifactRegistryClient;
  beforeAll(() => {
    if (transport === 'grpc') {
      client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
    } else {
      const authClient = new OAuth2Client();
      authClient.setCredentials({ access_token: 'static-test-token', expiry_date: Date.now() + 3600_000 });
      client = new ArtifactRegistryClient({ fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: emu.emulator.port, authClient, universeDomain: 'googleapis.com' } as never);
    }
  });
  afterAll(() => client.close());

  it('lists and gets npm packages', async () => {
    const [items] = await client.listNpmPackages({ parent: `${REPOS}/js` });
    expect(items.map((p) => [p.name, p.packageName, p.version, p.tags])).toEqual([
      [widget10.name, '@acme/widget', '1.0.0', []],
      [widget11.name, '@acme/widget', '1.1.0', ['latest', 'next']],
      [leftPad.name, 'left-pad', '0.0.1', ['latest']],
    ]);
    expect(Number(items[0]!.createTime?.seconds)).toBe(Date.parse(T1) / 1000);
    const [one] = await client.getNpmPackage({ name: widget11.name });
    expect([one.name, one.version, one.tags]).toEqual([widget11.name, '1.1.0', ['latest', 'next']]);
  });

  it('pages npm packages', async () => {
    const [page, next] = await client.listNpmPackages({ parent: `${REPOS}/js`, pageSize: 1 }, { autoPaginate: false });
    expect(page.map((p) => p.name)).toEqual([widget10.name]);
    expect(next?.pageToken).toEqual(expect.any(String));
  });

  it('lists and gets Python packages', async () => {
    const [items] = await client.listPythonPackages({ parent: `${REPOS}/py` });
    expect(items.map((p) => [p.name, p.uri, p.packageName, p.version])).toEqual([
      [`${REPOS}/py/pythonPackages/demo-pkg:1.0`, `${host}/${TEST_PROJECT}/py/demo-pkg/demo_pkg-1.0-py3-none-any.whl`, 'demo-pkg', '1.0'],
      [`${REPOS}/py/pythonPackages/demo-pkg:2.0`, `${host}/${TEST_PROJECT}/py/demo-pkg`, 'demo-pkg', '2.0'],
      [`${REPOS}/py/pythonPackages/served:0.1`, `${host}/${TEST_PROJECT}/py/packages/served/served-0.1.tar.gz`, 'served', '0.1'],
    ]);
    const [one] = await client.getPythonPackage({ name: `${REPOS}/py/pythonPackages/demo-pkg:1.0` });
    expect(one.version).toBe('1.0');
  });

  it('answers NOT_FOUND for a missing npm package', async () => {
    await expect(client.getNpmPackage({ name: `${REPOS}/js/npmPackages/left-pad:9.9.9` })).rejects.toMatchObject({ code: transport === 'grpc' ? 5 : 404 });
  });
});
