// Container Registry hosts (docs/gcr.md, spec §1.11, §5.1): a request whose Host is gcr.io, us.gcr.io, eu.gcr.io
// or asia.gcr.io (with the port) addresses `/v2/PROJECT/IMAGE…` in the repository of that name in us, us, europe,
// asia; a push creates the repository when the caller holds repositories.createOnPush; the project's
// legacyRedirectionState governs whether the hosts are served.
// The HTTP part always runs (a Host header on a plain request). The docker part needs the names to resolve to
// loopback: scripts/install-test-clients.sh adds `127.0.0.1 gcr.io us.gcr.io eu.gcr.io asia.gcr.io` to /etc/hosts;
// without it the part is skipped with the reason (and fails under CI=true).
import { lookup } from 'node:dns/promises';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { startDockerDaemon, type DockerDaemon } from '../../support/clients/docker-daemon.js';
import { describeWithClients, isCi } from '../../support/clients/require-client.js';
import { CommandError, run } from '../../support/clients/run.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { pushImage } from '../virtual/push-image.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request to the emulator with the given Host header (fetch may not set Host). */
function hostRequest(emu: TestEmulator, method: string, path: string, host: string, opts: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  const port = Number(new URL(emu.url).port);
  return new Promise((resolve, reject) => {
    const headers = { host, ...opts.headers, ...(opts.body ? { 'content-length': String(opts.body.length) } : {}) };
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const repositories = async (emu: TestEmulator, location: string): Promise<string[]> =>
  (((await (await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${location}/repositories`)).json()) as { repositories?: Array<{ name: string }> }).repositories ?? []).map((r) => r.name);

describe('gcr.io hosts over HTTP (Host header)', () => {
  let emu: TestEmulator;
  let port: string;
  const events: EmulatorEvent[] = [];

  beforeAll(async () => {
    emu = await startEmulator();
    port = new URL(emu.url).port;
    emu.emulator.events.on('repository.created', (e) => {
      events.push(e);
    });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('answers NAME_UNKNOWN for a pull from a gcr.io repository that does not exist', async () => {
    const res = await hostRequest(emu, 'GET', `/v2/${TEST_PROJECT}/app/manifests/latest`, `gcr.io:${port}`);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ errors: [{ code: 'NAME_UNKNOWN', message: 'Repository "gcr.io" not found' }] });
    expect(await repositories(emu, 'us')).toEqual([]);
  });

  it('creates the repository on the first push in open mode, in the Host\'s multi-region, with the usual event', async () => {
    const started = await hostRequest(emu, 'POST', `/v2/${TEST_PROJECT}/team/app/blobs/uploads/`, `eu.gcr.io:${port}`);
    expect(started.status).toBe(202);
    // the upload URL keeps the client's name: no repository segment
    expect(started.headers.location).toMatch(new RegExp(`^/v2/${TEST_PROJECT}/team/app/blobs/uploads/[0-9a-f-]+$`));
    expect(await repositories(emu, 'europe')).toEqual([`projects/${TEST_PROJECT}/locations/europe/repositories/eu.gcr.io`]);
    const repo = (await (await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/europe/repositories/eu.gcr.io`)).json()) as Record<string, unknown>;
    expect(repo).toMatchObject({ format: 'DOCKER', mode: 'STANDARD_REPOSITORY', registryUri: `eu.gcr.io:${port}/${TEST_PROJECT}` });
    expect(events).toContainEqual(expect.objectContaining({ type: 'repository.created', data: { repository: `projects/${TEST_PROJECT}/locations/europe/repositories/eu.gcr.io`, format: 'DOCKER', mode: 'STANDARD_REPOSITORY' } }));
  });

  it('serves what the pkg.dev path stored under PROJECT/gcr.io/IMAGE at gcr.io/PROJECT/IMAGE, and lists its uri in the gcr.io form', async () => {
    await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/us/repositories?repositoryId=gcr.io`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'DOCKER' }) });
    // the only repository of that name is in us, so the path needs no Host to find it
    const pushed = await pushImage(emu.url, `${TEST_PROJECT}/gcr.io/web`, 'v1', 'via the pkg.dev path');
    const res = await hostRequest(emu, 'HEAD', `/v2/${TEST_PROJECT}/web/manifests/v1`, `gcr.io:${port}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(res.status).toBe(200);
    expect(res.headers['docker-content-digest']).toBe(pushed.manifest);
    const tags = await hostRequest(emu, 'GET', `/v2/${TEST_PROJECT}/web/tags/list`, `gcr.io:${port}`);
    expect(JSON.parse(tags.body)).toEqual({ name: `${TEST_PROJECT}/web`, tags: ['v1'] });
    const images = (await (await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/us/repositories/gcr.io/dockerImages`)).json()) as { dockerImages: Array<{ uri: string }> };
    expect(images.dockerImages.map((i) => i.uri)).toEqual([`gcr.io:${port}/${TEST_PROJECT}/web@${pushed.manifest}`]);
  });

  it('asks for an image name after the project (NAME_INVALID)', async () => {
    const res = await hostRequest(emu, 'POST', `/v2/${TEST_PROJECT}/blobs/uploads/`, `us.gcr.io:${port}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors[0].code).toBe('NAME_INVALID');
  });

  it('refuses every request of a project whose legacyRedirectionState is REDIRECTION_FROM_GCR_IO_DISABLED, and serves it again when enabled', async () => {
    const patch = (state: string) =>
      fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/projectSettings?updateMask=legacyRedirectionState`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ legacyRedirectionState: state }) });
    expect((await patch('REDIRECTION_FROM_GCR_IO_DISABLED')).status).toBe(200);
    const pull = await hostRequest(emu, 'GET', `/v2/${TEST_PROJECT}/web/manifests/v1`, `gcr.io:${port}`);
    expect(pull.status).toBe(403);
    expect(JSON.parse(pull.body).errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringContaining('REDIRECTION_FROM_GCR_IO_DISABLED') });
    const push = await hostRequest(emu, 'POST', `/v2/${TEST_PROJECT}/new/blobs/uploads/`, `asia.gcr.io:${port}`);
    expect(push.status).toBe(403);
    expect(await repositories(emu, 'asia')).toEqual([]);
    expect((await patch('REDIRECTION_FROM_GCR_IO_ENABLED')).status).toBe(200);
    expect((await hostRequest(emu, 'GET', `/v2/${TEST_PROJECT}/web/manifests/v1`, `gcr.io:${port}`)).status).toBe(200);
  });
});

describe('gcr.io create-on-push in enforce mode over HTTP', () => {
  let emu: TestEmulator;
  let port: string;
  const tokens: Record<string, string> = {};
  const sa = (id: string) => `serviceAccount:${id}@${TEST_PROJECT}.iam.gserviceaccount.com`;

  beforeAll(async () => {
    emu = await startEmulator({ iam: 'enforce' });
    port = new URL(emu.url).port;
    tokens.owner = await mint(emu, 'user:owner@ar-emulator.local');
    await grantProjectRoles(emu, tokens.owner, { 'roles/artifactregistry.createOnPushWriter': [sa('sa-cpw')], 'roles/artifactregistry.writer': [sa('sa-writer')] });
    tokens.cpw = await mint(emu, sa('sa-cpw'), tokens.owner);
    tokens.writer = await mint(emu, sa('sa-writer'), tokens.owner);
  }, 60_000);
  afterAll(async () => {
    await emu?.stop();
  });

  it('refuses a plain writer with the createOnPush denial naming the repository, and creates nothing', async () => {
    const res = await hostRequest(emu, 'POST', `/v2/${TEST_PROJECT}/app/blobs/uploads/`, `gcr.io:${port}`, { headers: { authorization: `Bearer ${tokens.writer}` } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({
      errors: [{ code: 'DENIED', message: `Permission "artifactregistry.repositories.createOnPush" denied on resource "projects/${TEST_PROJECT}/locations/us/repositories/gcr.io" (or it may not exist)` }],
    });
  });

  it('creates the repository for a createOnPushWriter, after which the plain writer may push too', async () => {
    const res = await hostRequest(emu, 'POST', `/v2/${TEST_PROJECT}/app/blobs/uploads/`, `gcr.io:${port}`, { headers: { authorization: `Bearer ${tokens.cpw}` } });
    expect(res.status).toBe(202);
    const again = await hostRequest(emu, 'POST', `/v2/${TEST_PROJECT}/app/blobs/uploads/`, `gcr.io:${port}`, { headers: { authorization: `Bearer ${tokens.writer}` } });
    expect(again.status).toBe(202);
  });
});

async function mint(emu: TestEmulator, principal: string, auth?: string): Promise<string> {
  if (principal.startsWith('serviceAccount:')) {
    const accountId = principal.slice('serviceAccount:'.length).split('@')[0]!;
    const created = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/serviceAccounts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify({ accountId }) });
    if (!created.ok) throw new Error(`service account ${accountId}: ${created.status} ${await created.text()}`);
  }
  const res = await fetch(`${emu.url}/_emulator/iam/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, body: JSON.stringify({ principal }) });
  if (!res.ok) throw new Error(`token for ${principal}: ${res.status} ${await res.text()}`);
  return String(((await res.json()) as { accessToken: string }).accessToken);
}

async function grantProjectRoles(emu: TestEmulator, auth: string, roles: Record<string, string[]>): Promise<void> {
  const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}:setIamPolicy`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: JSON.stringify({ policy: { bindings: [...Object.entries(roles).map(([role, members]) => ({ role, members })), { role: 'roles/owner', members: ['user:owner@ar-emulator.local'] }] } }),
  });
  if (!res.ok) throw new Error(`project setIamPolicy: ${res.status} ${await res.text()}`);
}

/** Why the docker part cannot run here, or undefined: every gcr.io host must resolve to loopback. */
async function gcrNamesUnresolved(): Promise<string | undefined> {
  for (const host of ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io']) {
    const address = await lookup(host).then((a) => a.address, () => undefined);
    if (!address?.startsWith('127.')) return `${host} resolves to ${address ?? 'nothing'}, not loopback: add "127.0.0.1 gcr.io us.gcr.io eu.gcr.io asia.gcr.io" to /etc/hosts (scripts/install-test-clients.sh does)`;
  }
  return undefined;
}

describeWithClients(['dockerd', 'docker'], 'docker push to gcr.io:PORT/PROJECT/IMAGE in enforce mode', () => {
  let emu: TestEmulator;
  let daemon: DockerDaemon | undefined;
  let work = '';
  let unresolved: string | undefined;
  const tokens: Record<string, string> = {};
  const sa = (id: string) => `serviceAccount:${id}@${TEST_PROJECT}.iam.gserviceaccount.com`;
  const docker = async (...args: string[]) => (await run('docker', args, { env: daemon?.env })).stdout;

  beforeAll(async () => {
    unresolved = await gcrNamesUnresolved();
    if (unresolved) {
      if (isCi()) throw new Error(`CI=true and ${unresolved}`);
      console.warn(`[skipped] docker push to gcr.io hosts: ${unresolved}`);
      return;
    }
    work = await mkdtemp(join(tmpdir(), 'are-gcr-test-'));
    emu = await startEmulator({ iam: 'enforce' });
    tokens.owner = await mint(emu, 'user:owner@ar-emulator.local');
    await grantProjectRoles(emu, tokens.owner, { 'roles/artifactregistry.createOnPushWriter': [sa('sa-cpw')], 'roles/artifactregistry.writer': [sa('sa-writer')] });
    tokens.cpw = await mint(emu, sa('sa-cpw'), tokens.owner);
    tokens.writer = await mint(emu, sa('sa-writer'), tokens.owner);
    daemon = await startDockerDaemon();
    const context = join(work, 'ctx');
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'hello.txt'), 'pushed to gcr.io\n');
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    await docker('build', '-t', 'gcr-test:v1', context);
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const login = async (token: string, registry: string) => {
    await run('docker', ['login', '-u', 'oauth2accesstoken', '--password-stdin', registry], { env: daemon?.env, input: token });
  };

  it('refuses the push of a plain writer with the createOnPush denial, then creates gcr.io in us for a createOnPushWriter', async (ctx) => {
    if (unresolved) return ctx.skip();
    const registry = `gcr.io:${new URL(emu.url).port}`;
    const image = `${registry}/${TEST_PROJECT}/hello:v1`;
    await docker('tag', 'gcr-test:v1', image);

    await login(tokens.writer!, registry);
    const refused = await docker('push', image).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(CommandError);
    expect((refused as CommandError).stderr).toContain(
      `denied: Permission "artifactregistry.repositories.createOnPush" denied on resource "projects/${TEST_PROJECT}/locations/us/repositories/gcr.io" (or it may not exist)`,
    );
    expect(await repositories(emu, 'us')).toEqual([]);

    await login(tokens.cpw!, registry);
    const out = await docker('push', image);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1];
    expect(digest).toBeDefined();
    const list = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/us/repositories`, { headers: { authorization: `Bearer ${tokens.owner}` } });
    expect(((await list.json()) as { repositories: Array<{ name: string; format: string }> }).repositories).toEqual([
      expect.objectContaining({ name: `projects/${TEST_PROJECT}/locations/us/repositories/gcr.io`, format: 'DOCKER' }),
    ]);
    // and it pulls back by the gcr.io name
    await docker('rmi', image);
    expect(await docker('pull', image)).toContain(`Digest: ${digest}`);
  }, 180_000);
});
