// `ar-emulator print-settings`: the snippet for an existing repository of the tool's format (the same bytes
// as the dashboard's GET /_emulator/settings), a token line under --iam=enforce (--token, --key-file, or a
// $AR_EMULATOR_TOKEN placeholder with advice on stderr), and clear errors: unknown repository, wrong format,
// unknown tool, no emulator at the endpoint.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;

interface Run { code: number; stdout: string; stderr: string }

async function cli(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ARTIFACT_REGISTRY_EMULATOR_HOST: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('print-settings against an open emulator', () => {
  let emu: TestEmulator;
  let endpoint: string;
  beforeAll(async () => {
    emu = await startEmulator();
    endpoint = emu.registryHost;
    await emu.createRepository('js', { format: 'NPM' });
    await emu.createRepository('py', { format: 'PYTHON' });
    await emu.createRepository('img', { format: 'DOCKER' });
  });
  afterAll(() => emu?.stop());

  it.each([
    ['npm', 'js', ['--scope', '@acme']],
    ['python', 'py', []],
    ['docker', 'img', []],
  ])('prints the %s snippet for %s, byte for byte what the dashboard shows', async (tool, repo, extra) => {
    const run = await cli(['print-settings', tool, '--repository', repo, '--endpoint', endpoint, ...extra]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const q = new URLSearchParams({ project: TEST_PROJECT, location: TEST_LOCATION, repository: repo, iam: 'open', ...(extra[1] ? { scope: extra[1] } : {}) });
    const res = await fetch(`${emu.url}/_emulator/settings/${tool}?${q}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toBe(run.stdout);
    const path = `localhost:${emu.emulator.port}/${TEST_PROJECT}/${repo}/`;
    expect(run.stdout).toContain(tool === 'docker' ? path : `http://${path}`);
  });

  it('takes project and location from the emulator when not given, and says open mode needs no credentials', async () => {
    const run = await cli(['print-settings', 'npm', '--repository', 'js', '--endpoint', endpoint]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`registry=http://localhost:${emu.emulator.port}/${TEST_PROJECT}/js/\n`);
    expect(run.stdout).toContain('# IAM mode open: the emulator needs no credentials');
  });

  it('refuses an unknown repository, naming it', async () => {
    const run = await cli(['print-settings', 'npm', '--repository', 'nope', '--endpoint', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`repository projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/nope not found`);
  });

  it('refuses a repository of another format with gcloud\'s message', async () => {
    const run = await cli(['print-settings', 'npm', '--repository', 'img', '--endpoint', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Invalid repository type DOCKER. Valid type is NPM.');
  });

  it('refuses an unknown tool, a missing --repository and a bad scope', async () => {
    const tool = await cli(['print-settings', 'cargo', '--repository', 'js', '--endpoint', endpoint]);
    expect(tool.code).toBe(2);
    expect(tool.stderr).toContain('unknown print-settings tool "cargo": one of npm, python, docker');
    expect((await cli(['print-settings', 'npm', '--endpoint', endpoint])).stderr).toContain('--repository is required');
    const scope = await cli(['print-settings', 'npm', '--repository', 'js', '--scope', 'acme', '--endpoint', endpoint]);
    expect(scope.code).toBe(1);
    expect(scope.stderr).toContain('Scope name must start with "@"');
  });

  it('answers the dashboard\'s request for an unknown tool or a missing parameter with a 400', async () => {
    const unknown = await fetch(`${emu.url}/_emulator/settings/cargo?project=${TEST_PROJECT}&location=${TEST_LOCATION}&repository=js`);
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('Unknown print-settings tool');
    const missing = await fetch(`${emu.url}/_emulator/settings/npm?project=${TEST_PROJECT}&location=${TEST_LOCATION}`);
    expect(missing.status).toBe(400);
    for (const query of [
      `project=${TEST_PROJECT}&project=x&location=${TEST_LOCATION}&repository=js`,
      `project=${TEST_PROJECT}&location=${TEST_LOCATION}&repository=js%0Aregistry%3Devil`,
      `project=${TEST_PROJECT}&location=${TEST_LOCATION}&repository=js&scope=%40a%0Ab`,
      `project=${TEST_PROJECT}&location=${TEST_LOCATION}&repository=js&iam=maybe`,
      `project=%E0%A4%A&location=${TEST_LOCATION}&repository=${'r'.repeat(5000)}`,
    ]) {
      const res = await fetch(`${emu.url}/_emulator/settings/npm?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
    }
  });

  it('says the emulator is not running when nothing answers at the endpoint', async () => {
    const run = await cli(['print-settings', 'npm', '--repository', 'js', '--endpoint', `127.0.0.1:${await closedPort()}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot reach the emulator at 127\.0\.0\.1:\d+: ECONNREFUSED\. Is it running\? Start it with `ar-emulator start`/);
  });
});

describe('print-settings against an emulator with --iam=enforce', () => {
  const P = 'enforce-project';
  const SA = `ci-settings@${P}.iam.gserviceaccount.com`;
  let emu: TestEmulator;
  let endpoint: string;
  let dir: string;
  let keyFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-print-settings-'));
    emu = await startEmulator({ iam: 'enforce', defaultProject: P });
    endpoint = emu.registryHost;
    const api = async (method: string, path: string, body: unknown, token: string) => {
      const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      const out = (await res.json()) as Record<string, unknown>;
      expect(res.status, `${method} ${path}: ${JSON.stringify(out)}`).toBe(200);
      return out;
    };
    const owner = String((await (await fetch(`${emu.url}/_emulator/iam/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json() as { accessToken: string }).accessToken);
    await api('POST', `/v1/projects/${P}/locations/${TEST_LOCATION}/repositories?repositoryId=js`, { format: 'NPM' }, owner);
    await api('POST', `/v1/projects/${P}/locations/${TEST_LOCATION}/repositories?repositoryId=py`, { format: 'PYTHON' }, owner);
    await api('POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'ci-settings' }, owner);
    const key = await api('POST', `/v1/projects/${P}/serviceAccounts/${SA}/keys`, {}, owner);
    keyFile = join(dir, 'key.json');
    await writeFile(keyFile, Buffer.from(String(key.privateKeyData), 'base64'));
    await api('POST', `/v1/projects/${P}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [`serviceAccount:${SA}`] }] } }, owner);
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints an env-expanded token line for npm without a credential, and says on stderr how to get a token', async () => {
    const run = await cli(['print-settings', 'npm', '--repository', 'js', '--endpoint', endpoint]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`//localhost:${emu.emulator.port}/${P}/js/:_authToken=\${AR_EMULATOR_TOKEN}\n`);
    expect(run.stderr).toContain('export AR_EMULATOR_TOKEN=$(ar-emulator auth print-access-token');
  });

  it('mints a token from --key-file the way auth print-access-token does, and it reads the repository', async () => {
    const run = await cli(['print-settings', 'python', '--repository', 'py', '--endpoint', endpoint, '--key-file', keyFile]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const token = /^password: (ya29\.\S+)$/m.exec(run.stdout)?.[1];
    expect(token).toBeDefined();
    expect(run.stdout).toContain(`index-url = http://oauth2accesstoken:${token}@localhost:${emu.emulator.port}/${P}/py/simple/`);
    const res = await fetch(`${emu.url}/v1/projects/${P}/locations/${TEST_LOCATION}/repositories/py`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('uses a --token as given, and refuses one the emulator rejects', async () => {
    const minted = await cli(['auth', 'print-access-token', '--key-file', keyFile, '--endpoint', endpoint]);
    const token = minted.stdout.trim();
    const run = await cli(['print-settings', 'npm', '--repository', 'js', '--endpoint', endpoint, '--token', token]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`//localhost:${emu.emulator.port}/${P}/js/:_authToken=${token}\n`);
    const bad = await cli(['print-settings', 'npm', '--repository', 'js', '--endpoint', endpoint, '--token', 'ya29.emu.forged.x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot read projects\/enforce-project\/locations\/us-central1\/repositories\/js/);
  });
});
