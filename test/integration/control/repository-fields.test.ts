// Issue 17 item 5: Repository fields as repository.proto defines them (spec ar-fidelity §1.3, §1.11, §2.3):
// kmsKeyName and disallowUnspecifiedMode kept and returned, every field updatable where the real API allows it,
// unknown names refused with ESF's text, and the multi-regions us, europe, asia in locations and host routing.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

type Body = Record<string, unknown> & { error?: { code: number; status: string; message: string; details?: Array<Record<string, unknown>> } };
const PARENT = `/v1/projects/${P}/locations/us-central1`;
const KEY = `projects/${P}/locations/us-central1/keyRings/ring/cryptoKeys/key`;
const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Body };
};
const create = (id: string, body: unknown, location = 'us-central1') => call('POST', `/v1/projects/${P}/locations/${location}/repositories?repositoryId=${id}`, body);
const patch = (id: string, mask: string | undefined, body: unknown) => call('PATCH', `${PARENT}/repositories/${id}${mask === undefined ? '' : `?updateMask=${encodeURIComponent(mask)}`}`, body);
const get = async (id: string) => (await call('GET', `${PARENT}/repositories/${id}`)).body;
const violations = (b: Body) => (b.error?.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest')?.fieldViolations ?? []) as Array<{ field: string; description: string }>;

describe('kmsKeyName', () => {
  it('is accepted on create, stored and returned', async () => {
    const res = await create('cmek', { format: 'DOCKER', kmsKeyName: KEY });
    expect(res.status).toBe(200);
    expect((res.body.response as Body).kmsKeyName).toBe(KEY);
    expect((await get('cmek')).kmsKeyName).toBe(KEY);
  });

  it('accepts the proto name kms_key_name too (proto3 JSON)', async () => {
    expect((await create('cmek-snake', { format: 'DOCKER', kms_key_name: KEY })).status).toBe(200);
    expect((await get('cmek-snake')).kmsKeyName).toBe(KEY);
  });

  it.each(['not-a-key', `projects/${P}/locations/us-central1/keyRings/ring`, `${KEY}/cryptoKeyVersions/1`])('refuses %j naming the field', async (bad) => {
    const res = await create('badkey', { format: 'DOCKER', kmsKeyName: bad });
    expect(res.status).toBe(400);
    expect(res.body.error?.status).toBe('INVALID_ARGUMENT');
    expect(violations(res.body)[0]?.field).toBe('repository.kms_key_name');
    expect((await call('GET', `${PARENT}/repositories/badkey`)).status).toBe(404);
  });

  it('cannot change: a mask naming it with another value, a mask clearing it, or a body without mask changing it', async () => {
    const other = KEY.replace(/key$/, 'other');
    for (const [mask, body] of [['kms_key_name', { kmsKeyName: other }], ['kmsKeyName', {}], [undefined, { kmsKeyName: other }]] as const) {
      const res = await patch('cmek', mask, body);
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toMatch(/encryption key \(kms_key_name\) of a repository cannot be changed/);
      expect(violations(res.body)[0]?.field).toBe('repository.kms_key_name');
    }
    expect((await get('cmek')).kmsKeyName).toBe(KEY);
  });

  it('may be repeated unchanged (AIP-203), as a read-modify-write client does', async () => {
    const res = await patch('cmek', 'description,kms_key_name', { ...(await get('cmek')), description: 'same key' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kmsKeyName: KEY, description: 'same key' });
  });
});

describe('disallowUnspecifiedMode', () => {
  it.each([[{}], [{ mode: 'MODE_UNSPECIFIED' }], [{ mode: 0 }]])('refuses a create without a mode (%j) naming repository.mode', async (mode) => {
    const res = await create('strict', { format: 'NPM', disallowUnspecifiedMode: true, ...mode });
    expect(res.status).toBe(400);
    expect(violations(res.body)[0]?.field).toBe('repository.mode');
  });

  it('is stored and returned when the mode is given; false changes nothing', async () => {
    expect((await create('strict', { format: 'NPM', mode: 'STANDARD_REPOSITORY', disallowUnspecifiedMode: true })).status).toBe(200);
    expect(await get('strict')).toMatchObject({ mode: 'STANDARD_REPOSITORY', disallowUnspecifiedMode: true });
    expect((await create('lax', { format: 'NPM', disallowUnspecifiedMode: false })).status).toBe(200);
    expect((await get('lax')).disallowUnspecifiedMode).toBeUndefined();
  });

  it('is updatable through the mask', async () => {
    expect((await patch('strict', 'disallow_unspecified_mode', {})).body.disallowUnspecifiedMode).toBeUndefined();
    expect((await patch('strict', 'disallowUnspecifiedMode', { disallowUnspecifiedMode: true })).body.disallowUnspecifiedMode).toBe(true);
  });
});

describe('unknown names', () => {
  const text = (name: string, at: string) => `Invalid JSON payload received. Unknown name "${name}" at '${at}': Cannot find field.`;

  it("refuses an unknown body field on create with ESF's text and a BadRequest on 'repository'", async () => {
    const res = await create('unknown', { format: 'DOCKER', foo: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 400, status: 'INVALID_ARGUMENT', message: text('foo', 'repository'),
        details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'repository', description: text('foo', 'repository') }] }],
      },
    });
  });

  it('names every unknown field, one violation each, and nested ones at their message', async () => {
    const two = await create('unknown', { format: 'DOCKER', foo: 1, bar: 2 });
    expect(two.body.error?.message).toBe(`${text('foo', 'repository')}\n${text('bar', 'repository')}`);
    expect(violations(two.body).map((v) => v.description)).toEqual([text('foo', 'repository'), text('bar', 'repository')]);
    const nested = await create('unknown', { format: 'DOCKER', dockerConfig: { immutableTags: true, mutable: false } });
    expect(violations(nested.body)).toEqual([{ field: 'repository.docker_config', description: text('mutable', 'repository.docker_config') }]);
    const scanning = await create('unknown', { format: 'DOCKER', vulnerabilityScanningConfig: { enabled: true } });
    expect(scanning.body.error?.message).toBe(text('enabled', 'repository.vulnerability_scanning_config'));
    const cleanup = await create('unknown', { format: 'DOCKER', cleanupPolicies: { p: { id: 'p', action: 'DELETE', condition: { olderThan: '1s', colour: 'red' } } } });
    expect(cleanup.body.error?.message).toBe(text('colour', 'repository.cleanup_policies[p].condition'));
    expect((await call('GET', `${PARENT}/repositories/unknown`)).status).toBe(404);
  });

  it('refuses an unknown body field on update too, whatever the mask', async () => {
    await create('upd', { format: 'DOCKER' });
    for (const mask of ['description', undefined]) {
      const res = await patch('upd', mask, { description: 'x', foo: 1 });
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toBe(text('foo', 'repository'));
    }
  });

  it('refuses an unknown mask path naming update_mask', async () => {
    const res = await patch('upd', 'description,colour', { description: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toBe('Invalid update_mask: "colour" is not a field of Repository.');
    expect(violations(res.body)[0]?.field).toBe('update_mask');
    expect((await patch('upd', 'docker_config.colour', {})).body.error?.message).toBe('Invalid update_mask: "docker_config.colour" is not a field of Repository.');
    expect((await get('upd')).description).toBeUndefined();
  });
});

