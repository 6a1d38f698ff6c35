// A MAVEN repository under IAM enforce mode over HTTP: anonymous requests get a Basic challenge (Maven sends its
// credentials on a GET only after one), a reader resolves but cannot deploy (403), a writer deploys, and
// mavenArtifacts needs artifactregistry.mavenartifacts.list.
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const P = 'test-project';
const SA = (id: string) => `${id}@${P}.iam.gserviceaccount.com`;
const REPO = `projects/${P}/locations/us-central1/repositories/private`;
const FILE = 'com/example/lib/1.0/lib-1.0.pom';

let emu: TestEmulator;
const tokens: Record<string, string> = {};
const basic = (token: string) => `Basic ${Buffer.from(`oauth2accesstoken:${token}`).toString('base64')}`;
const api = async (method: string, path: string, body?: unknown, token = tokens.owner) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
};

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce' });
  tokens.owner = String((await api('POST', '/_emulator/iam/tokens', { principal: 'user:owner@ar-emulator.local' }, '')).accessToken);
  await api('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=private`, { format: 'MAVEN' });
  for (const id of ['mvn-reader', 'mvn-writer']) {
    await api('POST', `/v1/projects/${P}/serviceAccounts`, { accountId: id });
    tokens[id] = String((await api('POST', '/_emulator/iam/tokens', { principal: `serviceAccount:${SA(id)}` }, '')).accessToken);
  }
  await api('POST', `/v1/${REPO}:setIamPolicy`, {
    policy: {
      bindings: [
        { role: 'roles/artifactregistry.reader', members: [`serviceAccount:${SA('mvn-reader')}`] },
        { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${SA('mvn-writer')}`] },
      ],
    },
  });
});
afterAll(() => emu.stop());

describe('Maven under enforce', () => {
  it('challenges an anonymous GET and PUT with Basic', async () => {
    const res = await fetch(`${emu.url}/${P}/private/${FILE}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await fetch(`${emu.url}/${P}/private/${FILE}`, { method: 'PUT', body: '<project/>' })).status).toBe(401);
  });

  it('lets a writer deploy and a reader resolve, but not deploy', async () => {
    expect((await fetch(`${emu.url}/${P}/private/${FILE}`, { method: 'PUT', body: '<project/>', headers: { authorization: basic(tokens['mvn-writer']!) } })).status).toBe(201);
    const got = await fetch(`${emu.url}/${P}/private/${FILE}`, { headers: { authorization: basic(tokens['mvn-reader']!) } });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('<project/>');
    const denied = await fetch(`${emu.url}/${P}/private/com/example/lib/1.1/lib-1.1.pom`, { method: 'PUT', body: '<project/>', headers: { authorization: basic(tokens['mvn-reader']!) } });
    expect(denied.status).toBe(403);
    expect((await fetch(`${emu.url}/${P}/private/com/example/lib/1.1/lib-1.1.pom`, { headers: { authorization: basic(tokens.owner!) } })).status).toBe(404);
  });

  it('lists mavenArtifacts for a reader and refuses an anonymous caller', async () => {
    expect((await fetch(`${emu.url}/v1/${REPO}/mavenArtifacts`)).status).toBe(401);
    const list = await api('GET', `/v1/${REPO}/mavenArtifacts`, undefined, tokens['mvn-reader']);
    expect((list.mavenArtifacts as Array<{ name: string }>).map((a) => a.name)).toEqual([`${REPO}/mavenArtifacts/com.example:lib:1.0`]);
  });
});
