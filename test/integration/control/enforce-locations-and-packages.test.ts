// Under --iam=enforce: npmPackages/pythonPackages list and get need artifactregistry.npmpackages.* /
// pythonpackages.* on the repository (REST and gRPC), and a registry push to a repository found by the location
// rule (no LOCATION Host) is checked against that repository, the one the push then writes to.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../support/registry.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { fakeInventory, inventoryModule } from '../formats/fake-inventory.js';

const REPOS = (location: string) => `/v1/projects/${P}/locations/${location}/repositories`;
const SA = (id: string) => `serviceAccount:${id}@${P}.iam.gserviceaccount.com`;
let emu: TestEmulator;
const tokens: Record<string, string> = {};

const call = (method: string, path: string, token: string | undefined, body?: unknown, raw?: string) =>
  fetch(`${emu.url}${path}`, {
    method,
    headers: { 'content-type': raw === undefined ? 'application/json' : 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
const ok = async (res: Promise<Response>) => {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.status} ${await r.text()}`);
  return r;
};

beforeAll(async () => {
  const npm = fakeInventory('NPM');
  npm.add('js', 'left-pad', [{ id: '0.0.1', createTime: '2026-01-01T00:00:00Z' }]);
  const python = fakeInventory('PYTHON');
  python.add('py', 'demo', [{ id: '1.0', createTime: '2026-01-01T00:00:00Z' }]);
  emu = await startEmulator({ iam: 'enforce', formats: () => [inventoryModule(npm), inventoryModule(python)] });
  const mint = async (principal: string) => ((await (await ok(call('POST', '/_emulator/iam/tokens', undefined, { principal }))).json()) as { accessToken: string }).accessToken;
  tokens.owner = await mint('user:owner@ar-emulator.local');
  for (const id of ['reader', 'writer', 'nobody']) {
    await ok(call('POST', `/v1/projects/${P}/serviceAccounts`, undefined, { accountId: `sa-${id}` }));
    tokens[id] = await mint(SA(`sa-${id}`));
  }
  await ok(call('POST', `${REPOS('us-central1')}?repositoryId=js`, tokens.owner, { format: 'NPM' }));
  await ok(call('POST', `${REPOS('us-central1')}?repositoryId=py`, tokens.owner, { format: 'PYTHON' }));
  await ok(call('POST', `${REPOS('europe-west1')}?repositoryId=eu-images`, tokens.owner, { format: 'DOCKER' }));
  for (const [location, repo, role, who] of [
    ['us-central1', 'js', 'reader', 'reader'], ['us-central1', 'py', 'reader', 'reader'], ['europe-west1', 'eu-images', 'writer', 'writer'],
  ] as const) {
    await ok(call('POST', `${REPOS(location)}/${repo}:setIamPolicy`, tokens.owner, { policy: { bindings: [{ role: `roles/artifactregistry.${role}`, members: [SA(`sa-${who}`)] }] } }));
  }
});
afterAll(() => emu?.stop());

describe('npmPackages and pythonPackages under enforce', () => {
  it('lets a reader of the repository list and get, and denies a caller without a role (REST)', async () => {
    for (const path of [`${REPOS('us-central1')}/js/npmPackages`, `${REPOS('us-central1')}/js/npmPackages/left-pad:0.0.1`, `${REPOS('us-central1')}/py/pythonPackages`, `${REPOS('us-central1')}/py/pythonPackages/demo:1.0`]) {
      expect([path, (await call('GET', path, tokens.reader)).status]).toEqual([path, 200]);
      const denied = await call('GET', path, tokens.nobody);
      expect([path, denied.status]).toEqual([path, 403]);
      expect(((await denied.json()) as { error: { message: string } }).error.message).toMatch(/artifactregistry\.(npm|python)packages\.(list|get)/);
    }
  });

  it('checks the same permissions over gRPC', async () => {
    const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
    const as = (token: string) => ({ otherArgs: { headers: { authorization: `Bearer ${token}` } } });
    try {
      const [items] = await client.listNpmPackages({ parent: `projects/${P}/locations/us-central1/repositories/js` }, as(tokens.reader!));
      expect(items.map((p) => p.packageName)).toEqual(['left-pad']);
      await expect(client.getPythonPackage({ name: `projects/${P}/locations/us-central1/repositories/py/pythonPackages/demo:1.0` }, as(tokens.nobody!))).rejects.toMatchObject({ code: 7 });
    } finally {
      await client.close();
    }
  });
});

describe('a registry push found by the location rule', () => {
  const blob = 'eu-layer';

  it('is allowed to a writer of the repository in the one location holding it, without a LOCATION Host', async () => {
    const res = await call('POST', `/v2/${P}/eu-images/app/blobs/uploads/?digest=${sha256(blob)}`, tokens.writer, undefined, blob);
    expect(res.status).toBe(201);
  });

  it('is denied to a caller without a role on that repository', async () => {
    const res = await call('POST', `/v2/${P}/eu-images/app/blobs/uploads/?digest=${sha256('other')}`, tokens.reader, undefined, 'other');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: Array<{ code: string; message: string }> }).errors[0]!.message).toContain(`projects/${P}/locations/europe-west1/repositories/eu-images`);
  });
});
