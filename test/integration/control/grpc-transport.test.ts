// The gRPC transport driven by the unmodified Node client (@google-cloud/artifact-registry over plaintext
// gRPC) against an in-memory ControlApi fake: LROs, proto3-JSON conversion both ways, pagination, errors.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi, Json, ListRequest } from '../../../emulator/control/api.js';
import { startGrpcServer, type GrpcServer } from '../../../emulator/control/grpc/server.js';
import type { OperationResource } from '../../../emulator/control/dto.js';
import { EmulatorError } from '../../../emulator/core/errors.js';
import type { LogFields } from '../../../emulator/core/logger.js';
import { recordingLogger } from '../../support/recording-logger.js';

const PARENT = 'projects/p/locations/us-central1';
const AR = 'type.googleapis.com/google.devtools.artifactregistry.v1.';

/** An in-memory ControlApi with a few methods, recording what it was asked. */
function fakeApi() {
  const repos = new Map<string, Json>();
  const ops = new Map<string, OperationResource>();
  const calls: Array<{ method: string; req: Json }> = [];
  let opSeq = 0;
  const operation = (responseType: string, response: Json): OperationResource => {
    const op: OperationResource = {
      name: `${PARENT}/operations/op-${++opSeq}`,
      metadata: { '@type': `${AR}OperationMetadata` },
      done: true,
      response: { '@type': responseType, ...response },
    };
    ops.set(op.name, op);
    return op;
  };
  const find = (name: string) => {
    const repo = repos.get(name);
    if (!repo) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return repo;
  };
  const api: Partial<ControlApi> = {
    async createRepository(req) {
      calls.push({ method: 'createRepository', req });
      const name = `${req.parent}/repositories/${req.repositoryId}`;
      if (repos.has(name)) throw new EmulatorError('ALREADY_EXISTS', 'the repository already exists');
      if (!/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(req.repositoryId)) {
        throw new EmulatorError('INVALID_ARGUMENT', 'invalid repository id', { field: 'repository_id' });
      }
      const repo: Json = {
        ...req.repository,
        name,
        createTime: '2023-05-30T17:24:37.757487Z',
        updateTime: '2023-05-30T17:24:37Z',
        registryUri: `us-central1-docker.pkg.dev/p/${req.repositoryId}`,
        sizeBytes: '38636295',
      };
      repos.set(name, repo);
      return operation(`${AR}Repository`, repo);
    },
    async getRepository(req) {
      calls.push({ method: 'getRepository', req });
      return find(req.name);
    },
    async listRepositories(req: ListRequest) {
      calls.push({ method: 'listRepositories', req: { ...req } });
      const all = [...repos.values()].filter((r) => String(r.name).startsWith(`${req.parent}/`));
      const start = Number(req.pageToken ?? 0);
      const end = start + (req.pageSize ?? 1000);
      return { repositories: all.slice(start, end), ...(end < all.length ? { nextPageToken: String(end) } : {}) };
    },
    async updateRepository(req) {
      calls.push({ method: 'updateRepository', req });
      const repo = find(String(req.repository.name));
      for (const path of req.updateMask ?? []) repo[path] = req.repository[path];
      return repo;
    },
    async deleteRepository(req) {
      calls.push({ method: 'deleteRepository', req });
      find(req.name);
      repos.delete(req.name);
      return operation('type.googleapis.com/google.protobuf.Empty', {});
    },
    async getOperation(req) {
      calls.push({ method: 'getOperation', req });
      const op = ops.get(req.name);
      if (!op) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      return op;
    },
    async getIamPolicy(req) {
      calls.push({ method: 'getIamPolicy', req });
      return { version: 1, bindings: [{ role: 'roles/artifactregistry.reader', members: ['allUsers'] }], etag: 'BwYK3Q==' };
    },
    async getPackage() {
      throw new Error('secret internals: disk on fire');
    },
  };
  return { api: api as ControlApi, calls };
}

