// HEAD/GET/DELETE /v2/<name>/blobs/<digest>, with byte ranges.
import { beforeAll, describe, expect, it } from 'vitest';
import { ociError, sha256, useRegistry } from '../../../../test/support/registry.js';

const t = useRegistry(['repo']);
const NAME = 'test-project/repo/app';
const DATA = Buffer.from(Array.from({ length: 2048 }, (_, i) => i % 251));
let digest = '';

beforeAll(async () => {
  digest = await t.reg.pushBlob(NAME, DATA);
});

describe('headBlob', () => {
  it('answers with the length and digest and no body', async () => {
    const head = await t.reg.fetch(`/v2/${NAME}/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('2048');
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    expect(await head.text()).toBe('');
  });

  it('answers 404 with no body for an unknown blob', async () => {
    const head = await t.reg.fetch(`/v2/${NAME}/blobs/${sha256('unknown')}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(await head.text()).toBe('');
  });
});

describe('getBlob', () => {
  it('answers with the bytes', async () => {
    const get = await t.reg.fetch(`/v2/${NAME}/blobs/${digest}`);
    expect(Buffer.from(await get.arrayBuffer())).toEqual(DATA);
  });

  it.each([
    ['bytes=500-1499', 500, 1499],
    ['bytes=500-', 500, 2047],
    ['bytes=-500', 1548, 2047],
    ['bytes=2000-5000', 2000, 2047],
  ])('serves Range %s as 206 with Content-Range', async (range, start, end) => {
    const res = await t.reg.fetch(`/v2/${NAME}/blobs/${digest}`, { headers: { range } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/2048`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(DATA.subarray(start, end + 1));
  });

  it.each(['bytes=500-0', 'bytes=5000-10000', 'lines=1-2'])('answers 416 to the unsatisfiable Range %s', async (range) => {
    const res = await t.reg.fetch(`/v2/${NAME}/blobs/${digest}`, { headers: { range } });
    expect(res.status).toBe(416);
  });

  it('answers 416 naming the size when no byte of the Range exists, and 416 to several ranges at once', async () => {
    const beyond = await t.reg.fetch(`/v2/${NAME}/blobs/${digest}`, { headers: { range: 'bytes=5000-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */2048');
    expect((await t.reg.fetch(`/v2/${NAME}/blobs/${digest}`, { headers: { range: 'bytes=0-1,5-6' } })).status).toBe(416);
  });

  it('does not serve a blob linked only into another image', async () => {
    const res = await t.reg.fetch(`/v2/test-project/repo/elsewhere/blobs/${digest}`);
    expect(res.status).toBe(404);
    expect(await ociError(res)).toBe('BLOB_UNKNOWN');
  });

  it('answers DIGEST_INVALID for a traversal attempt in the digest', async () => {
    const res = await t.reg.fetch(`/v2/${NAME}/blobs/sha256:..%2F..%2F..%2Fetc%2Fpasswd`);
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('DIGEST_INVALID');
  });

});

describe('deleteBlob', () => {
  it('deletes with 202, after which the blob is unknown at once', async () => {
    const d = await t.reg.pushBlob(NAME, 'short-lived');
    expect((await t.reg.fetch(`/v2/${NAME}/blobs/${d}`, { method: 'DELETE' })).status).toBe(202);
    expect((await t.reg.fetch(`/v2/${NAME}/blobs/${d}`, { method: 'HEAD' })).status).toBe(404);
    expect((await t.reg.fetch(`/v2/${NAME}/blobs/${sha256('never')}`, { method: 'DELETE' })).status).toBe(404);
  });
});