describe('update masks', () => {
  it('ignores output-only fields, in the mask and in the body (AIP-161)', async () => {
    await create('outonly', { format: 'DOCKER' });
    const before = await get('outonly');
    const res = await patch('outonly', 'create_time,registry_uri,size_bytes,description', { createTime: '2001-01-01T00:00:00Z', registryUri: 'elsewhere', sizeBytes: '9', description: 'd' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ createTime: before.createTime, registryUri: before.registryUri, description: 'd' });
    expect(res.body.sizeBytes).toBeUndefined();
  });

  it('passes immutable fields repeated unchanged (enums by name, number or case) and refuses changes', async () => {
    expect((await patch('outonly', 'format,mode,name', { format: 1, mode: 'standard_repository' })).status).toBe(200);
    const format = await patch('outonly', 'format', { format: 'NPM' });
    expect(violations(format.body)[0]?.field).toBe('repository.format');
    const mode = await patch('outonly', undefined, { mode: 'VIRTUAL_REPOSITORY' });
    expect(violations(mode.body)[0]?.field).toBe('repository.mode');
    const sub = await patch('outonly', 'format.name', {});
    expect(violations(sub.body)[0]?.field).toBe('update_mask');
  });

  it('updates every updatable field Terraform sends in one mask', async () => {
    const mask = 'description,labels,dockerConfig,cleanupPolicies,cleanupPolicyDryRun,vulnerabilityScanningConfig,disallowUnspecifiedMode';
    const res = await patch('outonly', mask, {
      description: 'all', labels: { team: 'a' }, dockerConfig: { immutableTags: true }, cleanupPolicyDryRun: true, disallowUnspecifiedMode: true,
      cleanupPolicies: { old: { id: 'old', action: 'DELETE', condition: { olderThan: '86400s' } } },
      vulnerabilityScanningConfig: { enablementConfig: 'DISABLED' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      description: 'all', labels: { team: 'a' }, dockerConfig: { immutableTags: true }, cleanupPolicyDryRun: true, disallowUnspecifiedMode: true,
      cleanupPolicies: { old: { id: 'old', action: 'DELETE', condition: { olderThan: '86400s' } } },
      vulnerabilityScanningConfig: { enablementConfig: 'DISABLED', enablementState: 'SCANNING_DISABLED' },
    });
  });

  it('replaces every updatable field under the mask "*" (AIP-134), keeping the immutable ones', async () => {
    const current = await get('outonly');
    const res = await patch('outonly', '*', { name: current.name, format: 'DOCKER', mode: 'STANDARD_REPOSITORY', description: 'star' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ description: 'star', format: 'DOCKER' });
    for (const gone of ['labels', 'dockerConfig', 'cleanupPolicies', 'cleanupPolicyDryRun', 'disallowUnspecifiedMode']) expect(res.body[gone]).toBeUndefined();
  });
});

describe('multi-region locations', () => {
  it('lists us, europe and asia next to the regions, and gets each', async () => {
    const all: string[] = [];
    let token = '';
    do {
      const page = (await call('GET', `/v1/projects/${P}/locations?pageSize=50${token ? `&pageToken=${token}` : ''}`)).body;
      all.push(...(page.locations as Array<{ locationId: string }>).map((l) => l.locationId));
      token = String(page.nextPageToken ?? '');
    } while (token);
    expect(all).toEqual(expect.arrayContaining(['us', 'europe', 'asia', 'us-central1', 'europe-west1']));
    for (const id of ['us', 'europe', 'asia']) {
      expect((await call('GET', `/v1/projects/${P}/locations/${id}`)).body).toEqual({ name: `projects/${P}/locations/${id}`, locationId: id });
    }
  });

  it('routes LOCATION-docker.pkg.dev hosts of the multi-regions to the repository of that location', async () => {
    for (const location of ['us', 'europe', 'asia']) expect((await create('multi', { format: 'DOCKER' }, location)).status).toBe(200);
    const blob = Buffer.from('only in us\n');
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const port = new URL(emu.url).port;
    const pushed = await raw('POST', `/v2/${P}/multi/app/blobs/uploads/?digest=${digest}`, `us-docker.pkg.dev:${port}`, blob);
    expect(pushed.status).toBe(201);
    expect((await raw('HEAD', `/v2/${P}/multi/app/blobs/${digest}`, `us-docker.pkg.dev:${port}`)).status).toBe(200);
    for (const other of ['europe', 'asia']) expect((await raw('HEAD', `/v2/${P}/multi/app/blobs/${digest}`, `${other}-docker.pkg.dev:${port}`)).status).toBe(404);
  });
});

function raw(method: string, path: string, host: string, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host, ...(body ? { 'content-type': 'application/octet-stream', 'content-length': String(body.length) } : {}) };
    const req = request(`${emu.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject).end(body);
  });
}
