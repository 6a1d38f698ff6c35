// Replays the request shapes Terraform (hashicorp/google) and gcloud send (spec ar-fidelity §1.1, §7.1, §7.4):
// snake_case `repository_id`, `alt=json`, enum names in any case, durations like "2592000.0s", and the
// fields they read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

const PARENT = '/v1/projects/test-project/locations/us-central1';
const json = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', 'user-agent': 'Terraform/1.9.0 (+https://www.terraform.io) terraform-provider-google/6.0.0' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('Terraform google_artifact_registry_repository', () => {
  it('creates with repository_id and alt=json, lower-case format, cleanup policies with fractional durations', async () => {
    const res = await json('POST', `${PARENT}/repositories?alt=json&repository_id=tf-repo`, {
      format: 'docker',
      mode: 'STANDARD_REPOSITORY',
      description: 'managed by terraform',
      labels: { env: 'ci' },
      dockerConfig: { immutableTags: true },
      cleanupPolicyDryRun: true,
      cleanupPolicies: {
        'delete-old': { id: 'delete-old', action: 'DELETE', condition: { tagState: 'tagged', tagPrefixes: ['pr-'], olderThan: '2592000.0s' } },
        'keep-recent': { id: 'keep-recent', action: 'Keep', mostRecentVersions: { keepCount: 5 } },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ done: true });
    const got = await json('GET', `${PARENT}/repositories/tf-repo?alt=json`);
    expect(got.body).toMatchObject({
      format: 'DOCKER',
      mode: 'STANDARD_REPOSITORY',
      dockerConfig: { immutableTags: true },
      cleanupPolicyDryRun: true,
      cleanupPolicies: {
        'delete-old': { id: 'delete-old', action: 'DELETE', condition: { tagState: 'TAGGED', tagPrefixes: ['pr-'], olderThan: '2592000s' } },
        'keep-recent': { id: 'keep-recent', action: 'KEEP', mostRecentVersions: { keepCount: 5 } },
      },
    });
  });

  it('updates with update_mask listing snake_case paths, as the provider does', async () => {
    const res = await json('PATCH', `${PARENT}/repositories/tf-repo?alt=json&updateMask=description%2Clabels%2Ccleanup_policy_dry_run`, {
      description: 'changed', labels: { env: 'prod' }, cleanupPolicyDryRun: false,
    });
    expect(res.body).toMatchObject({ description: 'changed', labels: { env: 'prod' } });
    expect(res.body.cleanupPolicyDryRun).toBeUndefined();
  });

  it('polls the operation by name', async () => {
    const op = await json('POST', `${PARENT}/repositories?alt=json&repository_id=tf-op`, { format: 'DOCKER' });
    const polled = await json('GET', `/v1/${String(op.body.name)}?alt=json`);
    expect(polled.body).toMatchObject({ done: true, response: { name: `projects/test-project/locations/us-central1/repositories/tf-op` } });
  });

  it('deletes and reads 404 afterwards (the provider\'s existence check)', async () => {
    await json('DELETE', `${PARENT}/repositories/tf-op?alt=json`);
    expect((await json('GET', `${PARENT}/repositories/tf-op?alt=json`)).status).toBe(404);
  });
});

describe('gcloud artifacts', () => {
  it('sends cleanup policies from a policy file with enums as the user wrote them', async () => {
    await json('POST', `${PARENT}/repositories?repositoryId=gc-repo&alt=json`, { format: 'DOCKER' });
    const res = await json('PATCH', `${PARENT}/repositories/gc-repo?alt=json&updateMask=cleanupPolicies`, {
      cleanupPolicies: { untagged: { id: 'untagged', action: 'Delete', condition: { tagState: 'untagged', olderThan: '86400s' } } },
    });
    expect(res.body.cleanupPolicies).toEqual({ untagged: { id: 'untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '86400s' } } });
  });

  it('refuses a malformed duration naming the field', async () => {
    const res = await json('PATCH', `${PARENT}/repositories/gc-repo?updateMask=cleanupPolicies`, {
      cleanupPolicies: { p: { id: 'p', action: 'DELETE', condition: { olderThan: '30d' } } },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('repository.cleanup_policies[p].condition.older_than');
  });

  it('lists versions ordered by "create_time desc" and "UPDATE_TIME desc"', async () => {
    for (const orderBy of ['create_time desc', 'UPDATE_TIME desc']) {
      const res = await json('GET', `${PARENT}/repositories/gc-repo/packages?orderBy=${encodeURIComponent(orderBy)}`);
      expect(res.status).toBe(200);
    }
  });
});
