// GENERIC uploads under --iam=enforce (genericArtifacts:create needs artifactregistry.repositories.uploadArtifacts,
// spec §1.5: a reader is denied in Google JSON, a writer uploads, also resumably) and garbage collection (an uploaded
// file's blob survives a collection; once files.delete removed it, the next collection takes it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${P}/locations/us-central1/repositories/gen`;
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
const multipart = (meta: unknown, bytes: string) => `--b\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(meta)}\r\n--b\r\n\r\n${bytes}\r\n--b--\r\n`;
const upload = (token: string, meta: unknown, bytes: string) =>
  call('POST', `/upload/v1/${REPO}/genericArtifacts:create?uploadType=multipart`, token, { body: multipart(meta, bytes), headers: { 'content-type': 'multipart/related; boundary=b' } });

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce', grpcPort: false });
  const json = { 'content-type': 'application/json' };
  const mint = async (principal: string) => ((await (await ok(call('POST', '/_emulator/iam/tokens', undefined, { body: JSON.stringify({ principal }), headers: json }))).json()) as { accessToken: string }).accessToken;
  tokens.owner = await mint('user:owner@ar-emulator.local');
  for (const id of ['reader', 'writer']) {
    await ok(call('POST', `/v1/projects/${P}/serviceAccounts`, undefined, { body: JSON.stringify({ accountId: `sa-${id}` }), headers: json }));
    tokens[id] = await mint(SA(`sa-${id}`));
  }
  await ok(call('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=gen`, tokens.owner, { body: JSON.stringify({ format: 'GENERIC' }), headers: json }));
  await ok(call('POST', `/v1/${REPO}:setIamPolicy`, tokens.owner, {
    body: JSON.stringify({ policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [SA('sa-reader')] }, { role: 'roles/artifactregistry.writer', members: [SA('sa-writer')] }] } }), headers: json,
  }));
});
afterAll(() => emu?.stop());

describe('generic uploads under enforce', () => {
  it('denies a reader (multipart and resumable) and lets a writer upload; the reader downloads', async () => {
    const denied = await upload(tokens.reader!, { packageId: 'p', versionId: '1', filename: 'f' }, 'bytes');
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { status: string; message: string } }).error).toMatchObject({ status: 'PERMISSION_DENIED', message: expect.stringMatching(/uploadArtifacts/) });
    const deniedResumable = await call('POST', `/resumable/upload/v1/${REPO}/genericArtifacts:create?uploadType=resumable`, tokens.reader, { body: JSON.stringify({ packageId: 'p', versionId: '1', filename: 'g' }), headers: { 'content-type': 'application/json' } });
    expect(deniedResumable.status).toBe(403);
    expect((await upload(tokens.writer!, { packageId: 'p', versionId: '1', filename: 'f' }, 'bytes')).status).toBe(200);
    const start = await ok(call('POST', `/resumable/upload/v1/${REPO}/genericArtifacts:create?uploadType=resumable`, tokens.writer, { body: JSON.stringify({ packageId: 'p', versionId: '1', filename: 'g' }), headers: { 'content-type': 'application/json' } }));
    const session = start.headers.get('location')!;
    // the session URL is checked as the method is: the reader cannot write to it either
    expect((await fetch(session, { method: 'PUT', headers: { 'content-range': 'bytes 0-2/3', authorization: `Bearer ${tokens.reader}` }, body: 'abc' })).status).toBe(403);
    expect((await fetch(session, { method: 'PUT', headers: { 'content-range': 'bytes 0-2/3', authorization: `Bearer ${tokens.writer}` }, body: 'abc' })).status).toBe(200);
    const down = await call('GET', `/v1/${REPO}/files/p:1:g:download?alt=media`, tokens.reader);
    expect([down.status, await down.text()]).toEqual([200, 'abc']);
  });

  it('keeps an uploaded file through garbage collection, and collects it after files.delete', async () => {
    const gc = async () => (await (await ok(call('POST', '/_emulator/gc', tokens.owner))).json()) as { blobsDeleted: number };
    await gc();
    expect(await (await call('GET', `/v1/${REPO}/files/p:1:f:download?alt=media`, tokens.reader)).text()).toBe('bytes');
    await ok(call('DELETE', `/v1/${REPO}/files/p:1:f`, tokens.owner));
    expect((await gc()).blobsDeleted).toBe(1);
    expect(await (await call('GET', `/v1/${REPO}/files/p:1:g:download?alt=media`, tokens.reader)).text()).toBe('abc');
  });
});
