// apt-get against an APT repository under --iam=enforce: the signing key is public, the dists and pool paths need
// downloadArtifacts; apt sends auth.conf credentials up front (clients REPORT §9), so a reader's token as the
// password downloads the package, and no credentials fail with apt's 401.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { aptRoot, buildDeb } from './deb-fixtures.js';

const REPO = `projects/${P}/locations/us-central1/repositories/private`;
const SA = `serviceAccount:sa-reader@${P}.iam.gserviceaccount.com`;

describeWithClients(['apt-get', 'dpkg-deb'], 'apt-get from an APT repository under enforce', () => {
  let emu: TestEmulator;
  let dir: string;
  let keyFile: string;
  const tokens: Record<string, string> = {};
  const call = async (method: string, path: string, token: string | undefined, body?: string | Buffer, type = 'application/json') => {
    const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body !== undefined ? { body } : {}) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };

  beforeAll(async () => {
    emu = await startEmulator({ iam: 'enforce', grpcPort: false });
    dir = await mkdtemp(join(tmpdir(), 'are-apt-enforce-'));
    const mint = async (principal: string) => ((await (await call('POST', '/_emulator/iam/tokens', undefined, JSON.stringify({ principal }))).json()) as { accessToken: string }).accessToken;
    tokens.owner = await mint('user:owner@ar-emulator.local');
    await call('POST', `/v1/projects/${P}/serviceAccounts`, undefined, JSON.stringify({ accountId: 'sa-reader' }));
    tokens.reader = await mint(SA);
    await call('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=private`, tokens.owner, JSON.stringify({ format: 'APT' }));
    await call('POST', `/v1/${REPO}:setIamPolicy`, tokens.owner, JSON.stringify({ policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [SA] }] } }));
    const deb = await buildDeb(dir, { name: 'private-tool', version: '3.1' });
    await call('POST', `/upload/v1/${REPO}/aptArtifacts:create?uploadType=media`, tokens.owner, deb, 'application/vnd.debian.binary-package');
    const key = await fetch(`${emu.url}/doc/repo-signing-key.gpg`); // public: no token
    expect(key.status).toBe(200);
    keyFile = join(dir, 'key.gpg');
    await writeFile(keyFile, Buffer.from(await key.arrayBuffer()));
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const line = () => `deb [signed-by=${keyFile}] ${emu.url}/projects/${P} private main`;

  it('downloads with a reader token as the auth.conf password', async () => {
    const apt = await aptRoot(join(dir, 'ok'), line(), `machine ${emu.url}/projects/${P} login oauth2accesstoken password ${tokens.reader}\n`);
    const update = await apt.get(['update']);
    expect(update.code, update.out).toBe(0);
    const dl = await apt.get(['download', 'private-tool']);
    expect(dl.code, dl.out).toBe(0);
    expect(await readdir(join(apt.dir, 'dl'))).toEqual(['private-tool_3.1_all.deb']);
  });

  it('fails without credentials', async () => {
    const apt = await aptRoot(join(dir, 'anon'), line());
    const update = await apt.get(['update']);
    expect(update.out).toMatch(/401/);
    expect(update.code).not.toBe(0);
    expect((await fetch(`${emu.url}/projects/${P}/pool/private/p/private-tool/private-tool_3.1_all.deb`)).status).toBe(401);
  });
});
