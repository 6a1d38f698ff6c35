// A Docker virtual repository in enforce mode: the caller needs downloadArtifacts on the virtual repository
// itself; a member in the virtual repository's project is read by its service agent, a member in another project
// stays invisible until that project grants the agent (serviceAgentOf) a role with readViaVirtualRepository.
// skopeo inspect with the caller's token, as a reader would pull.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceAgentOf } from '../../../emulator/iam/guard.js';
import { createContainersEnv, type ContainersEnv } from '../../support/clients/containers.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { pushImage } from './push-image.js';

const OTHER = 'other-project';
const name = (id: string, project = TEST_PROJECT) => `projects/${project}/locations/${TEST_LOCATION}/repositories/${id}`;
const READER = `serviceAccount:sa-reader@${TEST_PROJECT}.iam.gserviceaccount.com`;

describeWithClients(['skopeo'], 'Docker virtual repository in enforce mode', () => {
  let emu: TestEmulator;
  let containers: ContainersEnv;
  const tokens: Record<string, string> = {};
  const call = async (method: string, path: string, body?: unknown, token = tokens.owner) => {
    const res = await fetch(`${emu.url}${path}`, {
      method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const inspect = (image: string, token: string) =>
    run('skopeo', ['inspect', '--tls-verify=false', '--registry-token', token, `docker://${emu.registryHost}/${TEST_PROJECT}/vdocker/${image}`], { env: containers.env });
  const manifestStatus = async (image: string, token: string) =>
    (await fetch(`${emu.url}/v2/${TEST_PROJECT}/vdocker/${image}/manifests/v1`, { headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.oci.image.manifest.v1+json' } })).status;

  beforeAll(async () => {
    emu = await startEmulator({ iam: 'enforce' });
    containers = await createContainersEnv();
    tokens.owner = String((await call('POST', '/_emulator/iam/tokens', { principal: 'user:owner@ar-emulator.local' }, '')).accessToken);
    for (const id of ['sa-reader', 'sa-nobody']) await call('POST', `/v1/projects/${TEST_PROJECT}/serviceAccounts`, { accountId: id });
    tokens.reader = String((await call('POST', '/_emulator/iam/tokens', { principal: READER })).accessToken);
    tokens.nobody = String((await call('POST', '/_emulator/iam/tokens', { principal: `serviceAccount:sa-nobody@${TEST_PROJECT}.iam.gserviceaccount.com` })).accessToken);
    await call('POST', `/v1/projects/${OTHER}/locations/${TEST_LOCATION}/repositories?repositoryId=theirs`, { format: 'DOCKER' });
    await call('POST', `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=mine`, { format: 'DOCKER' });
    await pushImage(emu.url, `${OTHER}/theirs/app`, 'v1', 'theirs', { authorization: `Bearer ${tokens.owner}` });
    await pushImage(emu.url, `${TEST_PROJECT}/mine/tool`, 'v1', 'mine', { authorization: `Bearer ${tokens.owner}` });
    await call('POST', `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=vdocker`, {
      format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'theirs', repository: name('theirs', OTHER), priority: 10 }, { id: 'mine', repository: name('mine'), priority: 5 }] },
    });
    // the reader may read the virtual repository only (not the members)
    await call('POST', `/v1/${name('vdocker')}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [READER] }] } });
  }, 60_000);
  afterAll(async () => {
    await containers?.cleanup();
    await emu?.stop();
  });

  it('refuses a caller without downloadArtifacts on the virtual repository', async () => {
    expect(await manifestStatus('tool', tokens.nobody!)).toBe(403);
  });

  it('reads a member of its own project through the service agent, not the caller', async () => {
    const out = await inspect('tool:v1', tokens.reader!);
    expect(JSON.parse(out.stdout).Digest).toMatch(/^sha256:/);
  }, 30_000);

  it('names no package of a member the service agent cannot read in the dependency-confusion warning', async () => {
    await call('POST', `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=hub`, {
      format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: 'http://127.0.0.1:9' } } },
    });
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=vrisky`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.owner}` },
      body: JSON.stringify({ format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY', virtualRepositoryConfig: { upstreamPolicies: [{ id: 'hub', repository: name('hub'), priority: 10 }, { id: 'theirs', repository: name('theirs', OTHER), priority: 5 }] } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('warning')).toBeNull();
  });

  it('keeps a member of another project invisible until it grants the service agent', async () => {
    expect(await manifestStatus('app', tokens.reader!)).toBe(404);
    await expect(inspect('app:v1', tokens.reader!)).rejects.toThrow();
    await call('POST', `/v1/${name('theirs', OTHER)}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [serviceAgentOf(TEST_PROJECT)] }] } });
    expect(await manifestStatus('app', tokens.reader!)).toBe(200);
    const out = await inspect('app:v1', tokens.reader!);
    expect(JSON.parse(out.stdout).Digest).toMatch(/^sha256:/);
    // and now that reads would ask it, the warning names its packages
    const w = (await call('GET', `/_emulator/warnings?repository=${name('vrisky')}`)) as { warnings: Array<{ packages: string[] }> };
    expect(w.warnings.map((x) => x.packages)).toEqual([['app']]);
    // the caller still cannot read the member directly
    expect((await fetch(`${emu.url}/v2/${OTHER}/theirs/app/manifests/v1`, { headers: { authorization: `Bearer ${tokens.reader}` } })).status).toBe(403);
  }, 30_000);
});
