// Enforce-mode IAM on the Container Analysis routes (spec §6.2; iam/permissions.ts `analysis.*`): listing needs
// containeranalysis.occurrences.list and get containeranalysis.occurrences.get on the project, which
// roles/containeranalysis.occurrences.viewer and roles/viewer hold and roles/artifactregistry.reader does not; an
// anonymous caller is asked to authenticate; the provider projects' notes are readable by any signed-in caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../support/registry.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';
import type { ExtractInventory } from '../../../emulator/scanning/inventory/types.js';

const P = 'test-project';
const L = 'us-central1';
const SA = (id: string) => `serviceAccount:${id}@${P}.iam.gserviceaccount.com`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const extract: ExtractInventory = async () => ({ packages: [{ ecosystem: 'npm', name: 'lodash', version: '4.17.20', packageType: 'NPM', filePath: '/app/package-lock.json' }], warnings: [] });

let emu: TestEmulator;
const tokens: Record<string, string> = {};
let occurrence = '';
let uri = '';

const call = (method: string, path: string, token?: string, body?: string, type = 'application/json') =>
  fetch(`${emu.url}${path}`, { method, headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body !== undefined ? { body } : {}) });
const ok = async (res: Promise<Response>) => {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.status} ${await r.text()}`);
  return r;
};

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce', extractInventory: extract });
  const mint = async (principal: string) => ((await (await ok(call('POST', '/_emulator/iam/tokens', undefined, JSON.stringify({ principal })))).json()) as { accessToken: string }).accessToken;
  tokens.owner = await mint('user:owner@ar-emulator.local');
  for (const id of ['caviewer', 'viewer', 'reader']) {
    await ok(call('POST', `/v1/projects/${P}/serviceAccounts`, undefined, JSON.stringify({ accountId: `sa-${id}` })));
    tokens[id] = await mint(SA(`sa-${id}`));
  }
  await ok(call('POST', `/v1/projects/${P}:setIamPolicy`, undefined, JSON.stringify({ policy: { bindings: [
    { role: 'roles/containeranalysis.occurrences.viewer', members: [SA('sa-caviewer')] },
    { role: 'roles/viewer', members: [SA('sa-viewer')] },
    { role: 'roles/artifactregistry.reader', members: [SA('sa-reader')] },
  ] } })));
  await ok(call('POST', `/v1/projects/${P}/locations/${L}/repositories?repositoryId=main`, tokens.owner, JSON.stringify({ format: 'DOCKER' })));
  await ok(call('GET', '/_emulator/vulndb'));
  const name = `${P}/main/app`;
  const blob = async (data: string) => (await ok(call('POST', `/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, tokens.owner, data, 'application/octet-stream')), sha256(data));
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await blob('{}'), size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await blob('layer'), size: 5 }],
  });
  await ok(call('PUT', `/v2/${name}/manifests/v1`, tokens.owner, manifest, MANIFEST));
  uri = `https://${L}-docker.pkg.dev/${name}@${sha256(manifest)}`;
  for (let i = 0; i < 500 && !occurrence; i++) {
    const res = await ok(call('GET', `/v1/projects/${P}/occurrences?filter=${encodeURIComponent(`kind = "VULNERABILITY" AND resourceUrl = "${uri}"`)}`, tokens.owner));
    const body = (await res.json()) as { occurrences?: Array<{ name: string }> };
    occurrence = body.occurrences?.[0]?.name.split('/').pop() ?? '';
    if (!occurrence) await new Promise((r) => setTimeout(r, 20));
  }
  expect(occurrence).not.toBe('');
});
afterAll(() => emu?.stop());

describe('Container Analysis routes in enforce mode', () => {
  const paths = () => [
    `/v1/projects/${P}/occurrences`,
    `/v1/projects/${P}/locations/${L}/occurrences`,
    `/v1/projects/${P}/occurrences:vulnerabilitySummary`,
    `/v1/projects/${P}/occurrences/${occurrence}`,
    `/v1/projects/${P}/occurrences/${occurrence}/notes`,
  ];

  it('allows roles/containeranalysis.occurrences.viewer and roles/viewer', async () => {
    for (const who of ['caviewer', 'viewer', 'owner']) {
      for (const path of paths()) expect((await call('GET', path, tokens[who])).status, `${who} ${path}`).toBe(200);
    }
  });

  it('denies roles/artifactregistry.reader with the permission named, and asks an anonymous caller to authenticate', async () => {
    const list = await call('GET', `/v1/projects/${P}/occurrences`, tokens.reader);
    expect(list.status).toBe(403);
    expect(((await list.json()) as { error: { message: string } }).error.message).toContain('containeranalysis.occurrences.list');
    const one = await call('GET', `/v1/projects/${P}/occurrences/${occurrence}`, tokens.reader);
    expect(one.status).toBe(403);
    expect(((await one.json()) as { error: { message: string } }).error.message).toContain('containeranalysis.occurrences.get');
    for (const path of paths()) expect((await call('GET', path)).status, path).toBe(401);
  });

  it("lets any signed-in caller read the provider projects' notes", async () => {
    expect((await call('GET', '/v1/projects/goog-vulnz/notes/GHSA-35jh-r3h4-6jhm', tokens.reader)).status).toBe(200);
    expect((await call('GET', '/v1/projects/goog-analysis/notes/PACKAGE_VULNERABILITY', tokens.reader)).status).toBe(200);
    expect((await call('GET', '/v1/projects/goog-vulnz/notes/GHSA-35jh-r3h4-6jhm')).status).toBe(401);
    expect((await call('GET', `/v1/projects/${P}/notes/anything`, tokens.reader)).status).toBe(403);
  });
});
