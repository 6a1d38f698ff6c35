// projects.locations.repositories create/get/list/delete and operations.get over REST, with the real
// JSON shapes, long-running operations and Google error envelopes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../../test/support/emulator.js';

let emu: TestEmulator;
const PARENT = '/v1/projects/test-project/locations/us-central1';

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${emu.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
const create = (id: string, body: unknown = { format: 'DOCKER' }, param = 'repositoryId') =>
  call(`${PARENT}/repositories?${param}=${encodeURIComponent(id)}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('createRepository', () => {
  it('returns a finished Operation whose response is the Repository', async () => {
    const res = await create('alpha', { format: 'docker', description: 'first', labels: { team: 'core' } });
    expect(res.status).toBe(200);
    const op = (await res.json()) as Record<string, unknown>;
    expect(op).toMatchObject({
      name: expect.stringMatching(/^projects\/test-project\/locations\/us-central1\/operations\/[0-9a-f-]{36}$/),
      done: true,
      metadata: { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.OperationMetadata' },
      response: {
        '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.Repository',
        name: 'projects/test-project/locations/us-central1/repositories/alpha',
        format: 'DOCKER',
        mode: 'STANDARD_REPOSITORY',
        description: 'first',
        labels: { team: 'core' },
      },
    });
  });

  it('accepts repository_id in snake case (Terraform) and numeric enums', async () => {
    expect((await create('snake', { format: 1 }, 'repository_id')).status).toBe(200);
  });

  it('answers a duplicate with 409 ALREADY_EXISTS', async () => {
    await create('dup');
    const res = await create('dup');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 409, status: 'ALREADY_EXISTS' } });
  });

  it.each([
    ['Upper', { format: 'DOCKER' }, 'repository_id'],
    ['1starts-with-digit', { format: 'DOCKER' }, 'repository_id'],
    ['ends-with-', { format: 'DOCKER' }, 'repository_id'],
    ['../escape', { format: 'DOCKER' }, 'repository_id'],
    ['a'.repeat(64), { format: 'DOCKER' }, 'repository_id'],
    ['', { format: 'DOCKER' }, 'repository_id'],
    ['noformat', {}, 'repository.format'],
    ['badformat', { format: 'TARBALL' }, 'repository.format'],
    ['badlabel', { format: 'DOCKER', labels: { Bad: 'x' } }, 'repository.labels'],
    ['manylabels', { format: 'DOCKER', labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }, 'repository.labels'],
    ['unknownfield', { format: 'DOCKER', colour: 'red' }, 'repository'],
  ])('refuses id %j / body with INVALID_ARGUMENT naming %s', async (id, body, field) => {
    const res = await create(id, body);
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { status: string; message: string; details?: Array<{ fieldViolations: Array<{ field: string }> }> } };
    expect(err.error.status).toBe('INVALID_ARGUMENT');
    expect(err.error.details?.[0]?.fieldViolations[0]?.field).toBe(field);
    expect((await call(`${PARENT}/repositories/${encodeURIComponent(id || 'x')}`)).status).not.toBe(200);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await create('notjson', '{format:');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Invalid JSON payload/);
  });

  it('refuses an unknown location', async () => {
    const res = await call('/v1/projects/test-project/locations/mars-north1/repositories?repositoryId=x', { method: 'POST', body: '{"format":"DOCKER"}' });
    expect(res.status).toBe(400);
  });
});

describe('getRepository', () => {
  it('returns the repository, or NOT_FOUND', async () => {
    await create('gettable');
    const res = await call(`${PARENT}/repositories/gettable`);
    expect(await res.json()).toMatchObject({ name: 'projects/test-project/locations/us-central1/repositories/gettable', format: 'DOCKER' });
    const missing = await call(`${PARENT}/repositories/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
  });

  it('answers with numeric enums when asked as the Node client asks', async () => {
    await create('numeric');
    const res = await call(`${PARENT}/repositories/numeric?$alt=json%3Benum-encoding%3Dint`);
    expect(await res.json()).toMatchObject({ format: 1, mode: 1 });
  });
});

describe('listRepositories', () => {
  it('pages through every repository with pageSize and pageToken', async () => {
    const fresh = await startEmulator();
    try {
      for (let i = 0; i < 25; i++) await fresh.createRepository(`r${String(i).padStart(2, '0')}`);
      const names: string[] = [];
      let token: string | undefined;
      do {
        const res = await fetch(`${fresh.url}${PARENT}/repositories?pageSize=10${token ? `&pageToken=${token}` : ''}`);
        const body = (await res.json()) as { repositories: Array<{ name: string }>; nextPageToken?: string };
        names.push(...body.repositories.map((r) => r.name.split('/').pop()!));
        token = body.nextPageToken;
      } while (token);
      expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `r${String(i).padStart(2, '0')}`));
      const tampered = await fetch(`${fresh.url}${PARENT}/repositories?pageSize=10&pageToken=eyJwIjoiejk5In0.AAAAAAAAAAAAAAAAAAAAAA`);
      expect(tampered.status).toBe(400);
    } finally {
      await fresh.stop();
    }
  });

  it('answers an empty location with {}', async () => {
    const res = await call('/v1/projects/test-project/locations/asia/repositories');
    expect(await res.json()).toEqual({});
  });
});

describe('deleteRepository', () => {
  it('deletes through a finished Operation, after which its registry paths are unknown', async () => {
    await create('doomed');
    const res = await call(`${PARENT}/repositories/doomed`, { method: 'DELETE' });
    expect(await res.json()).toMatchObject({ done: true, response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } });
    expect((await call(`${PARENT}/repositories/doomed`)).status).toBe(404);
    expect((await fetch(`${emu.url}/v2/test-project/doomed/app/tags/list`)).status).toBe(404);
    expect((await call(`${PARENT}/repositories/doomed`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('getOperation', () => {
  it('returns an operation by name, and NOT_FOUND for unknown ones', async () => {
    const op = (await (await create('opped')).json()) as { name: string };
    const res = await call(`/v1/${op.name}`);
    expect(await res.json()).toMatchObject({ name: op.name, done: true });
    expect((await call(`${PARENT}/operations/unknown`)).status).toBe(404);
  });
});

describe('getRepository with malformed names', () => {
  it.each([
    '/v1/projects/Bad_Project!/locations/us-central1/repositories/r',
    '/v1/projects/test-project/locations/us-central1/repositories/r/packages/%E0%A4%A',
  ])('answers INVALID_ARGUMENT naming the field for %s', async (path) => {
    const res = await call(path);
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { status: string; details: Array<{ fieldViolations: Array<{ field: string }> }> } };
    expect(err.error.status).toBe('INVALID_ARGUMENT');
    expect(err.error.details[0]!.fieldViolations[0]!.field).toBe('name');
  });
});
