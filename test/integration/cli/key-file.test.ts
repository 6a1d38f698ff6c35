// What the README promises about issued key files and the CLI's start errors: a key file gives an access
// token through `auth print-access-token --key-file` (google-auth-library 10 sends its own token requests
// to Google whatever token_uri says, so the CLI does the exchange), google-auth-library's self-signed JWT
// path is accepted as is, and a taken port suggests --port 0.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JWT } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorProcesses, type EmulatorProcess } from '../../support/process.js';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;
const P = 'key-file-project';
const SA = `ci-keyfile@${P}.iam.gserviceaccount.com`;
const procs = new EmulatorProcesses();
let dir: string;
let emu: EmulatorProcess;
let keyFile: string;

async function api(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'are-keyfile-'));
  emu = await procs.start({ dataDir: join(dir, 'data'), args: ['--iam', 'enforce', '--project', P] });
  const owner = await api('POST', '/_emulator/iam/tokens', {});
  const token = String(owner.body.accessToken);
  expect((await api('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=r`, { format: 'DOCKER' }, token)).status).toBe(200);
  expect((await api('POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'ci-keyfile' }, token)).status).toBe(200);
  const key = await api('POST', `/v1/projects/${P}/serviceAccounts/${SA}/keys`, {}, token);
  keyFile = join(dir, 'key.json');
  await writeFile(keyFile, Buffer.from(String(key.body.privateKeyData), 'base64'));
  const policy = { bindings: [{ role: 'roles/artifactregistry.reader', members: [`serviceAccount:${SA}`] }] };
  expect((await api('POST', `/v1/projects/${P}/locations/us-central1/repositories/r:setIamPolicy`, { policy }, token)).status).toBe(200);
});

afterAll(async () => {
  await procs.killAll();
  await rm(dir, { recursive: true, force: true });
});

describe('issued key files', () => {
  it('auth print-access-token --key-file exchanges the key for a token that acts as the service account', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'auth', 'print-access-token', '--key-file', keyFile, '--endpoint', `127.0.0.1:${emu.port}`]);
    const token = stdout.trim();
    expect(token).toMatch(/^ya29\./);
    expect((await api('GET', `/v1/projects/${P}/locations/us-central1/repositories/r`, undefined, token)).status).toBe(200);
    const denied = await api('DELETE', `/v1/projects/${P}/locations/us-central1/repositories/r`, undefined, token);
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).toContain(`artifactregistry.repositories.delete`);
  });

  it('refuses a file that is not a key file, with the reason', async () => {
    const bad = join(dir, 'not-a-key.json');
    await writeFile(bad, '{"type":"authorized_user"}');
    const err = await promisify(execFile)(process.execPath, [BIN, 'auth', 'print-access-token', '--key-file', bad, '--endpoint', `127.0.0.1:${emu.port}`]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(/not a service-account key file/);
  });

  it("google-auth-library's self-signed JWT (useJWTAccessWithScope, as the Google client libraries set it) is accepted", async () => {
    const jwt = new JWT({ keyFile, scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    jwt.fromJSON(JSON.parse(await readFile(keyFile, 'utf8')) as Record<string, string>);
    jwt.useJWTAccessWithScope = true;
    const headers = await jwt.getRequestHeaders(`${emu.url}/`);
    const authorization = headers.get('authorization')!;
    expect(authorization).toMatch(/^Bearer /);
    const res = await fetch(`${emu.url}/v1/projects/${P}/locations/us-central1/repositories/r`, { headers: { authorization } });
    expect(res.status).toBe(200);
  });
});

describe('ar-emulator start on a taken port', () => {
  it('fails with exit 1 and suggests --port 0', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await procs.runToExit({ dataDir: join(dir, 'data2'), args: ['--port', String(port)] });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/EADDRINUSE|address already in use/i);
      expect(run.stderr).toContain('--port 0');
    } finally {
      server.close();
    }
  });
});
