// GET /NAME/-/FILE.tgz and DELETE /NAME/-/FILE.tgz/-rev/REV over HTTP.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useNpmRegistry } from '../../../../test/integration/npm/npm-http.js';

const r = useNpmRegistry();

describe('getTarball', () => {
  it('streams the published bytes with their length and sha1 ETag, for a scoped and an unscoped name', async () => {
    const bytes = Buffer.from('scoped tarball bytes');
    await r.publish('@tar/one', '1.0.0', bytes);
    for (const path of ['/@tar/one/-/one-1.0.0.tgz', '/@tar%2fone/-/one-1.0.0.tgz']) {
      const res = await r.fetch(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      expect(res.headers.get('etag')).toBe(`"${createHash('sha1').update(bytes).digest('hex')}"`);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    }
    await r.publish('plain-tar', '2.0.0-rc.1', Buffer.from('plain'));
    expect(await (await r.fetch('/plain-tar/-/plain-tar-2.0.0-rc.1.tgz')).text()).toBe('plain');
  });

  it('answers 404 for a version or file that is not there, 400 for a path', async () => {
    await r.publish('tar-two', '1.0.0');
    expect((await r.fetch('/tar-two/-/tar-two-9.9.9.tgz')).status).toBe(404);
    expect((await r.fetch('/tar-two/-/other-1.0.0.tgz')).status).toBe(404);
    expect((await r.fetch('/tar-two/-/..%2f..%2fx.tgz')).status).toBe(400);
  });
});

describe('deleteTarball', () => {
  it('answers 200 for the tarball of a version already unpublished, and unpublishes a version that still exists', async () => {
    for (const v of ['1.0.0', '1.1.0']) await r.publish('tar-del', v);
    expect((await r.fetch('/tar-del/-/tar-del-9.0.0.tgz/-rev/1-0', { method: 'DELETE' })).status).toBe(200);
    expect((await r.fetch('/tar-del/-/tar-del-1.1.0.tgz/-rev/1-0', { method: 'DELETE' })).status).toBe(200);
    const after = (await r.json<{ versions: Record<string, unknown>; 'dist-tags': Record<string, string> }>('/tar-del')).body;
    expect(Object.keys(after.versions)).toEqual(['1.0.0']);
    expect(after['dist-tags']).toEqual({ latest: '1.0.0' });
  });
});

describe('deleteTarball and garbage collection', () => {
  /** Whether the sha512-addressed blob of `bytes` is on disk (blobs/<alg>/<hex[0:2]>/<hex>, storage/paths.ts). */
  const stored = async (bytes: string) => {
    const hex = createHash('sha512').update(bytes).digest('hex');
    return (await readdir(join(r.emu.dataDir, 'blobs', 'sha512', hex.slice(0, 2))).catch((): string[] => [])).includes(hex);
  };

  it('lets the collector take an unpublished tarball and keeps the published ones', async () => {
    await r.publish('gc-keep', '1.0.0', Buffer.from('keep me'));
    await r.publish('gc-drop', '1.0.0', Buffer.from('drop me'));
    expect([await stored('keep me'), await stored('drop me')]).toEqual([true, true]);
    expect((await r.fetch('/gc-drop/-rev/1-0', { method: 'DELETE' })).status).toBe(200);
    const deadline = Date.now() + 15_000;
    while ((await stored('drop me')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect([await stored('keep me'), await stored('drop me')]).toEqual([true, false]);
    expect(await (await r.fetch('/gc-keep/-/gc-keep-1.0.0.tgz')).text()).toBe('keep me');
  });
});
