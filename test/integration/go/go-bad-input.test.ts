// Bad Go input over HTTP: uploads that x/mod/zip or the go command would refuse (a zip slip, a go.mod naming
// another module, declared sizes over the limits, a bad version or major-version suffix, not a zip, an upload to a
// remote repository) are INVALID_ARGUMENT / FAILED_PRECONDITION and store nothing; module paths with traversal or
// bad escapes in GOPROXY URLs are 404 with a plain-text reason, never a 500. Then IAM under enforce: the go
// command's anonymous reads need allUsers, the upload needs uploadArtifacts; garbage collection keeps the served
// blobs.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { libraryFiles, moduleZip, uploadZip } from './go-client.js';

const M = 'example.com/bad';
const PARENT = (repo: string) => `projects/${P}/locations/${TEST_LOCATION}/repositories/${repo}`;

/** Rewrites the central directory's uncompressed size of the entry named `name`. */
function declareSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = out.length - 46; i >= 0; i--) {
    if (out.readUInt32LE(i) !== 0x02014b50) continue;
    const len = out.readUInt16LE(i + 28);
    if (out.subarray(i + 46, i + 46 + len).toString() === name) {
      out.writeUInt32LE(size, i + 24);
      return out;
    }
  }
  throw new Error(`no entry ${name}`);
}

