// POST /v2/<name>/blobs/uploads/ — start, monolithic, mount; and the bad inputs it must refuse cleanly.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ociError, sha256, sha512, useRegistry } from '../../../../test/support/registry.js';

const t = useRegistry(['repo', 'other']);
const NAME = 'test-project/repo/app';

const blobFiles = async () => {
  const out: string[] = [];
  for (const alg of ['sha256', 'sha512']) {
    for (const p of await readdir(join(t.emu.dataDir, 'blobs', alg)).catch(() => [])) out.push(...(await readdir(join(t.emu.dataDir, 'blobs', alg, p))));
  }
  return out;
};

describe('startBlobUpload', () => {
  it('answers 202 with a Location, an upload id and Range 0-0', async () => {
    const res = await t.reg.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toMatch(new RegExp(`^/v2/${NAME}/blobs/uploads/[0-9a-f-]{36}$`));
    expect(res.headers.get('docker-upload-uuid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('range')).toBe('0-0');
  });

  it('stores a monolithic upload with sha256 and with sha512 digests', async () => {
    for (const digest of [sha256('mono'), sha512('mono')]) {
      const res = await t.reg.fetch(`/v2/${NAME}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: 'mono' });
      expect(res.status).toBe(201);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(await (await t.reg.fetch(`/v2/${NAME}/blobs/${digest}`)).text()).toBe('mono');
    }
  });

  it('refuses a digest mismatch with DIGEST_INVALID and keeps nothing', async () => {
    const before = await blobFiles();
    const uploadsBefore = await readdir(join(t.emu.dataDir, 'uploads'));
    const res = await t.reg.fetch(`/v2/${NAME}/blobs/uploads/?digest=${sha256('other bytes')}`, { method: 'POST', body: 'these bytes' });
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('DIGEST_INVALID');
    expect(await blobFiles()).toEqual(before);
    expect(await readdir(join(t.emu.dataDir, 'uploads'))).toEqual(uploadsBefore);
  });

  it.each([
    ['a malformed digest', 'sha256:xyz'],
    ['an unknown algorithm', `md5:${'a'.repeat(32)}`],
    ['a path traversal in the digest', 'sha256:../../../../etc/passwd'],
    ['an upper-case hex digest', `sha256:${'A'.repeat(64)}`],
  ])('refuses %s with DIGEST_INVALID', async (_what, digest) => {
    const res = await t.reg.fetch(`/v2/${NAME}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(400);
    expect(await ociError(res)).toBe('DIGEST_INVALID');
  });

  it('refuses a push into a repository that does not exist with the real service text', async () => {
    const res = await t.reg.fetch('/v2/test-project/missing/app/blobs/uploads/', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: [{ code: 'NAME_UNKNOWN', message: 'Repository "missing" not found' }] });
  });

  it('refuses a name without an image with NAME_INVALID and the real service text', async () => {
    const res = await t.reg.fetch('/v2/test-project/repo/blobs/uploads/', { method: 'POST' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors[0]).toEqual({ code: 'NAME_INVALID', message: expect.stringContaining('Missing image name') });
  });

  it.each(['test-project/repo/../../etc', 'test-project/repo/a%2Fb', 'test-project/repo/a%00b', 'test-project/repo/UPPER'])('refuses the name %s with NAME_INVALID', async (name) => {
    const res = await t.reg.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
    expect([400, 404]).toContain(res.status);
    if (res.status === 400) expect(await ociError(res)).toBe('NAME_INVALID');
  });

  it('mounts a blob from another repository with 201, and starts an upload when the source lacks it', async () => {
    const digest = await t.reg.pushBlob('test-project/other/src', 'mount me');
    const mounted = await t.reg.fetch(`/v2/${NAME}/blobs/uploads/?mount=${digest}&from=test-project/other/src`, { method: 'POST' });
    expect(mounted.status).toBe(201);
    expect(mounted.headers.get('location')).toBe(`/v2/${NAME}/blobs/${digest}`);
    const missing = await t.reg.fetch(`/v2/${NAME}/blobs/uploads/?mount=${sha256('nowhere')}&from=test-project/other/src`, { method: 'POST' });
    expect(missing.status).toBe(202);
  });
});
