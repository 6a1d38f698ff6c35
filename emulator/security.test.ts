// IAM over HTTP in enforce mode: service accounts and key files, tokens, the registry's token endpoint and
// challenge, role-based decisions with the real denial texts, testIamPermissions per role, bad credentials,
// and no secret in the logs or the event feed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './core/clock.js';
import { createLineLogger } from './core/logger.js';
import { startEmulator, type TestEmulator } from '../test/support/emulator.js';
import { sha256 } from '../test/support/registry.js';

let emu: TestEmulator;
const logLines: string[] = [];
const feed: string[] = [];
const P = 'test-project';
const REPO = `/v1/projects/${P}/locations/us-central1/repositories`;
let owner = '';
const clock = new ManualClock(Date.now());

const http = (method: string, path: string, opts: { token?: string; basic?: string; body?: unknown; form?: string } = {}) =>
  fetch(`${emu.url}${path}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.basic ? { authorization: `Basic ${Buffer.from(opts.basic).toString('base64')}` } : {}),
      ...(opts.form ? { 'content-type': 'application/x-www-form-urlencoded' } : { 'content-type': 'application/json' }),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : opts.form ? { body: opts.form } : {}),
  });
const mint = async (principal: string, ttlSeconds?: number) =>
  ((await (await http('POST', '/_emulator/iam/tokens', { body: { principal, ...(ttlSeconds ? { ttlSeconds } : {}) } })).json()) as { accessToken: string }).accessToken;

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce', clock, logger: createLineLogger({ level: 'debug', sink: (l) => logLines.push(l) }) });
  emu.emulator.events.onAny((e) => void feed.push(JSON.stringify(e)));
  owner = await mint('user:owner@ar-emulator.local');
  for (const r of ['private', 'public']) expect((await http('POST', `${REPO}?repositoryId=${r}`, { token: owner, body: { format: 'DOCKER' } })).status).toBe(200);
  await http('POST', `${REPO}/public:setIamPolicy`, { token: owner, body: { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: ['allUsers'] }] } } });
});
afterAll(() => emu.stop());

describe('createServiceAccount', () => {
  it('creates service accounts at the IAM API path, refusing duplicates', async () => {
    const res = await http('POST', `/v1/projects/${P}/serviceAccounts`, { body: { accountId: 'ci-reader', serviceAccount: { displayName: 'CI' } } });
    expect(await res.json()).toMatchObject({ email: `ci-reader@${P}.iam.gserviceaccount.com`, name: `projects/${P}/serviceAccounts/ci-reader@${P}.iam.gserviceaccount.com` });
    expect((await http('POST', `/v1/projects/${P}/serviceAccounts`, { body: { accountId: 'ci-reader' } })).status).toBe(409);
    expect((await http('POST', `/v1/projects/${P}/serviceAccounts`, { body: { accountId: 'X' } })).status).toBe(400);
  });
});

describe('listServiceAccounts', () => {
  it('lists the project\'s accounts', async () => {
    const body = (await (await http('GET', `/v1/projects/${P}/serviceAccounts`)).json()) as { accounts: Array<{ email: string }> };
    expect(body.accounts.map((a) => a.email)).toContain(`ci-reader@${P}.iam.gserviceaccount.com`);
  });
});

describe('createServiceAccountKey', () => {
  it('issues a key file in Google\'s format whose token_uri is this emulator', async () => {
    const res = await http('POST', `/v1/projects/${P}/serviceAccounts/ci-reader@${P}.iam.gserviceaccount.com/keys`, { body: {} });
    const body = (await res.json()) as { privateKeyData: string };
    const file = JSON.parse(Buffer.from(body.privateKeyData, 'base64').toString()) as Record<string, string>;
    expect(Object.keys(file)).toEqual(expect.arrayContaining(['type', 'project_id', 'private_key_id', 'private_key', 'client_email', 'token_uri']));
    expect(file.type).toBe('service_account');
    expect(file.token_uri).toBe(`${emu.url}/token`);
  });
});

describe('setProjectIamPolicy', () => {
  it('binds project roles that apply to every repository', async () => {
    await http('POST', `/v1/projects/${P}/serviceAccounts`, { body: { accountId: 'ci-writer' } });
    const res = await http('POST', `/v1/projects/${P}:setIamPolicy`, { body: { policy: { bindings: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:ci-writer@${P}.iam.gserviceaccount.com`] }] } } });
    expect(res.status).toBe(200);
  });
});

describe('getProjectIamPolicy', () => {
  it('returns the project policy', async () => {
    const body = (await (await http('POST', `/v1/projects/${P}:getIamPolicy`, { body: {} })).json()) as { bindings: Array<{ role: string }> };
    expect(body.bindings[0]!.role).toBe('roles/artifactregistry.writer');
  });
});

