// IAM policy methods, repository patch, project settings and locations over REST.
import { describe, expect, it, beforeAll } from 'vitest';
import { useRegistry } from '../../../test/support/registry.js';

const t = useRegistry(['repo']);
const REPO = '/v1/projects/test-project/locations/us-central1/repositories/repo';

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${t.emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { status: string; message: string; details?: Array<{ fieldViolations: Array<{ field: string }> }> } } };
};

describe('getIamPolicy', () => {
  it('returns an empty policy with an etag on a fresh repository', async () => {
    expect((await call('GET', `${REPO}:getIamPolicy`)).body).toEqual({ etag: 'ACAB' });
  });
});

describe('setIamPolicy', () => {
  let etag = '';
  it('stores a policy and returns it with a new etag', async () => {
    const policy = { bindings: [{ role: 'roles/artifactregistry.reader', members: ['allUsers', 'user:dev@example.com'] }] };
    const set = await call('POST', `${REPO}:setIamPolicy`, { policy });
    expect(set.body).toMatchObject({ version: 1, bindings: policy.bindings, etag: expect.any(String) });
    etag = String(set.body.etag);
    expect((await call('GET', `${REPO}:getIamPolicy?options.requestedPolicyVersion=3`)).body).toEqual(set.body);
  });

  it('refuses a stale etag with ABORTED', async () => {
    const stale = await call('POST', `${REPO}:setIamPolicy`, { policy: { bindings: [], etag: 'ACAB' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.status).toBe('ABORTED');
    expect((await call('POST', `${REPO}:setIamPolicy`, { policy: { bindings: [], etag } })).status).toBe(200);
  });

  it('refuses malformed members and roles, naming the field', async () => {
    const bad = await call('POST', `${REPO}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: ['bob'] }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.details?.[0]?.fieldViolations[0]?.field).toBe('policy.bindings[0].members');
  });
});

describe('testIamPermissions', () => {
  it('returns the Artifact Registry permissions asked about (open mode: the caller owns everything)', async () => {
    const res = await call('POST', `${REPO}:testIamPermissions`, { permissions: ['artifactregistry.repositories.get', 'storage.buckets.get'] });
    expect(res.body).toEqual({ permissions: ['artifactregistry.repositories.get'] });
  });
});

describe('updateRepository', () => {
  it('patches labels and description under an updateMask, leaving the rest', async () => {
    await call('PATCH', `${REPO}?updateMask=description`, { description: 'before' });
    const res = await call('PATCH', `${REPO}?updateMask=labels`, { labels: { env: 'dev' }, description: 'ignored' });
    expect(res.body).toMatchObject({ labels: { env: 'dev' }, description: 'before' });
  });

  it.each([
    ['format', { format: 'NPM' }, 'format', 'repository.format'],
    ['an unknown mask field', { description: 'x' }, 'colour', 'update_mask'],
    ['a new kmsKeyName', { kmsKeyName: 'projects/p/locations/us-central1/keyRings/k/cryptoKeys/c' }, 'kms_key_name', 'repository.kms_key_name'],
    ['bad labels', { labels: { 'Bad-Key': 'v' } }, 'labels', 'repository.labels'],
  ])('refuses %s with INVALID_ARGUMENT and changes nothing', async (_what, body, mask, field) => {
    const before = (await call('GET', REPO)).body;
    const res = await call('PATCH', `${REPO}?update_mask=${mask}`, body);
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.[0]?.fieldViolations[0]?.field).toBe(field);
    expect((await call('GET', REPO)).body).toEqual(before);
  });
});

describe('getProjectSettings', () => {
  it('returns the settings resource, gcr.io redirection enabled by default (docs/gcr.md)', async () => {
    expect((await call('GET', '/v1/projects/test-project/projectSettings')).body).toEqual({
      name: 'projects/test-project/projectSettings', legacyRedirectionState: 'REDIRECTION_FROM_GCR_IO_ENABLED',
    });
  });
});

describe('updateProjectSettings', () => {
  it('updates the redirection state, accepting any case', async () => {
    const res = await call('PATCH', '/v1/projects/test-project/projectSettings?updateMask=legacy_redirection_state', { legacyRedirectionState: 'redirection_from_gcr_io_enabled' });
    expect(res.body.legacyRedirectionState).toBe('REDIRECTION_FROM_GCR_IO_ENABLED');
    expect((await call('GET', '/v1/projects/test-project/projectSettings?$alt=json%3Benum-encoding%3Dint')).body.legacyRedirectionState).toBe(2);
  });
});

describe('listLocations', () => {
  it('lists the locations with pagination', async () => {
    const first = await call('GET', '/v1/projects/test-project/locations?pageSize=5');
    expect((first.body.locations as unknown[]).length).toBe(5);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
  });
});

describe('getLocation', () => {
  it('gets a location, NOT_FOUND for an unknown one', async () => {
    expect((await call('GET', '/v1/projects/test-project/locations/europe-west1')).body).toEqual({ name: 'projects/test-project/locations/europe-west1', locationId: 'europe-west1' });
    expect((await call('GET', '/v1/projects/test-project/locations/atlantis')).status).toBe(404);
  });
});

describe('listRepositories filters', () => {
  beforeAll(async () => {
    for (const r of ['alpha', 'beta']) await t.emu.createRepository(r);
  });
  it('filters by name with wildcards and orders by name desc', async () => {
    const res = await call('GET', `/v1/projects/test-project/locations/us-central1/repositories?filter=${encodeURIComponent('name="*/repositories/al*"')}`);
    expect((res.body.repositories as Array<{ name: string }>).map((r) => r.name.split('/').pop())).toEqual(['alpha']);
    const desc = await call('GET', '/v1/projects/test-project/locations/us-central1/repositories?orderBy=name%20desc');
    expect((desc.body.repositories as Array<{ name: string }>).map((r) => r.name.split('/').pop())).toEqual(['repo', 'beta', 'alpha']);
    expect((await call('GET', '/v1/projects/test-project/locations/us-central1/repositories?filter=colour%3D%22x%22')).status).toBe(400);
  });
});
