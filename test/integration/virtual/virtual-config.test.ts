// virtualRepositoryConfig over the control plane: validated at create (field violations naming the policy),
// returned exactly over REST and gRPC (the unmodified Node client), replaced by patch, refused outside
// VIRTUAL_REPOSITORY; the dependency-confusion warning at create and patch (event, Warning header, endpoint);
// remoteRepositoryConfig patch (credentials change, the upstream source does not). docs/virtual.md.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { loadProtos } from '../../../emulator/control/grpc/protos.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/core/events.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { pushImage } from './push-image.js';

const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}`;
const name = (id: string, project = TEST_PROJECT, location = TEST_LOCATION) => `projects/${project}/locations/${location}/repositories/${id}`;

describe('virtualRepositoryConfig', () => {
  let emu: TestEmulator;
  let n = 0;
  const shadowing: Array<EmulatorEvent<'virtual.shadowing'>> = [];
  const post = async (id: string, body: Record<string, unknown>, project = TEST_PROJECT, location = TEST_LOCATION) => {
    const res = await fetch(`${emu.url}/v1/projects/${project}/locations/${location}/repositories?repositoryId=${id}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, warning: res.headers.get('warning'), body: (await res.json()) as { error?: { message: string; status: string; details?: Array<{ fieldViolations?: Array<{ field: string }> }> } } };
  };
  const patch = async (id: string, body: Record<string, unknown>, mask: string) => {
    const res = await fetch(`${emu.url}/v1/${name(id)}?updateMask=${mask}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, warning: res.headers.get('warning'), body: (await res.json()) as Record<string, unknown> & { error?: { message: string; details?: Array<{ fieldViolations?: Array<{ field: string }> }> } } };
  };
  const get = async (id: string) => (await (await fetch(`${emu.url}/v1/${name(id)}`)).json()) as Record<string, unknown>;
  const virtual = (upstreamPolicies: unknown, format = 'DOCKER') => post(`v${++n}`, { format, mode: 'VIRTUAL_REPOSITORY', virtualRepositoryConfig: { upstreamPolicies } });
  const field = (b: { error?: { details?: Array<{ fieldViolations?: Array<{ field: string }> }> } }) => b.error?.details?.[0]?.fieldViolations?.[0]?.field;

  beforeAll(async () => {
    emu = await startEmulator();
    emu.emulator.events.on('virtual.shadowing', (e) => void shadowing.push(e));
    await emu.createRepository('internal');
    await emu.createRepository('empty');
    await emu.createRepository('npm-std', { format: 'NPM' });
    await emu.createRepository('elsewhere', { location: 'europe-west1' });
    expect((await post('hub', { format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: 'http://127.0.0.1:9' } } } })).status).toBe(200);
    await pushImage(emu.url, `${TEST_PROJECT}/internal/app`, 'v1');
  });
  afterAll(() => emu?.stop());

  it('round-trips the upstream policies exactly over REST, and lists nothing of its own', async () => {
    const policies = [
      { id: 'internal', repository: name('internal'), priority: 100 },
      { id: 'hub', repository: name('hub'), priority: 1 },
    ];
    const created = await virtual(policies);
    expect(created.status).toBe(200);
    expect(created.warning).toBeNull();
    expect((await get(`v${n}`)).virtualRepositoryConfig).toEqual({ upstreamPolicies: policies });
    expect((await get(`v${n}`)).mode).toBe('VIRTUAL_REPOSITORY');
    const packages = (await (await fetch(`${emu.url}/v1/${name(`v${n}`)}/packages`)).json()) as Record<string, unknown>;
    expect(packages).toEqual({});
  });

  it('reads a priority given as a decimal string or left out (0) as proto3 JSON does, and stores a number', async () => {
    expect((await virtual([{ id: 'a', repository: name('internal'), priority: '12' }, { id: 'b', repository: name('empty') }])).status).toBe(200);
    expect((await get(`v${n}`)).virtualRepositoryConfig).toEqual({ upstreamPolicies: [
      { id: 'a', repository: name('internal'), priority: 12 }, { id: 'b', repository: name('empty'), priority: 0 },
    ] });
  });

  it('round-trips over gRPC with the unmodified Node client', async () => {
    const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
    try {
      const policies = [{ id: 'a', repository: name('internal'), priority: 7 }, { id: 'b', repository: name('empty'), priority: -3 }];
      const [op] = await client.createRepository({ parent: PARENT, repositoryId: 'grpc-virtual', repository: { format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY', virtualRepositoryConfig: { upstreamPolicies: policies } } });
      const [repo] = await op.promise();
      expect(repo.virtualRepositoryConfig?.upstreamPolicies?.map((p) => ({ id: p.id, repository: p.repository, priority: p.priority }))).toEqual(policies);
      const [got] = await client.getRepository({ name: name('grpc-virtual') });
      expect(got.mode).toBe('VIRTUAL_REPOSITORY');
      expect(got.virtualRepositoryConfig?.upstreamPolicies).toHaveLength(2);
      expect((await get('grpc-virtual')).virtualRepositoryConfig).toEqual({ upstreamPolicies: policies });
    } finally {
      await client.close();
    }
  });

  it.each([
    ['a missing id', [{ repository: name('internal'), priority: 1 }], 'upstream_policies[0].id', /should contain id, repository and priority/],
    ['a missing repository', [{ id: 'x', priority: 1 }], 'upstream_policies[0].repository', /should contain id, repository and priority/],
    ['duplicate ids', [{ id: 'x', repository: name('internal'), priority: 1 }, { id: 'x', repository: name('empty'), priority: 2 }], 'upstream_policies[1].id', /unique/],
    ['a repository that is not a full name', [{ id: 'x', repository: 'internal', priority: 1 }], 'upstream_policies[0].repository', /projects\/PROJECT/],
    ['a repository that does not exist', [{ id: 'x', repository: name('nope'), priority: 1 }], 'upstream_policies[0].repository', /not found/],
    ['a repository of another format', [{ id: 'x', repository: name('npm-std'), priority: 1 }], 'upstream_policies[0].repository', /NPM repository/],
    ['a repository in another location', [{ id: 'x', repository: name('elsewhere', TEST_PROJECT, 'europe-west1'), priority: 1 }], 'upstream_policies[0].repository', /location/],
    ['a priority that is not an integer', [{ id: 'x', repository: name('internal'), priority: 1.5 }], 'upstream_policies[0].priority', /integer/],
    ['an unknown key', [{ id: 'x', repository: name('internal'), priority: 1, weight: 2 }], 'upstream_policies[0].weight', /Unknown name/],
    ['too many upstreams', Array.from({ length: 101 }, (_, i) => ({ id: `p${i}`, repository: name('internal'), priority: i })), 'upstream_policies', /at most 100/],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_what, policies, at, message) => {
    const res = await virtual(policies);
    expect(res.status).toBe(400);
    expect(res.body.error?.status).toBe('INVALID_ARGUMENT');
    expect(res.body.error?.message).toMatch(message);
    expect(field(res.body)).toBe(`repository.virtual_repository_config.${at}`);
  });

  it('refuses a virtual member and the repository itself', async () => {
    expect((await virtual([{ id: 'a', repository: name('internal'), priority: 1 }])).status).toBe(200);
    const inner = `v${n}`;
    const res = await virtual([{ id: 'a', repository: name(inner), priority: 1 }]);
    expect(res.body.error?.message).toMatch(/is a virtual repository/);
    const self = await post('selfish', { format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY', virtualRepositoryConfig: { upstreamPolicies: [{ id: 'me', repository: name('selfish'), priority: 1 }] } });
    expect(self.body.error?.message).toMatch(/its own upstream/);
  });

  it('refuses virtualRepositoryConfig on a standard repository and remoteRepositoryConfig on a virtual one', async () => {
    const std = await post('std-with-virtual', { format: 'DOCKER', virtualRepositoryConfig: { upstreamPolicies: [] } });
    expect(std.status).toBe(400);
    expect(field(std.body)).toBe('repository.virtual_repository_config');
    const v = await post('virtual-with-remote', { format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { publicRepository: 'DOCKER_HUB' } } });
    expect(v.status).toBe(400);
    expect(field(v.body)).toBe('repository.remote_repository_config');
    expect((await patch('internal', { virtualRepositoryConfig: { upstreamPolicies: [] } }, 'virtualRepositoryConfig')).status).toBe(400);
  });

  it('warns at create when a remote member outranks a standard one holding packages: event, Warning header, endpoint', async () => {
    shadowing.length = 0;
    const res = await post('risky', {
      format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'hub', repository: name('hub'), priority: 10 }, { id: 'internal', repository: name('internal'), priority: 5 }, { id: 'empty', repository: name('empty'), priority: 1 }] },
    });
    expect(res.status).toBe(200);
    expect(res.warning).toMatch(/^299 - ".*remote upstream .*\/hub .*standard upstream .*\/internal .*app.*dependency confusion/);
    await expect.poll(() => shadowing.length).toBe(1);
    expect(shadowing[0]!.data).toMatchObject({ repository: name('risky'), format: 'DOCKER', when: 'config', remote: name('hub'), standard: name('internal'), packages: ['app'] });
    const w = (await (await fetch(`${emu.url}/_emulator/warnings?repository=${name('risky')}`)).json()) as { warnings: Array<{ standard: string; packages: string[] }> };
    expect(w.warnings).toEqual([expect.objectContaining({ standard: name('internal'), packages: ['app'] })]);
    expect((await fetch(`${emu.url}/_emulator/warnings?repository=${name('nope')}`)).status).toBe(404);
  });

  it('replaces the policies on patch, validated the same way, and warns again or not', async () => {
    shadowing.length = 0;
    const fixed = [{ id: 'internal', repository: name('internal'), priority: 10 }, { id: 'hub', repository: name('hub'), priority: 5 }];
    const ok = await patch('risky', { virtualRepositoryConfig: { upstreamPolicies: fixed } }, 'virtual_repository_config');
    expect(ok.status).toBe(200);
    expect(ok.warning).toBeNull();
    expect(ok.body.virtualRepositoryConfig).toEqual({ upstreamPolicies: fixed });
    expect((await (await fetch(`${emu.url}/_emulator/warnings?repository=${name('risky')}`)).json())).toEqual({ warnings: [] });
    const bad = await patch('risky', { virtualRepositoryConfig: { upstreamPolicies: [{ id: 'x', repository: name('nope'), priority: 1 }] } }, 'virtualRepositoryConfig');
    expect(bad.status).toBe(400);
    expect((await get('risky')).virtualRepositoryConfig).toEqual({ upstreamPolicies: fixed });
    const tie = await patch('risky', { virtualRepositoryConfig: { upstreamPolicies: [fixed[1]!, { ...fixed[0]!, priority: 5 }] } }, 'virtualRepositoryConfig');
    expect(tie.warning).toMatch(/^299 - /); // equal priorities: the one listed first is asked first
    expect(shadowing.map((e) => e.data.when)).toEqual(['config']);
  });

  it('sends the warning as x-emulator-warning trailing metadata over gRPC', async () => {
    const root = await loadProtos();
    const req = root.lookupType('google.devtools.artifactregistry.v1.CreateRepositoryRequest');
    const client = new Client(`127.0.0.1:${emu.emulator.grpcPort}`, credentials.createInsecure());
    try {
      const message = req.fromObject({
        parent: PARENT, repositoryId: 'grpc-risky',
        repository: { format: 1, mode: 2, virtualRepositoryConfig: { upstreamPolicies: [{ id: 'hub', repository: name('hub'), priority: 2 }, { id: 'internal', repository: name('internal'), priority: 1 }] } },
      });
      const trailers = await new Promise<Metadata>((resolve, reject) => {
        const call = client.makeUnaryRequest('/google.devtools.artifactregistry.v1.ArtifactRegistry/CreateRepository',
          (m: typeof message) => Buffer.from(req.encode(m).finish()), (b: Buffer) => b, message, new Metadata(), {}, (err) => err && reject(err));
        call.on('status', (status) => resolve(status.metadata));
      });
      expect(String(trailers.get('x-emulator-warning')[0])).toMatch(/grpc-risky: remote upstream .*\/hub .*dependency confusion/);
    } finally {
      client.close();
    }
  });

  it('lets a remote repository patch its description and credentials but not its upstream', async () => {
    const creds = { usernamePasswordCredentials: { username: 'me', passwordSecretVersion: 'projects/p/secrets/s/versions/1' } };
    const ok = await patch('hub', { remoteRepositoryConfig: { description: 'mirror', upstreamCredentials: creds, disableUpstreamValidation: true } }, 'remoteRepositoryConfig');
    expect(ok.status).toBe(200);
    expect(ok.body.remoteRepositoryConfig).toEqual({ description: 'mirror', disableUpstreamValidation: true, upstreamCredentials: creds, dockerRepository: { customRepository: { uri: 'http://127.0.0.1:9' } } });
    const one = await patch('hub', { remoteRepositoryConfig: { description: 'only this' } }, 'remoteRepositoryConfig.description');
    expect(one.body.remoteRepositoryConfig).toMatchObject({ description: 'only this', upstreamCredentials: creds });
    const moved = await patch('hub', { remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: 'http://127.0.0.1:10' } } } }, 'remoteRepositoryConfig');
    expect(moved.status).toBe(400);
    expect(field(moved.body)).toBe('repository.remote_repository_config.docker_repository');
    const sub = await patch('hub', { remoteRepositoryConfig: { commonRepository: { uri: 'http://127.0.0.1:10' } } }, 'remoteRepositoryConfig.commonRepository');
    expect(sub.status).toBe(400);
    expect(((await get('hub')).remoteRepositoryConfig as Record<string, unknown>).dockerRepository).toEqual({ customRepository: { uri: 'http://127.0.0.1:9' } });
  });

  it('keeps a virtual repository whose member is deleted; the member is skipped', async () => {
    await emu.createRepository('doomed');
    expect((await post('keeps', { format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY', virtualRepositoryConfig: { upstreamPolicies: [{ id: 'd', repository: name('doomed'), priority: 1 }] } })).status).toBe(200);
    expect((await fetch(`${emu.url}/v1/${name('doomed')}`, { method: 'DELETE' })).status).toBe(200);
    expect(((await get('keeps')).virtualRepositoryConfig as { upstreamPolicies: unknown[] }).upstreamPolicies).toHaveLength(1);
    expect((await fetch(`${emu.url}/v2/${TEST_PROJECT}/keeps/app/manifests/v1`)).status).toBe(404);
  });
});
