// IAM in enforce mode with real clients: docker login with every username form, a reader's push denied with
// the real text and a writer's accepted, anonymous pulls of a public repository (and not of a private one),
// the credential helper, and google-auth-library with an issued key file driving the Node client.
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { GoogleAuth } from 'google-auth-library';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDockerDaemon, type DockerDaemon } from '../../support/clients/docker-daemon.js';
import { writeRootfsTar } from '../../support/clients/images.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { CommandError, run } from '../../support/clients/run.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const P = 'test-project';
const SA = (id: string) => `${id}@${P}.iam.gserviceaccount.com`;
const BIN = new URL('../../../bin/', import.meta.url).pathname;

describeWithClients(['dockerd', 'docker'], 'IAM enforce mode with docker, the credential helper and the Node client', () => {
  let emu: TestEmulator;
  let daemon: DockerDaemon;
  let work = '';
  let env: Record<string, string | undefined> = {};
  const keys: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  const api = async (method: string, path: string, body?: unknown, token = tokens.owner) => {
    const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const docker = (args: string[], input?: string) => run('docker', args, { env, ...(input ? { input } : {}) });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err instanceof CommandError ? `${err.stdout}${err.stderr}` : String(err);
    }
    throw new Error('expected the command to fail');
  };
  const image = (repo: string, tag: string) => `${emu.registryHost}/${P}/${repo}/app:${tag}`;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-iam-'));
    emu = await startEmulator({ iam: 'enforce' });
    tokens.owner = String((await api('POST', '/_emulator/iam/tokens', { principal: 'user:owner@ar-emulator.local' }, '')).accessToken);
    for (const repo of ['private', 'public']) await api('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=${repo}`, { format: 'DOCKER' });
    for (const id of ['ci-reader', 'ci-writer']) {
      await api('POST', `/v1/projects/${P}/serviceAccounts`, { accountId: id });
      const key = await api('POST', `/v1/projects/${P}/serviceAccounts/${SA(id)}/keys`, {});
      keys[id] = Buffer.from(String(key.privateKeyData), 'base64').toString();
      tokens[id] = String((await api('POST', '/_emulator/iam/tokens', { principal: `serviceAccount:${SA(id)}` }, '')).accessToken);
    }
    const bindings = [
      { role: 'roles/artifactregistry.reader', members: [`serviceAccount:${SA('ci-reader')}`] },
      { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${SA('ci-writer')}`] },
    ];
    await api('POST', `/v1/projects/${P}/locations/us-central1/repositories/private:setIamPolicy`, { policy: { bindings } });
    await api('POST', `/v1/projects/${P}/locations/us-central1/repositories/public:setIamPolicy`, {
      policy: { bindings: [...bindings, { role: 'roles/artifactregistry.reader', members: ['allUsers'] }] },
    });
    // the credential helper on the docker CLI's PATH, under the name docker looks for
    const binDir = join(work, 'bin');
    await mkdir(binDir);
    await symlink(join(BIN, 'docker-credential-ar-emulator.mjs'), join(binDir, 'docker-credential-ar-emulator'));
    daemon = await startDockerDaemon();
    env = { ...daemon.env, PATH: `${binDir}:${process.env.PATH}` };
    const tar = await writeRootfsTar(work, 'rootfs.tar', { 'hello.txt': 'iam\n' });
    for (const repo of ['private', 'public']) await docker(['import', tar, image(repo, 'v1')]);
  });

  afterAll(async () => {
    await daemon?.stop();
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('docker login accepts oauth2accesstoken, _json_key, _json_key_base64 and _dcgcloud_token', async () => {
    const forms: Array<[string, string]> = [
      ['oauth2accesstoken', tokens['ci-writer']!],
      ['_json_key', keys['ci-writer']!],
      ['_json_key_base64', Buffer.from(keys['ci-writer']!).toString('base64')],
      ['_dcgcloud_token', tokens['ci-writer']!],
    ];
    for (const [user, password] of forms) {
      const { stdout } = await docker(['login', emu.registryHost, '-u', user, '--password-stdin'], password);
      expect(stdout).toContain('Login Succeeded');
    }
    const bad = await failure(docker(['login', emu.registryHost, '-u', 'oauth2accesstoken', '--password-stdin'], 'ya29.not-valid'));
    expect(bad).toMatch(/unauthorized|401/i);
  });

  it('denies a reader\'s push with the real text, and accepts a writer\'s', async () => {
    await docker(['login', emu.registryHost, '-u', 'oauth2accesstoken', '--password-stdin'], tokens['ci-reader']);
    const denied = await failure(docker(['push', image('private', 'v1')]));
    expect(denied).toContain(`denied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/${P}/locations/us-central1/repositories/private" (or it may not exist)`);
    await docker(['login', emu.registryHost, '-u', 'oauth2accesstoken', '--password-stdin'], tokens['ci-writer']);
    await docker(['push', image('private', 'v1')]);
    await docker(['push', image('public', 'v1')]);
  });

  it('lets anyone pull from a repository where allUsers reads, and nobody anonymous from a private one', async () => {
    await docker(['logout', emu.registryHost]);
    await docker(['rmi', image('public', 'v1'), image('private', 'v1')]);
    await docker(['pull', image('public', 'v1')]);
    const denied = await failure(docker(['pull', image('private', 'v1')]));
    expect(denied).toMatch(/Unauthenticated request|denied|unauthorized/);
  });

  it('round-trips credentials through docker-credential-ar-emulator and configure-docker', async () => {
    const helper = await run(join(BIN, 'docker-credential-ar-emulator.mjs'), ['get'], { input: emu.registryHost, env: { AR_EMULATOR_PRINCIPAL: `serviceAccount:${SA('ci-writer')}` } });
    expect(JSON.parse(helper.stdout)).toMatchObject({ ServerURL: emu.registryHost, Username: 'oauth2accesstoken', Secret: expect.stringMatching(/^ya29\./) });
    await writeFile(join(env.DOCKER_CONFIG!, 'config.json'), JSON.stringify({ auths: {}, credHelpers: { 'other.example': 'gcloud' } }));
    await run(process.execPath, [join(BIN, 'ar-emulator.mjs'), 'configure-docker', '--endpoint', emu.registryHost], { env });
    const config = JSON.parse((await run('cat', [join(env.DOCKER_CONFIG!, 'config.json')])).stdout) as { credHelpers: Record<string, string> };
    expect(config.credHelpers).toMatchObject({ 'other.example': 'gcloud', [emu.registryHost]: 'ar-emulator' });
    env = { ...env, AR_EMULATOR_PRINCIPAL: `serviceAccount:${SA('ci-writer')}` };
    await docker(['tag', image('public', 'v1'), image('private', 'via-helper')]);
    await docker(['push', image('private', 'via-helper')]);
  });

  it('google-auth-library with an issued key file gets tokens, and the Node client is allowed or denied by role', async () => {
    for (const [id, canDelete] of [['ci-reader', false], ['ci-writer', false]] as const) {
      const auth = new GoogleAuth({ credentials: JSON.parse(keys[id]!), scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
      const client = new ArtifactRegistryClient({ fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: emu.emulator.port, auth } as never);
      try {
        const [repo] = await client.getRepository({ name: `projects/${P}/locations/us-central1/repositories/private` });
        expect(repo.name).toMatch(/private$/);
        const err = await client.deleteRepository({ name: `projects/${P}/locations/us-central1/repositories/private` }).then(() => undefined, (e: { code?: number; status?: number }) => e);
        expect(Boolean(err)).toBe(!canDelete);
        expect(Number(err?.code ?? err?.status)).toBe(403);
      } finally {
        await client.close();
      }
    }
  });

  it('checks gRPC calls too: anonymous is UNAUTHENTICATED, a reader may read but not delete', async () => {
    const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
    const name = `projects/${P}/locations/us-central1/repositories/private`;
    const as = (token: string) => ({ otherArgs: { headers: { authorization: `Bearer ${token}` } } });
    try {
      const anonymous = await client.getRepository({ name }).then(() => undefined, (e: { code: number }) => e);
      expect(anonymous?.code).toBe(16);
      const [repo] = await client.getRepository({ name }, as(tokens['ci-reader']!));
      expect(repo.name).toBe(name);
      const denied = await client.deleteRepository({ name }, as(tokens['ci-reader']!)).then(() => undefined, (e: { code: number; details: string }) => e);
      expect(denied?.code).toBe(7);
      expect(denied?.details).toContain("Permission 'artifactregistry.repositories.delete' denied on resource");
    } finally {
      await client.close();
    }
  });
});
