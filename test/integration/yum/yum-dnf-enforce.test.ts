// dnf against a YUM repository under --iam=enforce: librepo sends the .repo file's username/password only after a
// 401 with a Basic challenge (clients REPORT §10); a reader's token as the password installs the package, no
// credentials fail with dnf's "Cannot download repomd.xml".
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { buildRpm } from './rpm-fixtures.js';

const run = promisify(execFile);
const REPO = `projects/${P}/locations/us-central1/repositories/private`;
const SA = `serviceAccount:sa-reader@${P}.iam.gserviceaccount.com`;

describeWithClients(['dnf', 'rpmbuild', 'rpm'], 'dnf install from a YUM repository under enforce', () => {
  let emu: TestEmulator;
  let dir: string;
  const tokens: Record<string, string> = {};
  const call = async (method: string, path: string, token: string | undefined, body?: string | Buffer, type = 'application/json') => {
    const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body !== undefined ? { body } : {}) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };

  beforeAll(async () => {
    emu = await startEmulator({ iam: 'enforce', grpcPort: false });
    dir = await mkdtemp(join(tmpdir(), 'are-yum-enforce-'));
    const mint = async (principal: string) => ((await (await call('POST', '/_emulator/iam/tokens', undefined, JSON.stringify({ principal }))).json()) as { accessToken: string }).accessToken;
    tokens.owner = await mint('user:owner@ar-emulator.local');
    await call('POST', `/v1/projects/${P}/serviceAccounts`, undefined, JSON.stringify({ accountId: 'sa-reader' }));
    tokens.reader = await mint(SA);
    await call('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=private`, tokens.owner, JSON.stringify({ format: 'YUM' }));
    await call('POST', `/v1/${REPO}:setIamPolicy`, tokens.owner, JSON.stringify({ policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [SA] }] } }));
    const rpm = await readFile(await buildRpm(dir, { name: 'private-tool', version: '3.1' }));
    await call('POST', `/upload/v1/${REPO}/yumArtifacts:create?uploadType=media`, tokens.owner, rpm, 'application/x-rpm');
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const dnf = async (root: string, auth: string[]) => {
    const base = join(dir, root);
    await mkdir(join(base, 'repos.d'), { recursive: true });
    const baseurl = `${emu.url}/projects/${P}/private`;
    await writeFile(join(base, 'dnf.conf'), ['[main]', `reposdir=${base}/repos.d`, `cachedir=${base}/cache`, `logdir=${base}/log`, `persistdir=${base}/persist`, 'gpgcheck=0', ''].join('\n'));
    await writeFile(join(base, 'repos.d', 'private.repo'), ['[private]', 'name=private', `baseurl=${baseurl}`, 'gpgcheck=0', 'repo_gpgcheck=0', ...auth, ''].join('\n'));
    return run('dnf', ['-y', `--config=${base}/dnf.conf`, '--releasever=12', `--installroot=${base}/root`, '--repo=private', 'install', 'private-tool'], { timeout: 240_000 });
  };

  it('installs with a reader token as the repository password', async () => {
    await dnf('ok', ['username=oauth2accesstoken', `password=${tokens.reader}`]);
    const { stdout } = await run('rpm', ['--root', join(dir, 'ok', 'root'), '-q', 'private-tool']);
    expect(stdout.trim()).toBe('private-tool-3.1-1.noarch');
  }, 300_000);

  it('fails without credentials', async () => {
    const err = await dnf('anon', []).then(() => undefined, (e: Error & { stderr?: string }) => e);
    expect(err?.stderr ?? '').toMatch(/401|Cannot download repomd\.xml|Failed to download metadata/);
  }, 300_000);
});