/** A GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Go bad input', () => {
  let emu: TestEmulator;
  const errorOf = async (res: Response) => ({ http: res.status, ...((await res.json()) as { error: { status: string; message: string } }).error });
  const nothingStored = async () => {
    const pkgs = (await (await fetch(`${emu.url}/v1/${PARENT('go')}/packages`)).json()) as { packages?: unknown[] };
    expect(pkgs.packages ?? []).toEqual([]);
    expect((await fetch(`${emu.url}/${P}/go/${M}/@v/list`)).status).toBe(404);
  };

  beforeAll(async () => {
    emu = await startEmulator({ grpcPort: false });
    await emu.createRepository('go', { format: 'GO' });
  });
  afterAll(() => emu?.stop());

  it('refuses a zip slip entry and stores nothing', async () => {
    const zip = await moduleZip(M, 'v1.0.0', { ...libraryFiles(M, 'v1.0.0'), 'x/zz/zz/evil': 'x' });
    const slip = Buffer.from(zip.toString('latin1').split(`${M}@v1.0.0/x/zz/zz/evil`).join(`${M}@v1.0.0/x/../../evil`), 'latin1');
    const e = await errorOf(await uploadZip(emu.url, PARENT('go'), slip));
    expect(e).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(/x\/\.\.\/\.\.\/evil: file path is not clean/) });
    await nothingStored();
  });

  it('refuses a go.mod that names another module', async () => {
    const e = await errorOf(await uploadZip(emu.url, PARENT('go'), await moduleZip(M, 'v1.0.0', { 'go.mod': 'module example.com/other\n' })));
    expect(e).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(/go.mod has non-example.com\/bad module path "example.com\/other"/) });
    await nothingStored();
  });

  it('refuses declared sizes over the go command limits', async () => {
    const zip = await moduleZip(M, 'v1.0.0', { ...libraryFiles(M, 'v1.0.0'), 'big.bin': 'x' });
    const big = await errorOf(await uploadZip(emu.url, PARENT('go'), declareSize(zip, `${M}@v1.0.0/big.bin`, 0xfffffff0)));
    expect(big.message).toMatch(/total uncompressed size of module contents too large \(max size is 524288000 bytes\)/);
    const mod = await errorOf(await uploadZip(emu.url, PARENT('go'), declareSize(zip, `${M}@v1.0.0/go.mod`, (16 << 20) + 1)));
    expect(mod.message).toMatch(/go.mod file too large/);
    await nothingStored();
  });

  it('refuses bad versions, a wrong major version, case collisions and what is not a zip', async () => {
    const cases: Array<[Buffer, RegExp]> = [
      [await moduleZip(M, 'v1.0', libraryFiles(M, 'v1.0')), /canonical/],
      [await moduleZip(M, 'v2.0.0', libraryFiles(M, 'v2.0.0')), /should be v0 or v1, not v2/],
      [await moduleZip(`${M}/v3`, 'v2.0.0', libraryFiles(`${M}/v3`, 'v2.0.0')), /should be v3, not v2/],
      [await moduleZip(M, 'v1.0.0', { ...libraryFiles(M, 'v1.0.0'), 'A.go': 'package a', 'a.go': 'package a' }), /case-insensitive file name collision/],
      [await moduleZip('localmod', 'v1.0.0', { 'go.mod': 'module localmod\n' }), /missing dot in first path element/],
      [Buffer.from('PK not really a zip'), /not a zip/],
    ];
    for (const [zip, why] of cases) {
      const e = await errorOf(await uploadZip(emu.url, PARENT('go'), zip));
      expect(e, String(why)).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(why) });
    }
    await nothingStored();
  });

  it('refuses uploads to remote repositories and to other formats', async () => {
    const res = await fetch(`${emu.url}/v1/projects/${P}/locations/${TEST_LOCATION}/repositories?repositoryId=go-remote`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'GO', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { commonRepository: { uri: 'http://127.0.0.1:9/' } } }),
    });
    expect(res.status, await res.text()).toBe(200);
    const zip = await moduleZip(M, 'v1.0.0', libraryFiles(M, 'v1.0.0'));
    expect(await errorOf(await uploadZip(emu.url, PARENT('go-remote'), zip))).toMatchObject({ status: 'FAILED_PRECONDITION' });
    await emu.createRepository('npm', { format: 'NPM' });
    expect(await errorOf(await uploadZip(emu.url, PARENT('npm'), zip))).toMatchObject({ status: 'FAILED_PRECONDITION' });
  });

  it('answers malformed module paths and versions in GOPROXY URLs with 404 and a reason, never a 500', async () => {
    for (const path of [
      `/${P}/go/example.com/../../etc/@v/list`, `/${P}/go/example.com/%2e%2e/x/@v/list`, `/${P}/go/example.com/Up/@v/list`,
      `/${P}/go/example.com/x/@v/v1.info`, `/${P}/go/example.com/x/@v/v1.0.0.tar`, `/${P}/go/example.com/%zz/@v/list`, `/${P}/go/@v/list`,
    ]) {
      const r = await rawGet(emu.url, path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).toMatch(/^not found: /);
    }
  });
});

describe('Go under --iam=enforce', () => {
  let emu: TestEmulator;
  const tokens: Record<string, string> = {};
  const json = { 'content-type': 'application/json' };
  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${emu.url}${path}`, { method, headers: { ...json, ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

  beforeAll(async () => {
    emu = await startEmulator({ iam: 'enforce', grpcPort: false });
    const mint = async (principal: string) => ((await (await call('POST', '/_emulator/iam/tokens', undefined, { principal })).json()) as { accessToken: string }).accessToken;
    tokens.owner = await mint('user:owner@ar-emulator.local');
    await call('POST', `/v1/projects/${P}/serviceAccounts`, undefined, { accountId: 'sa-reader' });
    tokens.reader = await mint(`serviceAccount:sa-reader@${P}.iam.gserviceaccount.com`);
    expect((await call('POST', `/v1/projects/${P}/locations/${TEST_LOCATION}/repositories?repositoryId=go`, tokens.owner, { format: 'GO' })).status).toBe(200);
    await call('POST', `/v1/${PARENT('go')}:setIamPolicy`, tokens.owner, { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [`serviceAccount:sa-reader@${P}.iam.gserviceaccount.com`] }] } });
  });
  afterAll(() => emu?.stop());

  it('lets only uploadArtifacts upload, and serves anonymous reads once allUsers may read', async () => {
    const zip = await moduleZip(M, 'v1.0.0', libraryFiles(M, 'v1.0.0'));
    expect((await uploadZip(emu.url, PARENT('go'), zip, { authorization: `Bearer ${tokens.reader}` })).status).toBe(403);
    expect((await uploadZip(emu.url, PARENT('go'), zip, { authorization: `Bearer ${tokens.owner}` })).status).toBe(200);
    const anon = await fetch(`${emu.url}/${P}/go/${M}/@v/list`);
    expect(anon.status).toBe(401);
    expect(await anon.text()).toMatch(/downloadArtifacts|credential|authenticat/i);
    await call('POST', `/v1/${PARENT('go')}:setIamPolicy`, tokens.owner, { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: ['allUsers'] }] } });
    const open = await fetch(`${emu.url}/${P}/go/${M}/@v/list`);
    expect(open.status).toBe(200);
    expect(await open.text()).toBe('v1.0.0\n');
  });

  it('keeps the zip and the go.mod through garbage collection', async () => {
    expect((await call('POST', '/_emulator/gc', tokens.owner)).status).toBe(200);
    expect((await fetch(`${emu.url}/${P}/go/${M}/@v/v1.0.0.mod`)).status).toBe(200);
    const zip = await fetch(`${emu.url}/${P}/go/${M}/@v/v1.0.0.zip`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
  });
});
