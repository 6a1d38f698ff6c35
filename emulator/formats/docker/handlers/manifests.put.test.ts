// PUT /v2/<name>/manifests/<reference>: what is accepted, and every bad input refused without a trace.
import { describe, expect, it } from 'vitest';
import { ociError, sha256, useRegistry } from '../../../../test/support/registry.js';

const t = useRegistry(['repo']);
const NAME = 'test-project/repo/app';

async function expectNothingStored(reference: string) {
  expect((await t.reg.fetch(`/v2/${NAME}/manifests/${reference}`, { method: 'HEAD' })).status).toBe(404);
}

describe('putManifest', () => {
  it('stores a manifest by tag and answers 201 with Location and Docker-Content-Digest', async () => {
    const m = await t.reg.imageManifest(NAME);
    const body = JSON.stringify(m);
    const res = await t.reg.putManifest(NAME, 'v1', body);
    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(sha256(body));
    expect(res.headers.get('location')).toBe(`/v2/${NAME}/manifests/${sha256(body)}`);
    const got = await t.reg.fetch(`/v2/${NAME}/manifests/v1`);
    expect(got.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(await got.text()).toBe(body);
  });

  it('refuses a manifest over 4 MiB with 413 SIZE_INVALID', async () => {
    const m = { ...(await t.reg.imageManifest(NAME)), annotations: { big: 'x'.repeat(4 * 1024 * 1024) } };
    const res = await t.reg.putManifest(NAME, 'huge', m);
    expect(res.status).toBe(413);
    expect(await ociError(res)).toBe('SIZE_INVALID');
    await expectNothingStored('huge');
  });

  it('refuses a manifest that references a blob never pushed with MANIFEST_BLOB_UNKNOWN', async () => {
    const m = await t.reg.imageManifest(NAME);
    (m.layers as Array<{ digest: string }>)[0]!.digest = sha256('never pushed');
    const res = await t.reg.putManifest(NAME, 'missing-blob', m);
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('MANIFEST_BLOB_UNKNOWN');
    await expectNothingStored('missing-blob');
  });

  it('refuses an index whose child manifest was never pushed', async () => {
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256('nope'), size: 4 }] };
    const res = await t.reg.putManifest(NAME, 'bad-index', index, 'application/vnd.oci.image.index.v1+json');
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('MANIFEST_BLOB_UNKNOWN');
  });

  it.each([
    ['invalid JSON', '{"schemaVersion": 2,', 'application/vnd.oci.image.manifest.v1+json'],
    ['a JSON array', '[]', 'application/vnd.oci.image.manifest.v1+json'],
    ['schemaVersion 1', '{"schemaVersion":1}', 'application/vnd.oci.image.manifest.v1+json'],
    ['a wrong Content-Type', '{"schemaVersion":2,"config":{},"layers":[]}', 'text/plain'],
    ['a schema 1 Content-Type', '{"schemaVersion":1}', 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
    ['no Content-Type and no mediaType', '{"schemaVersion":2,"layers":[]}', ''],
    ['a descriptor with a bad digest', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a/b","digest":"sha256:../x","size":1},"layers":[]}', 'application/vnd.oci.image.manifest.v1+json'],
    ['a negative size', `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a/b","digest":"${sha256('x')}","size":-1},"layers":[]}`, 'application/vnd.oci.image.manifest.v1+json'],
  ])('refuses %s with MANIFEST_INVALID', async (_what, body, type) => {
    const res = await t.reg.fetch(`/v2/${NAME}/manifests/bad`, { method: 'PUT', body, headers: type ? { 'content-type': type } : {} });
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('MANIFEST_INVALID');
    await expectNothingStored('bad');
  });

  it('refuses a mediaType that contradicts the Content-Type', async () => {
    const m = await t.reg.imageManifest(NAME);
    const res = await t.reg.putManifest(NAME, 'mixed', m, 'application/vnd.docker.distribution.manifest.v2+json');
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('MANIFEST_INVALID');
  });

  it('refuses a descriptor size that differs from the blob', async () => {
    const m = await t.reg.imageManifest(NAME);
    (m.layers as Array<{ size: number }>)[0]!.size += 1;
    const res = await t.reg.putManifest(NAME, 'size', m);
    expect(res.status).toBe(400);
    await expectNothingStored('size');
  });

  it('refuses a PUT by digest whose body hashes to something else with DIGEST_INVALID', async () => {
    const m = await t.reg.imageManifest(NAME);
    const body = JSON.stringify(m);
    const res = await t.reg.putManifest(NAME, sha256(body + '  '), body);
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('DIGEST_INVALID');
  });

  it('refuses a malformed tag', async () => {
    const m = await t.reg.imageManifest(NAME);
    const res = await t.reg.putManifest(NAME, '.bad-tag', m);
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('MANIFEST_INVALID');
  });

  it('answers OCI-Subject for a manifest with a subject, even a missing one', async () => {
    const m = { ...(await t.reg.imageManifest(NAME)), subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256('absent'), size: 6 } };
    const res = await t.reg.putManifest(NAME, sha256(JSON.stringify(m)), m);
    expect(res.status).toBe(201);
    expect(res.headers.get('oci-subject')).toBe(sha256('absent'));
  });

  it('emits artifact.pushed and tag.updated after the commit', async () => {
    const seen: string[] = [];
    const off = t.emu.emulator.events.onAny((e) => void seen.push(e.type));
    const res = await t.reg.putManifest(NAME, 'evented', await t.reg.imageManifest(NAME));
    expect(res.status).toBe(201);
    await new Promise((r) => setImmediate(r));
    off();
    expect(seen).toEqual(expect.arrayContaining(['artifact.pushed', 'tag.updated']));
  });
});

describe('putManifest failures', () => {
  it('emits push.failed with the error code', async () => {
    const seen: Array<{ type: string; data: Record<string, unknown> }> = [];
    const off = t.emu.emulator.events.onAny((e) => void seen.push(e as never));
    await t.reg.putManifest(NAME, 'broken', '{');
    await new Promise((r) => setImmediate(r));
    off();
    expect(seen.find((e) => e.type === 'push.failed')?.data).toMatchObject({ format: 'DOCKER', code: 'MANIFEST_INVALID', package: NAME });
  });
});