describe('getToken', () => {
  it('challenges anonymous requests with the Bearer realm, as the real service does', async () => {
    const res = await http('GET', `/v2/${P}/private/app/manifests/v1`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="http://${new URL(emu.url).host}/v2/token",service="${new URL(emu.url).host}",scope="repository:${P}/private/app:pull"`);
  });

  it('issues an anonymous token for a public repository and refuses one for a private repository', async () => {
    expect((await http('GET', `/v2/token?service=x&scope=repository:${P}/public/app:pull`)).status).toBe(200);
    const denied = await http('GET', `/v2/token?service=x&scope=repository:${P}/private/app:pull`);
    expect(denied.status).toBe(403);
    expect(JSON.stringify(await denied.json())).toContain(`Unauthenticated request. Unauthenticated requests do not have permission \\"artifactregistry.repositories.downloadArtifacts\\" on resource \\"projects/${P}/locations/us-central1/repositories/private\\" (or it may not exist)`);
  });

  it('accepts every username form Artifact Registry accepts', async () => {
    const key = (await (await http('POST', `/v1/projects/${P}/serviceAccounts/ci-writer@${P}.iam.gserviceaccount.com/keys`, { body: {} })).json()) as { privateKeyData: string };
    const json = Buffer.from(key.privateKeyData, 'base64').toString();
    const token = await mint(`serviceAccount:ci-writer@${P}.iam.gserviceaccount.com`);
    for (const basic of [`oauth2accesstoken:${token}`, `_dcgcloud_token:${token}`, `_json_key:${json}`, `_json_key_base64:${Buffer.from(json).toString('base64')}`]) {
      const res = await http('GET', `/v2/token?service=x&scope=repository:${P}/private/app:push,pull`, { basic });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ token: expect.stringMatching(/^ya29\./), access_token: expect.any(String), expires_in: 3600 });
    }
  });

  it('refuses bad credentials with 401 and a clear reason', async () => {
    const good = await mint(`serviceAccount:ci-writer@${P}.iam.gserviceaccount.com`);
    const cases: Array<[string, RegExp]> = [
      [`oauth2accesstoken:${good.slice(0, -3)}AAA`, /tampered/],
      ['oauth2accesstoken:not-a-token', /not valid/],
      ['_json_key:{"private_key_id":"nope"}', /not issued by this emulator/],
    ];
    for (const [basic, reason] of cases) {
      const res = await http('GET', '/v2/token?service=x', { basic });
      expect(res.status).toBe(401);
      expect(await res.text()).toMatch(reason);
    }
    const malformed = await fetch(`${emu.url}/v2/token`, { headers: { authorization: 'Basic !!!' } });
    expect(malformed.status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const short = await mint(`serviceAccount:ci-writer@${P}.iam.gserviceaccount.com`, 60);
    clock.advance(61_000);
    const res = await http('GET', `/v2/${P}/private/app/tags/list`, { token: short });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/expired/);
  });
});

describe('postToken', () => {
  it('answers containerd\'s OAuth2 password grant', async () => {
    const token = await mint(`serviceAccount:ci-writer@${P}.iam.gserviceaccount.com`);
    const res = await http('POST', '/v2/token', { form: `grant_type=password&username=oauth2accesstoken&password=${token}&scope=repository:${P}/private/app:pull&service=x` });
    expect(res.status).toBe(200);
  });
});

describe('role decisions', () => {
  it('denies a reader\'s push with the real text and allows a writer\'s', async () => {
    await http('POST', `${REPO}/private:setIamPolicy`, { token: owner, body: { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [`serviceAccount:ci-reader@${P}.iam.gserviceaccount.com`] }] } } });
    const reader = await mint(`serviceAccount:ci-reader@${P}.iam.gserviceaccount.com`);
    const writer = await mint(`serviceAccount:ci-writer@${P}.iam.gserviceaccount.com`);
    const denied = await http('POST', `/v2/${P}/private/app/blobs/uploads/`, { token: reader });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ errors: [{ code: 'DENIED', message: `Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/${P}/locations/us-central1/repositories/private" (or it may not exist)` }] });
    const allowed = await fetch(`${emu.url}/v2/${P}/private/app/blobs/uploads/?digest=${sha256('x')}`, { method: 'POST', body: 'x', headers: { authorization: `Bearer ${writer}` } });
    expect(allowed.status).toBe(201);
    expect(feed.some((e) => e.includes('policy.violated') && e.includes('uploadArtifacts'))).toBe(true);
  });

  it('answers REST denials in the REST wording', async () => {
    const reader = await mint(`serviceAccount:ci-reader@${P}.iam.gserviceaccount.com`);
    const res = await http('DELETE', `${REPO}/private`, { token: reader });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      `Permission 'artifactregistry.repositories.delete' denied on resource '//artifactregistry.googleapis.com/projects/${P}/locations/us-central1/repositories/private' (or it may not exist).`,
    );
  });

  it('answers testIamPermissions with exactly what the caller holds', async () => {
    const reader = await mint(`serviceAccount:ci-reader@${P}.iam.gserviceaccount.com`);
    const res = await http('POST', `${REPO}/private:testIamPermissions`, { token: reader, body: { permissions: ['artifactregistry.repositories.downloadArtifacts', 'artifactregistry.repositories.uploadArtifacts'] } });
    expect(await res.json()).toEqual({ permissions: ['artifactregistry.repositories.downloadArtifacts'] });
  });
});

