// A PYTHON repository under IAM enforce mode, with twine and pip: anonymous requests get a Basic challenge,
// a reader installs with oauth2accesstoken or _json_key_base64 credentials in the index URL but cannot upload
// (twine shows the 403 and the real denial text), a writer uploads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDemoDist, makeVenv, pip, PYTHON_CLIENTS, twineUpload, type DemoDist } from '../../support/clients/python.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { CommandError } from '../../support/clients/run.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const P = 'test-project';
const SA = (id: string) => `${id}@${P}.iam.gserviceaccount.com`;
const REPO = `projects/${P}/locations/us-central1/repositories/private`;

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CommandError) return `${err.stdout}${err.stderr}`.replace(/\s+/g, ' ');
    throw err;
  }
  throw new Error('expected the command to fail');
}

describeWithClients(PYTHON_CLIENTS, 'a PYTHON repository under IAM enforce mode with twine and pip', () => {
  let emu: TestEmulator;
  let work = '';
  let dist: DemoDist;
  let venvPip = '';
  const tokens: Record<string, string> = {};
  const keys: Record<string, string> = {};
  const upload = () => `${emu.url}/${P}/private/`;
  const index = (user: string, password: string) => `${emu.url.replace('://', `://${user}:${encodeURIComponent(password)}@`)}/${P}/private/simple/`;

  const api = async (method: string, path: string, body?: unknown, token = tokens.owner) => {
    const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-python-iam-'));
    emu = await startEmulator({ iam: 'enforce' });
    tokens.owner = String((await api('POST', '/_emulator/iam/tokens', { principal: 'user:owner@ar-emulator.local' }, '')).accessToken);
    await api('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=private`, { format: 'PYTHON' });
    for (const id of ['py-reader', 'py-writer']) {
      await api('POST', `/v1/projects/${P}/serviceAccounts`, { accountId: id });
      const key = await api('POST', `/v1/projects/${P}/serviceAccounts/${SA(id)}/keys`, {});
      keys[id] = String(key.privateKeyData);
      tokens[id] = String((await api('POST', '/_emulator/iam/tokens', { principal: `serviceAccount:${SA(id)}` }, '')).accessToken);
    }
    await api('POST', `/v1/${REPO}:setIamPolicy`, {
      policy: {
        bindings: [
          { role: 'roles/artifactregistry.reader', members: [`serviceAccount:${SA('py-reader')}`] },
          { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${SA('py-writer')}`] },
        ],
      },
    });
    dist = await buildDemoDist(join(work, 'src'), { name: 'guarded', module: 'guarded', version: '2.0' });
    venvPip = (await makeVenv(join(work, 'venv'))).pip;
  });
  afterAll(async () => {
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('challenges an anonymous request with Basic, in the PyPI dialect', async () => {
    const res = await fetch(`${emu.url}/${P}/private/simple/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    expect(res.statusText).toContain('Unauthenticated request');
  });

  it('refuses a reader\'s twine upload with 403 and the real denial text', async () => {
    const text = await failure(twineUpload(upload(), [dist.wheel], { password: tokens['py-reader']! }));
    expect(text).toContain('403 Forbidden');
    expect(text).toContain(`Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "${REPO}" (or it may not exist)`);
  });

  it('accepts a writer\'s twine upload', async () => {
    const out = await twineUpload(upload(), [dist.wheel, dist.sdist], { password: tokens['py-writer']! });
    expect(out.stdout + out.stderr).toContain(`Uploading ${basename(dist.sdist)}`);
  });

  it('lets a reader install with oauth2accesstoken or _json_key_base64 in the index URL', async () => {
    const viaToken = await pip(venvPip, ['download', '--no-deps', '-d', join(work, 'dl1'), '--index-url', index('oauth2accesstoken', tokens['py-reader']!), 'guarded==2.0']);
    expect(viaToken.stdout).toContain('Saved');
    const viaKey = await pip(venvPip, ['install', '--index-url', index('_json_key_base64', keys['py-reader']!), 'guarded==2.0']);
    expect(viaKey.stdout).toContain('Successfully installed guarded-2.0');
  });

  it('fails pip without credentials cleanly under --no-input', async () => {
    const text = await failure(pip(venvPip, ['download', '--no-deps', '-d', join(work, 'dl2'), '--index-url', `${emu.url}/${P}/private/simple/`, 'guarded==2.0']));
    expect(text).toMatch(/401|No matching distribution found for guarded==2\.0/);
  });
});
