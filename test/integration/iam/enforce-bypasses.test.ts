// Regression tests for the enforce-mode bypasses of issue 8 item 4: a mount reading a repository the caller
// cannot read, the catalog listing every project, a tag move without tags.update, setIamPolicy accepting any
// shape (and the evaluator then failing), and the admin surface open beyond loopback.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../support/registry.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const P = 'test-project';
const REPOS = `/v1/projects/${P}/locations/us-central1/repositories`;
const SA = (id: string) => `serviceAccount:${id}@${P}.iam.gserviceaccount.com`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let emu: TestEmulator;
const tokens: Record<string, string> = {};

const call = (method: string, path: string, opts: { token?: string | undefined; body?: unknown; raw?: string; type?: string; headers?: Record<string, string> } = {}) =>
  fetch(`${emu.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      'content-type': opts.type ?? 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.headers ?? {}),
    },
    ...(opts.raw !== undefined ? { body: opts.raw } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
const ok = async (res: Promise<Response>) => {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.status} ${await r.text()}`);
  return r;
};
const pushBlob = (name: string, data: string, token = tokens.owner) =>
  ok(call('POST', `/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { token, raw: data, type: 'application/octet-stream' })).then(() => sha256(data));
const manifestOf = async (name: string, layer: string) => {
  const config = await pushBlob(name, '{}');
  const layerDigest = await pushBlob(name, layer);
  return JSON.stringify({
    schemaVersion: 2, mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
  });
};
const putManifest = (name: string, reference: string, body: string, token = tokens.owner) =>
  call('PUT', `/v2/${name}/manifests/${reference}`, { token, raw: body, type: MANIFEST });
const fieldOf = async (res: Response) => {
  const body = (await res.json()) as { error: { status: string; details?: Array<{ fieldViolations?: Array<{ field: string }> }> } };
  return { status: res.status, code: body.error.status, field: body.error.details?.[0]?.fieldViolations?.[0]?.field };
};

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce' });
  const mint = async (principal: string) => ((await (await ok(call('POST', '/_emulator/iam/tokens', { body: { principal } }))).json()) as { accessToken: string }).accessToken;
  tokens.owner = await mint('user:owner@ar-emulator.local');
  for (const id of ['writer', 'migrator', 'nobody', 'projreader']) {
    await ok(call('POST', `/v1/projects/${P}/serviceAccounts`, { body: { accountId: `sa-${id}` } }));
    tokens[id] = await mint(SA(`sa-${id}`));
  }
  for (const r of ['main', 'vault']) await ok(call('POST', `${REPOS}?repositoryId=${r}`, { token: tokens.owner, body: { format: 'DOCKER' } }));
  await ok(call('POST', `/v1/projects/other-project/locations/us-central1/repositories?repositoryId=theirs`, { token: tokens.owner, body: { format: 'DOCKER' } }));
  await ok(call('POST', `${REPOS}/main:setIamPolicy`, {
    token: tokens.owner,
    body: { policy: { bindings: [
      { role: 'roles/artifactregistry.writer', members: [SA('sa-writer')] },
      // uploadArtifacts without tags.update (spec §5.1 matrix, column mig)
      { role: 'roles/artifactregistry.containerRegistryMigrationAdmin', members: [SA('sa-migrator')] },
    ] } },
  }));
  await ok(call('POST', `/v1/projects/${P}:setIamPolicy`, { body: { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [SA('sa-projreader')] }] } } }));
  await pushBlob(`${P}/vault/app`, 'vault-secret');
  await pushBlob(`${P}/main/app`, 'main-layer');
  await ok(putManifest(`other-project/theirs/app`, 'v1', await manifestOf('other-project/theirs/app', 'theirs')));
  await ok(putManifest(`${P}/vault/app`, 'v1', await manifestOf(`${P}/vault/app`, 'vault')));
  await ok(putManifest(`${P}/main/app`, 'v1', await manifestOf(`${P}/main/app`, 'main-a')));
});
afterAll(() => emu?.stop());

describe('cross-repository mount', () => {
  it('starts a normal upload (202) when the caller cannot read the `from` repository, and the blob stays unreadable', async () => {
    const digest = sha256('vault-secret');
    const res = await call('POST', `/v2/${P}/main/app/blobs/uploads/?mount=${digest}&from=${P}/vault/app`, { token: tokens.writer });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toMatch(/\/blobs\/uploads\//);
    expect((await call('GET', `/v2/${P}/main/app/blobs/${digest}`, { token: tokens.writer })).status).toBe(404);
  });

  it('does not mount automatically (no `from`) from repositories the caller cannot read, so existence is not revealed', async () => {
    const existing = await call('POST', `/v2/${P}/main/app/blobs/uploads/?mount=${sha256('vault-secret')}`, { token: tokens.writer });
    const missing = await call('POST', `/v2/${P}/main/app/blobs/uploads/?mount=${sha256('nowhere')}`, { token: tokens.writer });
    expect([existing.status, missing.status]).toEqual([202, 202]);
    expect((await call('GET', `/v2/${P}/main/app/blobs/${sha256('vault-secret')}`, { token: tokens.writer })).status).toBe(404);
  });

  it('still mounts from a repository the caller may read, with and without `from`', async () => {
    const digest = sha256('main-layer');
    expect((await call('POST', `/v2/${P}/main/other/blobs/uploads/?mount=${digest}&from=${P}/main/app`, { token: tokens.writer })).status).toBe(201);
    expect((await call('POST', `/v2/${P}/main/third/blobs/uploads/?mount=${digest}`, { token: tokens.writer })).status).toBe(201);
    expect((await call('POST', `/v2/${P}/main/app/blobs/uploads/?mount=${sha256('vault-secret')}&from=${P}/vault/app`, { token: tokens.owner })).status).toBe(201);
  });
});

describe('catalog', () => {
  const catalog = async (token?: string) => call('GET', '/v2/_catalog', { token });

  it('lists only images of repositories the caller may pull from', async () => {
    expect(await (await catalog(tokens.nobody)).json()).toEqual({ repositories: [] });
    const writer = (await (await catalog(tokens.writer)).json()) as { repositories: string[] };
    expect(writer.repositories.length).toBeGreaterThan(0);
    expect(writer.repositories.every((n) => n.startsWith(`${P}/main/`))).toBe(true);
    const projReader = (await (await catalog(tokens.projreader)).json()) as { repositories: string[] };
    expect(projReader.repositories).toEqual(expect.arrayContaining([`${P}/main/app`, `${P}/vault/app`]));
    expect(projReader.repositories.some((n) => n.startsWith('other-project/'))).toBe(false);
    const owner = (await (await catalog(tokens.owner)).json()) as { repositories: string[] };
    expect(owner.repositories).toContain('other-project/theirs/app');
  });

  it('answers an anonymous caller with the 401 challenge', async () => {
    const res = await catalog();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/[^"]+\/v2\/token",service="[^"]+"$/);
  });
});

describe('tag move on manifest PUT', () => {
  it('needs artifactregistry.tags.update to re-point an existing tag, and leaves the tag where it was when denied', async () => {
    const name = `${P}/main/app`;
    const b = await manifestOf(name, 'main-b');
    const before = (await call('HEAD', `/v2/${name}/manifests/v1`, { token: tokens.owner })).headers.get('docker-content-digest');
    const denied = await putManifest(name, 'v1', b, tokens.migrator);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { errors: Array<{ code: string; message: string }> }).errors[0]).toEqual({
      code: 'DENIED',
      message: `Permission "artifactregistry.tags.update" denied on resource "projects/${P}/locations/us-central1/repositories/main" (or it may not exist)`,
    });
    expect((await call('HEAD', `/v2/${name}/manifests/v1`, { token: tokens.owner })).headers.get('docker-content-digest')).toBe(before);
    expect((await putManifest(name, 'fresh', b, tokens.migrator)).status).toBe(201); // creating a tag is a push
    expect((await putManifest(name, 'fresh', b, tokens.migrator)).status).toBe(201); // same digest: no move
    expect((await putManifest(name, 'v1', b, tokens.writer)).status).toBe(201); // writer holds tags.update
    expect((await call('HEAD', `/v2/${name}/manifests/v1`, { token: tokens.owner })).headers.get('docker-content-digest')).toBe(sha256(b));
  });

  it('cannot move a tag by racing its creation: two concurrent first pushes of one tag, the second is a move', async () => {
    const name = `${P}/main/race`;
    for (let round = 0; round < 20; round++) {
      const [x, y] = [await manifestOf(name, `race-x-${round}`), await manifestOf(name, `race-y-${round}`)];
      const tag = `r${round}`;
      const results = await Promise.all([putManifest(name, tag, x, tokens.migrator), putManifest(name, tag, y, tokens.migrator)]);
      const won = results.filter((r) => r.status === 201);
      // Whichever push created the tag, the other one would move it: without tags.update it must be refused.
      expect(won.length, `round ${round}: ${results.map((r) => r.status).join(', ')}`).toBe(1);
      expect(results.filter((r) => r.status === 403).length).toBe(1);
      const now = (await call('HEAD', `/v2/${name}/manifests/${tag}`, { token: tokens.owner })).headers.get('docker-content-digest');
      expect(now).toBe(won[0]!.headers.get('docker-content-digest'));
    }
  });
});

describe('setIamPolicy shapes', () => {
  const projectPolicy = async () => (await (await ok(call('POST', `/v1/projects/${P}:getIamPolicy`, { body: {} }))).json()) as Record<string, unknown>;

  it.each([
    [{ policy: { bindings: [{ role: 'roles/artifactregistry.reader' }] } }, 'policy.bindings[0].members'],
    [{ policy: { bindings: [null] } }, 'policy.bindings[0]'],
    [{ policy: { bindings: 'x' } }, 'policy.bindings'],
    [{ policy: { bindings: [{ role: 7, members: [] }] } }, 'policy.bindings[0].role'],
    [{ policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [null] }] } }, 'policy.bindings[0].members'],
    [{ policy: { bindingz: [] } }, 'policy'],
    [{ policy: 'x' }, 'policy'],
    [{}, 'policy'],
  ])('refuses project policy %j with 400 naming %s, keeping the policy', async (body, field) => {
    const before = await projectPolicy();
    expect(await fieldOf(await call('POST', `/v1/projects/${P}:setIamPolicy`, { body }))).toEqual({ status: 400, code: 'INVALID_ARGUMENT', field });
    expect(await projectPolicy()).toEqual(before);
    expect((await call('GET', `/v2/${P}/main/app/tags/list`, { token: tokens.projreader })).status).toBe(200);
  });

  it.each([[{ policy: 'x' }], [{}], [{ policy: { bindings: [null] } }], [{ policy: [] }]])('refuses repository policy %j with 400, keeping its bindings', async (body) => {
    const before = await (await ok(call('GET', `${REPOS}/main:getIamPolicy`, { token: tokens.owner }))).json();
    const res = await call('POST', `${REPOS}/main:setIamPolicy`, { token: tokens.owner, body });
    expect((await fieldOf(res)).status).toBe(400);
    expect(await (await ok(call('GET', `${REPOS}/main:getIamPolicy`, { token: tokens.owner }))).json()).toEqual(before);
    expect((await call('GET', `/v2/${P}/main/app/tags/list`, { token: tokens.writer })).status).toBe(200);
  });

  it('refuses the same shapes over gRPC with INVALID_ARGUMENT, keeping the bindings', async () => {
    const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
    const as = { otherArgs: { headers: { authorization: `Bearer ${tokens.owner}` } } };
    const resource = `projects/${P}/locations/us-central1/repositories/main`;
    try {
      const [before] = await client.getIamPolicy({ resource }, as);
      for (const request of [{ resource }, { resource, policy: { bindings: [{ role: 'roles/artifactregistry.reader' }] } }, { resource, policy: { bindings: [{ role: '', members: ['allUsers'] }] } }]) {
        const err = await client.setIamPolicy(request, as).then(() => undefined, (e: { code: number }) => e);
        expect(err?.code).toBe(3);
      }
      const [after] = await client.getIamPolicy({ resource }, as);
      expect(after.bindings).toEqual(before.bindings);
    } finally {
      await client.close();
    }
  });
});

describe('admin surface from loopback', () => {
  // Callers beyond loopback are refused without the admin token: emulator/security-admin.test.ts checks that
  // decision with the socket's remote address set, since these tests send traffic to loopback only.
  it('needs no admin token from loopback, and ignores a wrong one there', async () => {
    for (const headers of [{}, { 'x-emulator-admin-token': 'wrong' }] as Array<Record<string, string>>) {
      const res = await call('POST', '/_emulator/iam/tokens', { body: {}, headers });
      expect(res.status).toBe(200);
    }
    expect((await call('GET', `/v1/projects/${P}/serviceAccounts`)).status).toBe(200);
  });
});