describe('secrets', () => {
  it('never appear in the logs or the event feed', async () => {
    await new Promise((r) => setImmediate(r));
    const tokens = [owner];
    const text = `${logLines.join('\n')}\n${feed.join('\n')}`;
    for (const t of tokens) expect(text).not.toContain(t);
    expect(text).not.toMatch(/ya29\.emu\.|PRIVATE KEY|_json_key:/);
  });
});

describe('testIamPermissions per predefined role', () => {
  it('returns exactly the subset of every Artifact Registry permission each role holds', async () => {
    const { PREDEFINED_ROLES, permissionsOfRole } = await import('./iam/roles.js');
    const { PERMISSIONS } = await import('./iam/permissions.js');
    await http('POST', `${REPO}?repositoryId=roles`, { token: owner, body: { format: 'DOCKER' } });
    await http('POST', `/v1/projects/${P}/serviceAccounts`, { body: { accountId: 'role-probe' } });
    const probe = await mint(`serviceAccount:role-probe@${P}.iam.gserviceaccount.com`);
    for (const role of PREDEFINED_ROLES) {
      const set = await http('POST', `${REPO}/roles:setIamPolicy`, { token: owner, body: { policy: { bindings: [{ role: role.name, members: [`serviceAccount:role-probe@${P}.iam.gserviceaccount.com`] }] } } });
      expect(set.status).toBe(200);
      const res = await http('POST', `${REPO}/roles:testIamPermissions`, { token: probe, body: { permissions: [...PERMISSIONS] } });
      const held = ((await res.json()) as { permissions?: string[] }).permissions ?? [];
      expect({ role: role.name, held }).toEqual({ role: role.name, held: PERMISSIONS.filter((p) => permissionsOfRole(role.name).has(p)) });
    }
  });
});

describe('self-signed JWTs', () => {
  it('accepts one signed with an issued key, and refuses wrong-audience, wrong-key and unknown-kid ones', async () => {
    const { SignJWT, importPKCS8, generateKeyPair } = await import('jose');
    await http('POST', `/v1/projects/${P}/serviceAccounts`, { body: { accountId: 'jwt-signer' } });
    const email = `jwt-signer@${P}.iam.gserviceaccount.com`;
    const key = (await (await http('POST', `/v1/projects/${P}/serviceAccounts/${email}/keys`, { body: {} })).json()) as { privateKeyData: string };
    const file = JSON.parse(Buffer.from(key.privateKeyData, 'base64').toString()) as { private_key: string; private_key_id: string };
    const now = Math.floor(clock.now().getTime() / 1000);
    const sign = async (aud: string, privateKey: Parameters<InstanceType<typeof SignJWT>['sign']>[0], kid = file.private_key_id) =>
      new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(email).setSubject(email).setAudience(aud).setIssuedAt(now).setExpirationTime(now + 3600).sign(privateKey);
    const issued = await importPKCS8(file.private_key, 'RS256');
    const good = await sign('https://artifactregistry.googleapis.com/', issued);
    expect((await http('GET', `${REPO}/private`, { token: good })).status).not.toBe(401);
    const wrongAudience = await http('GET', `${REPO}/private`, { token: await sign('https://storage.googleapis.com/', issued) });
    expect(wrongAudience.status).toBe(401);
    expect(await wrongAudience.text()).toMatch(/audience/);
    const other = await generateKeyPair('RS256');
    const wrongKey = await http('GET', `${REPO}/private`, { token: await sign('https://artifactregistry.googleapis.com/', other.privateKey) });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.text()).toMatch(/signature or claims are invalid/);
    const unknownKid = await http('GET', `${REPO}/private`, { token: await sign('https://artifactregistry.googleapis.com/', other.privateKey, 'f'.repeat(40)) });
    expect(await unknownKid.text()).toMatch(/unknown kid/);
  });

  it('refuses a token for a principal it does not know', async () => {
    const res = await http('POST', '/_emulator/iam/tokens', { body: { principal: `serviceAccount:ghost@${P}.iam.gserviceaccount.com` } });
    expect(res.status).toBe(401);
  });
});
