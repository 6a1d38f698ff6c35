// GET/PUT /NAME and PUT/DELETE /NAME/-rev/REV over HTTP: reads (full, abbreviated, 304), publish, deprecate,
// unpublish of a version and of a package.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useNpmRegistry } from '../../../../test/integration/npm/npm-http.js';

const r = useNpmRegistry();
const INSTALL = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' };
const putJson = (path: string, body: unknown) => r.json<{ error?: string; ok?: boolean }>(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('publishPackage', () => {
  it('stores a scoped version and answers 201', async () => {
    const res = await r.publish('@pub/one', '1.0.0');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true, id: '@pub/one', version: '1.0.0' });
  });

  it('refuses the same version again with npm\'s 403 text', async () => {
    await r.publish('twice', '1.0.0');
    const again = await r.publish('twice', '1.0.0', Buffer.from('other bytes'));
    expect(again.status).toBe(403);
    expect(await again.json()).toEqual({ error: 'You cannot publish over the previously published versions: 1.0.0.' });
  });

  it('takes a packument without attachments as a deprecation, not a republish', async () => {
    await r.publish('old-thing', '1.0.0');
    await r.publish('old-thing', '1.1.0');
    const full = (await r.json<{ versions: Record<string, Record<string, unknown>> }>('/old-thing')).body;
    full.versions['1.0.0']!.deprecated = 'do not use';
    full.versions['1.0.0']!.description = 'changed';
    expect((await putJson('/old-thing', full)).status).toBe(200);
    const after = (await r.json<{ versions: Record<string, Record<string, unknown>> }>('/old-thing', { headers: INSTALL })).body;
    expect(after.versions['1.0.0']!.deprecated).toBe('do not use');
    expect(after.versions['1.1.0']!.deprecated).toBeUndefined();
    // published fields stay as published
    expect((await r.json<{ versions: Record<string, Record<string, unknown>> }>('/old-thing')).body.versions['1.0.0']!.description).toBeUndefined();
  });

  it('refuses a metadata update naming a version that was never published', async () => {
    await r.publish('meta-only', '1.0.0');
    const res = await putJson('/meta-only', { name: 'meta-only', versions: { '1.0.0': {}, '2.0.0': { deprecated: 'x' } } });
    expect([res.status, res.body.error]).toEqual([400, 'Version 2.0.0 of meta-only was never published here: publish it with its tarball']);
  });
});

describe('getPackument', () => {
  it('answers the abbreviated document to npm install and the full one otherwise, both with an ETag', async () => {
    await r.publish('@read/pkg', '1.0.0', undefined, { manifest: { dependencies: { a: '^1.0.0' }, scripts: { install: 'node x' }, readme: 'hi' } });
    const a = await r.json<{ versions: Record<string, Record<string, unknown>>; modified: string }>('/@read%2fpkg', { headers: INSTALL });
    expect(a.headers.get('content-type')).toBe('application/vnd.npm.install-v1+json');
    expect(a.body.versions['1.0.0']).toMatchObject({ name: '@read/pkg', version: '1.0.0', dependencies: { a: '^1.0.0' }, hasInstallScript: true });
    expect(a.body.versions['1.0.0']!.dist).toEqual({
      integrity: expect.stringMatching(/^sha512-/), shasum: expect.stringMatching(/^[0-9a-f]{40}$/),
      tarball: `${r.base}/@read/pkg/-/pkg-1.0.0.tgz`,
    });
    const f = await r.json<Record<string, unknown>>('/@read%2Fpkg');
    expect(f.headers.get('content-type')).toContain('application/json');
    expect(f.body).toMatchObject({ _id: '@read/pkg', name: '@read/pkg', 'dist-tags': { latest: '1.0.0' }, readme: 'hi' });
    expect(a.headers.get('etag')).not.toBe(f.headers.get('etag'));
    expect((await r.fetch('/@read%2fpkg', { headers: { ...INSTALL, 'if-none-match': a.headers.get('etag')! } })).status).toBe(304);
  });

  it('builds tarball URLs from the Host the request came by', async () => {
    await r.publish('hosted', '1.0.0');
    const { port } = new URL(r.emu.url);
    const body = await new Promise<string>((resolve, reject) => {
      request(`${r.base}/hosted`, { headers: { host: `localhost:${port}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve(text));
      }).on('error', reject).end();
    });
    expect((JSON.parse(body) as { versions: Record<string, { dist: { tarball: string } }> }).versions['1.0.0']!.dist.tarball).toBe(`http://localhost:${port}/test-project/npm-repo/hosted/-/hosted-1.0.0.tgz`);
  });

  it('answers an unknown package with 404 in npm\'s dialect', async () => {
    expect(await r.json('/never-published')).toMatchObject({ status: 404, body: { error: 'package "never-published" is not in this registry' } });
  });
});

describe('updatePackumentRev', () => {
  it('unpublishes the versions the document leaves out and takes its dist-tags', async () => {
    for (const v of ['1.0.0', '1.1.0', '2.0.0']) await r.publish('trim-me', v);
    const full = (await r.json<{ _rev: string; versions: Record<string, unknown>; 'dist-tags': Record<string, string> }>('/trim-me')).body;
    delete full.versions['2.0.0'];
    full['dist-tags'] = { latest: '1.1.0' };
    expect((await putJson(`/trim-me/-rev/${full._rev}`, full)).status).toBe(200);
    const after = (await r.json<{ versions: Record<string, unknown>; 'dist-tags': Record<string, string> }>('/trim-me')).body;
    expect(Object.keys(after.versions)).toEqual(['1.0.0', '1.1.0']);
    expect(after['dist-tags']).toEqual({ latest: '1.1.0' });
  });

  it('refuses dist-tags that point at a removed version', async () => {
    for (const v of ['1.0.0', '2.0.0']) await r.publish('trim-bad', v);
    const res = await putJson('/trim-bad/-rev/1-0', { name: 'trim-bad', versions: { '1.0.0': {} }, 'dist-tags': { latest: '2.0.0' } });
    expect([res.status, res.body.error]).toEqual([400, 'dist-tag "latest" points at 2.0.0, which is not a version of trim-bad']);
    expect(Object.keys((await r.json<{ versions: Record<string, unknown> }>('/trim-bad')).body.versions)).toEqual(['1.0.0', '2.0.0']);
  });
});

describe('unpublishPackage', () => {
  it('removes every version, tag and the package', async () => {
    for (const v of ['1.0.0', '1.0.1']) await r.publish('@gone/all', v);
    const rev = (await r.json<{ _rev: string }>('/@gone%2fall')).body._rev;
    expect((await r.fetch(`/@gone%2fall/-rev/${rev}`, { method: 'DELETE' })).status).toBe(200);
    expect((await r.fetch('/@gone%2fall')).status).toBe(404);
    expect((await r.fetch('/@gone/all/-/all-1.0.0.tgz')).status).toBe(404);
    expect((await r.fetch('/@gone%2fall/-rev/1-0', { method: 'DELETE' })).status).toBe(404);
  });
});
