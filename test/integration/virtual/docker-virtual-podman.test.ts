// podman pull through a Docker virtual repository over a standard member and a remote member (Debian's
// docker-registry upstream): real tar layers, unpacked by podman. The internal image wins its name at the higher
// priority; a public-only image comes through the remote member, its layer streamed on the first fetch.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createContainersEnv, type ContainersEnv } from '../../support/clients/containers.js';
import { podmanClient, type ImageClient } from '../../support/clients/image-clients.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { createTar } from '../../support/clients/tar.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { startDistribution, type Distribution } from './distribution.js';
import { pushImage } from './push-image.js';

const name = (id: string) => `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${id}`;

describeWithClients(['docker-registry', 'podman'], 'podman pull through a Docker virtual repository', () => {
  let upstream: Distribution;
  let emu: TestEmulator;
  let containers: ContainersEnv;
  let podman: ImageClient;
  let internalDigest: string;
  let publicAppDigest: string;
  let publicOnlyDigest: string;

  const createRepo = async (id: string, body: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${id}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'DOCKER', ...body }),
    });
    expect(res.status, await res.text()).toBe(200);
  };
  const ref = (image: string) => `${emu.registryHost}/${TEST_PROJECT}/all/${image}:v1`;

  beforeAll(async () => {
    upstream = await startDistribution();
    publicAppDigest = (await upstream.push('team/app', 'v1', createTar({ 'hello.txt': 'public app\n' }))).manifest;
    publicOnlyDigest = (await upstream.push('team/public', 'v1', createTar({ 'hello.txt': 'public only\n', 'big.bin': Buffer.alloc(3 << 20, 7) }))).manifest;
    emu = await startEmulator();
    containers = await createContainersEnv();
    podman = podmanClient(containers.env, containers.root);
    await createRepo('internal', {});
    await createRepo('hub', { mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: upstream.url } } } });
    internalDigest = (await pushImage(emu.url, `${TEST_PROJECT}/internal/team/app`, 'v1', 'internal', {}, createTar({ 'hello.txt': 'internal app\n' }))).manifest;
    await createRepo('all', {
      mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'hub', repository: name('hub'), priority: 1 }, { id: 'internal', repository: name('internal'), priority: 2 }] },
    });
  }, 60_000);
  afterAll(async () => {
    await containers?.cleanup();
    await emu?.stop();
    await upstream?.stop();
  });

  it('pulls the internal image of a shadowed name, and a public-only image through the remote member', async () => {
    await podman.pull(ref('team/app'));
    const app = await podman.repoDigests(ref('team/app'));
    expect(app.some((d) => d.endsWith(`@${internalDigest}`))).toBe(true);
    expect(app.some((d) => d.endsWith(`@${publicAppDigest}`))).toBe(false);
    await podman.pull(ref('team/public'));
    expect((await podman.repoDigests(ref('team/public'))).some((d) => d.endsWith(`@${publicOnlyDigest}`))).toBe(true);
    // the remote member asked its upstream for the manifest once (the access log is written after each response)
    await expect.poll(() => upstream.requests('GET /v2/team/public/manifests/v1')).toBe(1);
    expect(await upstream.requests('GET /v2/team/app/manifests/v1')).toBe(0);
  }, 120_000);
});
