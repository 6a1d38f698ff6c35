// GET/HEAD/DELETE /v2/<name>/manifests/<reference>: negotiation over repeated Accept headers, 404s, deletes.
import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { ociError, useRegistry } from '../../../../test/support/registry.js';

const t = useRegistry(['repo']);
const NAME = 'test-project/repo/app';
let digest = '';

beforeAll(async () => {
  const res = await t.reg.putManifest(NAME, 'v1', await t.reg.imageManifest(NAME));
  digest = res.headers.get('docker-content-digest')!;
});

/** A raw request with the six separate Accept lines the Docker engine sends. */
function getWithAcceptLines(path: string, accepts: string[]): Promise<{ status: number; type: string | undefined }> {
  const url = new URL(path, t.emu.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { Accept: accepts } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, type: res.headers['content-type'] });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('getManifest', () => {
  it('merges repeated Accept headers: the engine lists schema 1 first and still gets the OCI manifest', async () => {
    const res = await getWithAcceptLines(`/v2/${NAME}/manifests/v1`, [
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      'application/json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
    ]);
    expect(res).toEqual({ status: 200, type: 'application/vnd.oci.image.manifest.v1+json' });
  });

  it('answers MANIFEST_UNKNOWN when the Accept header admits no stored type', async () => {
    const res = await t.reg.fetch(`/v2/${NAME}/manifests/v1`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v1+prettyjws' } });
    expect(res.status).toBe(404);
  });

  it('weighs q-values: q=0 refuses the stored type, a wildcard with q>0 admits it', async () => {
    const OCI = 'application/vnd.oci.image.manifest.v1+json';
    const refused = await t.reg.fetch(`/v2/${NAME}/manifests/v1`, { headers: { accept: `${OCI};q=0, application/vnd.oci.image.index.v1+json` } });
    expect(refused.status).toBe(404);
    const admitted = await t.reg.fetch(`/v2/${NAME}/manifests/v1`, { headers: { accept: 'text/plain, application/*;q=0.2' } });
    expect(admitted.status).toBe(200);
    expect(admitted.headers.get('content-type')).toBe(OCI);
  });

});

describe('headManifest', () => {
  it('answers with Content-Length, digest and no body', async () => {
    const res = await t.reg.fetch(`/v2/${NAME}/manifests/${digest}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await res.text()).toBe('');
  });
});

describe('getManifest errors', () => {
  it('answers an unknown tag with the real service text', async () => {
    const res = await t.reg.fetch(`/v2/${NAME}/manifests/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      errors: [{ code: 'MANIFEST_UNKNOWN', message: `Failed to fetch "nope" from request "/v2/${NAME}/manifests/nope".` }],
    });
  });

  it('answers 404 for a malformed tag and 400 for a malformed digest', async () => {
    expect((await t.reg.fetch(`/v2/${NAME}/manifests/.INVALID`)).status).toBe(404);
    const bad = await t.reg.fetch(`/v2/${NAME}/manifests/sha256:zzz`);
    expect(bad.status).toBe(400);
    expect(await ociError(bad)).toBe('DIGEST_INVALID');
  });
});

describe('deleteManifest', () => {
  it('deletes a tag alone, then the manifest by digest', async () => {
    await t.reg.putManifest(NAME, 'v2', await t.reg.imageManifest(NAME, 'second'));
    const d2 = (await t.reg.fetch(`/v2/${NAME}/manifests/v2`, { method: 'HEAD' })).headers.get('docker-content-digest')!;
    await t.reg.putManifest(NAME, 'v2-alias', JSON.stringify(JSON.parse(await (await t.reg.fetch(`/v2/${NAME}/manifests/v2`)).text())));
    expect((await t.reg.fetch(`/v2/${NAME}/manifests/v2`, { method: 'DELETE' })).status).toBe(202);
    expect((await t.reg.fetch(`/v2/${NAME}/manifests/v2`, { method: 'HEAD' })).status).toBe(404);
    expect((await t.reg.fetch(`/v2/${NAME}/manifests/${d2}`, { method: 'HEAD' })).status).toBe(200);
    expect((await t.reg.fetch(`/v2/${NAME}/manifests/${d2}`, { method: 'DELETE' })).status).toBe(202);
    expect((await t.reg.fetch(`/v2/${NAME}/manifests/v2-alias`, { method: 'HEAD' })).status).toBe(404);
    expect((await t.reg.fetch(`/v2/${NAME}/manifests/${d2}`, { method: 'DELETE' })).status).toBe(404);
  });
});
