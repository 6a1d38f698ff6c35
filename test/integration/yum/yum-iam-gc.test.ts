// YUM under --iam=enforce: repodata and packages need downloadArtifacts (an anonymous read is 401 with a Basic
// challenge, as librepo needs before it sends credentials), yumArtifacts:create needs yumartifacts.create (a
// reader is denied, a writer uploads); garbage collection keeps the rpm, its fragments and the served repodata.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRpm } from '../../support/rpm-builder.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${P}/locations/us-central1/repositories/yum`;
const SA = (id: string) => `serviceAccount:${id}@${P}.iam.gserviceaccount.com`;
let emu: TestEmulator;
const tokens: Record<string, string> = {};

const call = (method: string, path: string, token?: string, init: { body?: string | Buffer; headers?: Record<string, string> } = {}) =>
  fetch(`${emu.url}${path}`, { method, headers: { ...(init.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(init.body !== undefined ? { body: init.body } : {}) });
const ok = async (res: Promise<Response>) => {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.status} ${await r.text()}`);
  return r;
};
const upload = (token: string, bytes: Buffer) => call('POST', `/upload/v1/${REPO}/yumArtifacts:create?uploadType=media`, token, { body: bytes, headers: { 'content-type': 'application/x-rpm' } });
const basic = (token: string) => `Basic ${Buffer.from(`oauth2accesstoken:${token}`).toString('base64')}`;

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce', grpcPort: false });
  const json = { 'content-type': 'application/json' };
  const mint = async (principal: string) => ((await (await ok(call('POST', '/_emulator/iam/tokens', undefined, { body: JSON.stringify({ principal }), headers: json }))).json()) as { accessToken: string }).accessToken;
  tokens.owner = await mint('user:owner@ar-emulator.local');
  for (const id of ['reader', 'writer']) {
    await ok(call('POST', `/v1/projects/${P}/serviceAccounts`, undefined, { body: JSON.stringify({ accountId: `sa-${id}` }), headers: json }));
    tokens[id] = await mint(SA(`sa-${id}`));
  }
  await ok(call('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=yum`, tokens.owner, { body: JSON.stringify({ format: 'YUM' }), headers: json }));
  await ok(call('POST', `/v1/${REPO}:setIamPolicy`, tokens.owner, {
    body: JSON.stringify({ policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [SA('sa-reader')] }, { role: 'roles/artifactregistry.writer', members: [SA('sa-writer')] }] } }), headers: json,
  }));
});
afterAll(() => emu?.stop());

describe('YUM under enforce', () => {
  it('denies a reader an upload and lets a writer upload', async () => {
    const denied = await upload(tokens.reader!, syntheticRpm({ name: 'secure', version: '1' }));
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { status: string; message: string } }).error).toMatchObject({ status: 'PERMISSION_DENIED', message: expect.stringMatching(/yumartifacts\.create/) });
    expect((await upload(tokens.writer!, syntheticRpm({ name: 'secure', version: '1' }))).status).toBe(200);
  });

  it('challenges an anonymous repomd.xml read with Basic and serves it to a reader with Basic credentials', async () => {
    const anon = await call('GET', `/projects/${P}/yum/repodata/repomd.xml`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic /);
    const read = await fetch(`${emu.url}/projects/${P}/yum/repodata/repomd.xml`, { headers: { authorization: basic(tokens.reader!) } });
    expect(read.status).toBe(200);
    expect(await read.text()).toContain('<repomd');
    expect((await fetch(`${emu.url}/projects/${P}/yum/Packages/s/secure-1-1.noarch.rpm`)).status).toBe(401);
    expect((await fetch(`${emu.url}/projects/${P}/yum/Packages/s/secure-1-1.noarch.rpm`, { headers: { authorization: basic(tokens.reader!) } })).status).toBe(200);
  });

  it('keeps the rpm, its fragments and the served repodata through garbage collection', async () => {
    const repomd = await (await fetch(`${emu.url}/projects/${P}/yum/repodata/repomd.xml`, { headers: { authorization: basic(tokens.reader!) } })).text();
    await ok(call('POST', '/_emulator/gc', tokens.owner));
    for (const href of [...repomd.matchAll(/<location href="([^"]+)"/g)].map((m) => m[1]!)) {
      expect((await fetch(`${emu.url}/projects/${P}/yum/${href}`, { headers: { authorization: basic(tokens.reader!) } })).status, href).toBe(200);
    }
    expect((await fetch(`${emu.url}/projects/${P}/yum/Packages/s/secure-1-1.noarch.rpm`, { headers: { authorization: basic(tokens.reader!) } })).status).toBe(200);
    // a change after the collection still assembles from the kept fragments
    expect((await upload(tokens.writer!, syntheticRpm({ name: 'second', version: '1' }))).status).toBe(200);
    const next = await (await fetch(`${emu.url}/projects/${P}/yum/repodata/repomd.xml`, { headers: { authorization: basic(tokens.reader!) } })).text();
    expect(next).not.toBe(repomd);
  });
});