describe('gRPC control plane with the Node client', () => {
  const fake = fakeApi();
  const logs: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  let server: GrpcServer;
  let client: ArtifactRegistryClient;

  beforeAll(async () => {
    server = await startGrpcServer({ api: fake.api, host: '127.0.0.1', port: 0, logger: recordingLogger(logs).logger });
    // Insecure channel credentials: gax uses them as-is and attaches no call credentials. An explicit
    // universeDomain keeps google-auth-library from probing for Application Default Credentials.
    client = new ArtifactRegistryClient({
      apiEndpoint: '127.0.0.1',
      port: server.port,
      sslCreds: credentials.createInsecure(),
      universeDomain: 'googleapis.com',
    });
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('returns a done LRO from createRepository whose promise() resolves to the Repository', async () => {
    const [operation] = await client.createRepository({
      parent: PARENT,
      repositoryId: 'docker-repo',
      repository: {
        format: 'DOCKER',
        mode: 'STANDARD_REPOSITORY',
        description: 'images',
        labels: { team: 'web', env: 'dev' },
        dockerConfig: { immutableTags: true },
        cleanupPolicies: {
          'delete-old': { id: 'delete-old', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: { seconds: 86400, nanos: 500_000_000 } } },
        },
      },
    });
    expect(operation.done).toBe(true);
    const [repo] = await operation.promise();
    expect(repo.name).toBe(`${PARENT}/repositories/docker-repo`);
    expect(repo.labels).toEqual({ team: 'web', env: 'dev' });

    const seen = fake.calls.find((c) => c.method === 'createRepository')!.req;
    expect(seen).toEqual({
      parent: PARENT,
      repositoryId: 'docker-repo',
      repository: {
        format: 'DOCKER',
        mode: 'STANDARD_REPOSITORY',
        description: 'images',
        labels: { team: 'web', env: 'dev' },
        dockerConfig: { immutableTags: true },
        cleanupPolicies: { 'delete-old': { id: 'delete-old', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '86400.500s' } } },
      },
    });
  });

  it('round-trips timestamps, enums, int64 and labels through getRepository', async () => {
    const [repo] = await client.getRepository({ name: `${PARENT}/repositories/docker-repo` });
    expect(repo.format).toBe('DOCKER');
    expect(repo.mode).toBe('STANDARD_REPOSITORY');
    expect(repo.createTime).toEqual({ seconds: String(Date.parse('2023-05-30T17:24:37Z') / 1000), nanos: 757_487_000 });
    expect(repo.updateTime).toEqual({ seconds: String(Date.parse('2023-05-30T17:24:37Z') / 1000), nanos: 0 });
    expect(repo.sizeBytes).toBe('38636295');
    expect(repo.labels).toEqual({ team: 'web', env: 'dev' });
    expect(repo.dockerConfig).toEqual({ immutableTags: true });
    expect(repo.cleanupPolicies?.['delete-old']?.condition?.olderThan).toEqual({ seconds: '86400', nanos: 500_000_000 });
  });

  it('reports the LRO through GetOperation when the client checks its progress', async () => {
    const opName = `${PARENT}/operations/op-1`;
    const op = await client.checkCreateRepositoryProgress(opName);
    expect(op.done).toBe(true);
    expect((op.result as { name?: string } | undefined)?.name).toBe(`${PARENT}/repositories/docker-repo`);
    expect(fake.calls.some((c) => c.method === 'getOperation' && c.req.name === opName)).toBe(true);
  });

  it('auto-paginates listRepositoriesAsync across pages', async () => {
    for (const id of ['r1', 'r2', 'r3', 'r4']) {
      const [op] = await client.createRepository({ parent: PARENT, repositoryId: id, repository: { format: 'NPM' } });
      await op.promise();
    }
    const names: string[] = [];
    for await (const repo of client.listRepositoriesAsync({ parent: PARENT, pageSize: 2 }, { autoPaginate: false })) names.push(repo.name!);
    expect(names).toEqual(['docker-repo', 'r1', 'r2', 'r3', 'r4'].map((id) => `${PARENT}/repositories/${id}`));
    const tokens = fake.calls.filter((c) => c.method === 'listRepositories').map((c) => c.req.pageToken);
    expect(tokens).toEqual([undefined, '2', '4']);
  });

  it('passes the update mask paths as given', async () => {
    const [repo] = await client.updateRepository({
      repository: { name: `${PARENT}/repositories/r1`, description: 'changed', labels: { a: 'b' } },
      updateMask: { paths: ['description', 'labels'] },
    });
    expect(repo.description).toBe('changed');
    expect(fake.calls.find((c) => c.method === 'updateRepository')!.req.updateMask).toEqual(['description', 'labels']);
  });

  it('resolves a deleteRepository LRO whose response is Empty', async () => {
    const [op] = await client.deleteRepository({ name: `${PARENT}/repositories/r4` });
    const [result] = await op.promise();
    expect(result).toEqual({});
  });

  it('carries bytes fields as base64 in JSON (IAM policy etag)', async () => {
    const [policy] = await client.getIamPolicy({ resource: `${PARENT}/repositories/r1`, options: { requestedPolicyVersion: 3 } });
    expect(Buffer.from(policy.etag as Uint8Array).toString('base64')).toBe('BwYK3Q==');
    expect(policy.bindings?.[0]?.members).toEqual(['allUsers']);
    expect(fake.calls.find((c) => c.method === 'getIamPolicy')!.req).toEqual({ resource: `${PARENT}/repositories/r1`, options: { requestedPolicyVersion: 3 } });
  });

  it('answers NOT_FOUND (5) with the catalog message for a missing repository', async () => {
    await expect(client.getRepository({ name: `${PARENT}/repositories/missing` })).rejects.toMatchObject({
      code: 5,
      details: 'Requested entity was not found.',
    });
  });

  it('answers ALREADY_EXISTS (6) when the repository exists', async () => {
    await expect(client.createRepository({ parent: PARENT, repositoryId: 'r1', repository: {} })).rejects.toMatchObject({ code: 6 });
  });

  it('answers INVALID_ARGUMENT (3) with a BadRequest field violation in the status details', async () => {
    const err = await client.createRepository({ parent: PARENT, repositoryId: 'Bad_Id', repository: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 3, details: 'invalid repository id' });
    const details = (err as { statusDetails?: Array<{ fieldViolations?: Array<{ field: string }> }> }).statusDetails;
    expect(details?.[0]?.fieldViolations?.[0]?.field).toBe('repository_id');
  });

  it('answers UNIMPLEMENTED (12) for an RPC the API does not implement', async () => {
    await expect(client.listPackages({ parent: `${PARENT}/repositories/r1` })).rejects.toMatchObject({ code: 12 });
    await expect(client.getLocation({ name: PARENT })).rejects.toMatchObject({ code: 12 });
  });

  it('answers INTERNAL (13) with a generic message for an unexpected error and logs the cause', async () => {
    const err = await client.getPackage({ name: `${PARENT}/repositories/r1/packages/x` }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 13, details: 'Internal error encountered.' });
    expect(String((err as Error).message)).not.toContain('disk on fire');
    expect(logs.some((l) => l.level === 'error' && String((l.fields?.err as Error)?.message).includes('disk on fire'))).toBe(true);
  });
});
