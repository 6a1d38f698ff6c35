// Docker virtual repositories driven by skopeo over a standard member and a remote member whose upstream is
// Debian's docker-registry: per-image resolution (the first member holding an image answers for every tag of
// it), the larger priority first, blobs from the member holding them, shadowing reported at read, writes refused.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/core/events.js';
import { createContainersEnv, type ContainersEnv } from '../../support/clients/containers.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { startDistribution, type Distribution } from './distribution.js';
import { pushImage, type PushedImage } from './push-image.js';

const name = (id: string) => `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${id}`;
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

describeWithClients(['docker-registry', 'skopeo'], 'Docker virtual repository over a standard and a remote member', () => {
  let upstream: Distribution;
  let emu: TestEmulator;
  let containers: ContainersEnv;
  let internal: PushedImage;
  let publicApp: { manifest: string; layer: string };
  let publicOnly: { manifest: string; layer: string };
  const shadowing: Array<EmulatorEvent<'virtual.shadowing'>> = [];

  const createRepo = async (id: string, body: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${id}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'DOCKER', ...body }),
    });
    expect(res.status, await res.text()).toBe(200);
  };
  const virtual = (id: string, policies: Array<[string, number]>) =>
    createRepo(id, { mode: 'VIRTUAL_REPOSITORY', virtualRepositoryConfig: { upstreamPolicies: policies.map(([repo, priority]) => ({ id: repo, repository: name(repo), priority })) } });
  /** skopeo copy of PROJECT/REPO/IMAGE:TAG into a dir: layout; the single layer's bytes */
  const copyLayer = async (repo: string, image: string, tag: string, layer: string) => {
    const out = join(containers.root, `copy-${repo}-${image.replace(/\//g, '_')}-${tag}`);
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${emu.registryHost}/${TEST_PROJECT}/${repo}/${image}:${tag}`, `dir:${out}`], { env: containers.env });
    return readFile(join(out, layer.slice('sha256:'.length)), 'utf8');
  };

  beforeAll(async () => {
    upstream = await startDistribution();
    publicApp = await upstream.push('team/app', 'v1', 'public app layer');
    await upstream.push('team/app', 'v2', 'public app v2 layer');
    publicOnly = await upstream.push('team/public', 'v1', 'public only layer');
    emu = await startEmulator();
    emu.emulator.events.on('virtual.shadowing', (e) => void shadowing.push(e));
    containers = await createContainersEnv();
    await createRepo('internal', {});
    await createRepo('hub', { mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: upstream.url } } } });
    internal = await pushImage(emu.url, `${TEST_PROJECT}/internal/team/app`, 'v1', 'internal app layer');
    await pushImage(emu.url, `${TEST_PROJECT}/internal/team/tool`, 'v1', 'internal tool layer');
    await virtual('safe', [['hub', 5], ['internal', 10]]);
    await virtual('risky', [['hub', 10], ['internal', 5]]);
  }, 60_000);
  afterAll(async () => {
    await containers?.cleanup();
    await emu?.stop();
    await upstream?.stop();
  });

  it('serves an image the standard member holds from it when it has the larger priority (skopeo copy)', async () => {
    expect(await copyLayer('safe', 'team/app', 'v1', internal.layer)).toBe(`layer of internal app layer\n`);
    // every tag of the image comes from that member: the upstream's v2 is shadowed
    const v2 = await fetch(`${emu.url}/v2/${TEST_PROJECT}/safe/team/app/manifests/v2`, { headers: { accept: ACCEPT } });
    expect(v2.status).toBe(404);
    expect(((await v2.json()) as { errors: Array<{ code: string; message: string }> }).errors[0]).toMatchObject({ code: 'MANIFEST_UNKNOWN', message: expect.stringContaining(`/v2/${TEST_PROJECT}/safe/team/app/manifests/v2`) });
    const tags = await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${emu.registryHost}/${TEST_PROJECT}/safe/team/app`], { env: containers.env });
    expect(JSON.parse(tags.stdout).Tags).toEqual(['v1']);
    expect(shadowing.filter((e) => e.data.when === 'read')).toEqual([]);
  }, 60_000);

  it('serves an image only the remote member has through its upstream, and caches it there', async () => {
    expect(await copyLayer('safe', 'team/public', 'v1', publicOnly.layer)).toBe('public only layer');
    const cached = (await (await fetch(`${emu.url}/v1/${name('hub')}/packages`)).json()) as { packages?: Array<{ name: string }> };
    expect(cached.packages?.map((p) => p.name)).toEqual([`${name('hub')}/packages/team%2Fpublic`]);
    // the virtual repository itself lists nothing
    expect(await (await fetch(`${emu.url}/v1/${name('safe')}/packages`)).json()).toEqual({});
  }, 60_000);

  it('lets a remote member with the larger priority shadow the standard one, and says so in the feed', async () => {
    shadowing.length = 0;
    expect(await copyLayer('risky', 'team/app', 'v1', publicApp.layer)).toBe('public app layer');
    await expect.poll(() => shadowing.filter((e) => e.data.when === 'read').length).toBeGreaterThan(0);
    expect(shadowing.find((e) => e.data.when === 'read')!.data).toMatchObject({ repository: name('risky'), remote: name('hub'), standard: name('internal'), packages: ['team/app'] });
    // an image the upstream lacks falls through to the standard member
    expect(await copyLayer('risky', 'team/tool', 'v1', (await manifestLayer('internal', 'team/tool', 'v1'))!)).toBe('layer of internal tool layer\n');
  }, 60_000);

  it('serves a blob by digest from the member holding it', async () => {
    const res = await fetch(`${emu.url}/v2/${TEST_PROJECT}/safe/team/app/blobs/${internal.layer}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('layer of internal app layer\n');
    expect((await fetch(`${emu.url}/v2/${TEST_PROJECT}/safe/team/app/blobs/sha256:${'0'.repeat(64)}`)).status).toBe(404);
  });

  it('refuses writes with 405 UNSUPPORTED (HTTP and skopeo)', async () => {
    const start = await fetch(`${emu.url}/v2/${TEST_PROJECT}/safe/team/app/blobs/uploads/`, { method: 'POST' });
    expect(start.status).toBe(405);
    const body = (await start.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors[0]).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/is a virtual repository: it is read-only/) });
    expect((await fetch(`${emu.url}/v2/${TEST_PROJECT}/safe/team/app/manifests/v1`, { method: 'DELETE' })).status).toBe(405);
    const src = join(containers.root, 'copy-safe-team_app-v1');
    await expect(run('skopeo', ['copy', '--dest-tls-verify=false', `dir:${src}`, `docker://${emu.registryHost}/${TEST_PROJECT}/safe/team/pushed:v1`], { env: containers.env })).rejects.toThrow();
  }, 60_000);

  it('asks the next member when a remote member cannot reach its upstream, and says UNAVAILABLE when none answers', async () => {
    await upstream.stop();
    const tool = await fetch(`${emu.url}/v2/${TEST_PROJECT}/risky/team/tool/manifests/v1`, { headers: { accept: ACCEPT } });
    expect(tool.status).toBe(200);
    // the image the remote member cached still comes from it
    expect((await fetch(`${emu.url}/v2/${TEST_PROJECT}/risky/team/app/manifests/${publicApp.manifest}`, { headers: { accept: ACCEPT } })).status).toBe(200);
    const nowhere = await fetch(`${emu.url}/v2/${TEST_PROJECT}/risky/team/nowhere/manifests/v1`, { headers: { accept: ACCEPT } });
    expect(nowhere.status).toBe(503);
    expect(((await nowhere.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('UNAVAILABLE');
  });

  async function manifestLayer(repo: string, image: string, tag: string): Promise<string | undefined> {
    const m = (await (await fetch(`${emu.url}/v2/${TEST_PROJECT}/${repo}/${image}/manifests/${tag}`, { headers: { accept: ACCEPT } })).json()) as { layers?: Array<{ digest: string }> };
    return m.layers?.[0]?.digest;
  }
});
