// PATCH/PUT/GET/DELETE on an upload session: chunk order, status, completion, and interrupted clients.
import { request } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ociError, sha256, useRegistry } from '../../../../test/support/registry.js';

const t = useRegistry(['repo']);
const NAME = 'test-project/repo/app';

const patch = (loc: string, body: string, range?: string) =>
  t.reg.fetch(loc, { method: 'PATCH', body, headers: { 'content-type': 'application/octet-stream', ...(range ? { 'content-range': range } : {}) } });

describe('patchBlobUpload', () => {
  it('accepts chunks in order and reports the received range', async () => {
    const loc = await t.reg.startUpload(NAME);
    const first = await patch(loc, 'hello ', '0-5');
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-5');
    const second = await patch(first.headers.get('location')!, 'world', '6-10');
    expect(second.headers.get('range')).toBe('0-10');
    const status = await t.reg.fetch(loc);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-10');
    const done = await t.reg.fetch(`${loc}?digest=${sha256('hello world')}`, { method: 'PUT' });
    expect(done.status).toBe(201);
    expect(await (await t.reg.fetch(done.headers.get('location')!)).text()).toBe('hello world');
  });

  it('answers 416 with the current Range when a chunk does not start at the offset, and stays usable', async () => {
    const loc = await t.reg.startUpload(NAME);
    await patch(loc, 'abc', '0-2');
    const gap = await patch(loc, 'xyz', '10-12');
    expect(gap.status).toBe(416);
    expect(gap.headers.get('range')).toBe('0-2');
    const overlap = await patch(loc, 'abc', '0-2');
    expect(overlap.status).toBe(416);
    expect((await patch(loc, 'def', '3-5')).status).toBe(202);
    expect((await t.reg.fetch(`${loc}?digest=${sha256('abcdef')}`, { method: 'PUT' })).status).toBe(201);
  });

  it('refuses a Content-Range that disagrees with Content-Length', async () => {
    const loc = await t.reg.startUpload(NAME);
    const res = await patch(loc, 'abcd', '0-9');
    expect(res.status).toBe(416);
  });

  it('answers BLOB_UPLOAD_UNKNOWN for unknown, malformed or traversing upload ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '..%2F..%2Fmeta']) {
      const res = await patch(`/v2/${NAME}/blobs/uploads/${id}`, 'x');
      expect(res.status).toBe(404);
      expect(await ociError(res)).toBe('BLOB_UPLOAD_UNKNOWN');
    }
  });

  it('answers BLOB_UPLOAD_UNKNOWN when a session is used under another image name', async () => {
    const loc = await t.reg.startUpload(NAME);
    const res = await patch(loc.replace('/app/', '/other/'), 'x');
    expect(res.status).toBe(404);
  });

  it('rolls back to the last good offset when the client disconnects mid-chunk', async () => {
    const loc = await t.reg.startUpload(NAME);
    await patch(loc, 'good', '0-3');
    await new Promise<void>((resolve) => {
      const url = new URL(loc, t.emu.url);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PATCH', headers: { 'content-length': '1000000', 'content-range': '4-1000003' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(64 * 1024, 1), () => setTimeout(() => { req.destroy(); resolve(); }, 50));
    });
    let range = '';
    for (let i = 0; i < 100 && range !== '0-3'; i++) {
      range = (await t.reg.fetch(loc)).headers.get('range') ?? '';
      if (range !== '0-3') await new Promise((r) => setTimeout(r, 20));
    }
    expect(range).toBe('0-3');
    const id = loc.split('/').pop()!;
    expect((await readFile(join(t.emu.dataDir, 'uploads', id, 'data'))).toString()).toBe('good');
    expect((await patch(loc, 'more', '4-7')).status).toBe(202);
    expect((await t.reg.fetch(`${loc}?digest=${sha256('goodmore')}`, { method: 'PUT' })).status).toBe(201);
  });
});

describe('completeBlobUpload', () => {
  it('requires a digest', async () => {
    const loc = await t.reg.startUpload(NAME);
    const res = await t.reg.fetch(loc, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('DIGEST_INVALID');
  });

  it('refuses bytes that do not match the digest, discarding the session and leaving no blob', async () => {
    const loc = await t.reg.startUpload(NAME);
    const wrong = sha256('expected');
    const res = await t.reg.fetch(`${loc}?digest=${wrong}`, { method: 'PUT', body: 'actual' });
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('DIGEST_INVALID');
    expect((await t.reg.fetch(`/v2/${NAME}/blobs/${wrong}`, { method: 'HEAD' })).status).toBe(404);
    expect((await t.reg.fetch(loc)).status).toBe(404);
    const hex = wrong.slice(7);
    expect(await readdir(join(t.emu.dataDir, 'blobs', 'sha256', hex.slice(0, 2))).catch(() => [])).not.toContain(hex);
  });

  it('refuses a body shorter than its Content-Length as a size mismatch', async () => {
    const loc = await t.reg.startUpload(NAME);
    const url = new URL(`${loc}?digest=${sha256('abc')}`, t.emu.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'PUT', headers: { 'content-length': '10' } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      req.end('abc');
      setTimeout(() => req.destroy(), 300);
    }).catch(() => 0);
    expect([0, 400]).toContain(status);
    expect((await t.reg.fetch(`/v2/${NAME}/blobs/${sha256('abc')}`, { method: 'HEAD' })).status).toBe(404);
  });
});

describe('getBlobUploadStatus', () => {
  it('answers 204 with Location, upload id and Range 0-0 for an empty session', async () => {
    const loc = await t.reg.startUpload(NAME);
    const res = await t.reg.fetch(loc);
    expect(res.status).toBe(204);
    expect(res.headers.get('location')).toBe(loc);
    expect(res.headers.get('range')).toBe('0-0');
    expect(res.headers.get('docker-upload-uuid')).toBe(loc.split('/').pop());
  });
});

describe('cancelBlobUpload', () => {
  it('deletes the session and its bytes', async () => {
    const loc = await t.reg.startUpload(NAME);
    await patch(loc, 'bytes', '0-4');
    expect((await t.reg.fetch(loc, { method: 'DELETE' })).status).toBe(204);
    expect((await t.reg.fetch(loc)).status).toBe(404);
    expect(await readdir(join(t.emu.dataDir, 'uploads'))).not.toContain(loc.split('/').pop());
  });
});
