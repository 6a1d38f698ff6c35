// npm remote repositories over a hand-written upstream (fake-npm-upstream.ts): packument miss → fetch → cache →
// hit per Accept kind, tarball URLs rewritten, tarballs streamed and stored as versions the control plane lists,
// the TTL in emulator time with If-None-Match revalidation, a cached version that never changes, stale answers
// and 503s when the upstream fails, 404s cached briefly, writes refused, and an upstream that misbehaves (wrong
// integrity, truncated body, endless body, redirect loop): a clear error, nothing cached, the next request works.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/core/events.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { FakeNpmUpstream } from './fake-npm-upstream.js';

const REPO = 'npm-cache';
const FULL = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPO}`;
const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

describe('npm remote repository over a fake upstream', () => {
  let emu: TestEmulator;
  let up: FakeNpmUpstream;
  const events: EmulatorEvent[] = [];
  const base = () => `${emu.url}/${TEST_PROJECT}/${REPO}`;
  const get = (path: string, init: RequestInit = {}) => fetch(`${base()}/${path}`, init);
  const ofType = (type: string) => events.filter((e) => e.type === type);
  const tmpFiles = () => readdir(join(emu.dataDir, 'blobs', '_tmp')).catch(() => []);

  beforeAll(async () => {
    up = await new FakeNpmUpstream().start();
    emu = await startEmulator({ upstreamClient: { readTimeoutMs: 1000, connectTimeoutMs: 1000, transferTimeoutMs: 1500, maxRedirects: 3 } });
    emu.emulator.events.onAny((e) => void events.push(e));
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'NPM', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { npmRepository: { customRepository: { uri: up.url } } } }),
    });
    expect(res.status, await res.text()).toBe(200);
  });
  afterAll(async () => {
    await emu?.stop();
    await up?.stop();
  });

  it('fetches a packument on a miss, per Accept kind, rewrites tarball URLs, and serves the next read from the cache', async () => {
    up.add('left-pad', '1.0.0');
    up.add('left-pad', '1.1.0');
    const a = await get('left-pad', { headers: { accept: ABBREVIATED } });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toContain('application/vnd.npm.install-v1+json');
    const doc = (await a.json()) as { versions: Record<string, { dist: { tarball: string } }>; 'dist-tags': Record<string, string> };
    expect(doc['dist-tags']).toEqual({ latest: '1.1.0' });
    expect(doc.versions['1.0.0']!.dist.tarball).toBe(`${base()}/left-pad/-/left-pad-1.0.0.tgz`);
    expect(up.accepts.at(-1)).toContain('application/vnd.npm.install-v1+json');
    const full = (await (await get('left-pad')).json()) as { description?: string; time?: Record<string, string> };
    expect(full.description ?? (full as { versions: Record<string, { description: string }> }).versions).toBeDefined();
    expect(up.accepts.at(-1)).toBe('application/json');
    const before = up.requests.length;
    await get('left-pad', { headers: { accept: ABBREVIATED } });
    await get('left-pad');
    expect(up.requests.length).toBe(before);
    expect(ofType('cache.hit').length).toBeGreaterThanOrEqual(2);
    expect(ofType('cache.miss').at(-1)?.data).toMatchObject({ format: 'NPM', package: 'left-pad', upstream: up.url });
  });

  it('streams a tarball on its first fetch, stores it as a version the control plane lists, then serves it from the cache', async () => {
    const first = await get('left-pad/-/left-pad-1.0.0.tgz');
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).equals(up.tarballOf('left-pad', '1.0.0'))).toBe(true);
    const before = up.count('/tarballs/');
    const second = await get('left-pad/-/left-pad-1.0.0.tgz');
    expect(Buffer.from(await second.arrayBuffer()).equals(up.tarballOf('left-pad', '1.0.0'))).toBe(true);
    expect(up.count('/tarballs/')).toBe(before);
    const versions = (await (await fetch(`${emu.url}/v1/${FULL}/packages/left-pad/versions`)).json()) as { versions: Array<{ name: string }> };
    expect(versions.versions.map((v) => v.name)).toEqual([`${FULL}/packages/left-pad/versions/1.0.0`]);
    const files = (await (await fetch(`${emu.url}/v1/${FULL}/files`)).json()) as { files: Array<{ name: string; fetchTime?: string }> };
    expect(files.files.map((f) => f.name)).toEqual([`${FULL}/files/left-pad%2F-%2Fleft-pad-1.0.0.tgz`]);
    expect(files.files[0]!.fetchTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(ofType('cache.miss').some((e) => (e.data as { kind: string; version?: string }).kind === 'file' && (e.data as { version?: string }).version === '1.0.0')).toBe(true);
  });

  it('fetches concurrent misses of one tarball once', async () => {
    up.add('concurrent', '1.0.0');
    await get('concurrent', { headers: { accept: ABBREVIATED } });
    const before = up.count('/tarballs/concurrent/');
    const bodies = await Promise.all([1, 2, 3, 4].map(async () => Buffer.from(await (await get('concurrent/-/concurrent-1.0.0.tgz')).arrayBuffer())));
    for (const b of bodies) expect(b.equals(up.tarballOf('concurrent', '1.0.0'))).toBe(true);
    expect(up.count('/tarballs/concurrent/') - before).toBe(1);
  });

  it('fetches concurrent misses of one tarball once when its packument is not cached yet either', async () => {
    up.add('cold-concurrent', '1.0.0');
    const bodies = await Promise.all([1, 2, 3, 4].map(async () => Buffer.from(await (await get('cold-concurrent/-/cold-concurrent-1.0.0.tgz')).arrayBuffer())));
    for (const b of bodies) expect(b.equals(up.tarballOf('cold-concurrent', '1.0.0'))).toBe(true);
    expect(up.count('/tarballs/cold-concurrent/')).toBe(1);
    expect(up.count('GET /cold-concurrent')).toBe(1);
  });

  it('serves scoped packages (%2f and /)', async () => {
    up.add('@scope/thing', '2.0.0');
    const res = await get('@scope%2fthing', { headers: { accept: ABBREVIATED } });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { versions: Record<string, { dist: { tarball: string } }> };
    expect(doc.versions['2.0.0']!.dist.tarball).toBe(`${base()}/@scope/thing/-/thing-2.0.0.tgz`);
    const tgz = await get('@scope/thing/-/thing-2.0.0.tgz');
    expect(Buffer.from(await tgz.arrayBuffer()).equals(up.tarballOf('@scope/thing', '2.0.0'))).toBe(true);
    expect((await get('-/package/@scope%2fthing/dist-tags')).status).toBe(200);
  });

  it('revalidates a packument after its TTL with If-None-Match, and a cached version never changes even when the upstream\'s does', async () => {
    const before = up.count('GET /left-pad');
    emu.emulator.clock.advance(301_000);
    await get('left-pad', { headers: { accept: ABBREVIATED } });
    expect(up.count('GET /left-pad') - before).toBe(1);
    // the upstream republishes 1.0.0 with other bytes and drops 1.1.0's sibling… the cached 1.0.0 wins
    up.add('left-pad', '1.0.0', { description: 'changed', dependencies: { evil: '1.0.0' } });
    up.packages.get('left-pad')!.delete('1.1.0');
    emu.emulator.clock.advance(301_000);
    const doc = (await (await get('left-pad', { headers: { accept: ABBREVIATED } })).json()) as { versions: Record<string, { dependencies?: unknown; dist: { integrity: string } }> };
    expect(doc.versions['1.0.0']!.dependencies).toBeUndefined();
    expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
    const tgz = Buffer.from(await (await get('left-pad/-/left-pad-1.0.0.tgz')).arrayBuffer());
    expect(tgz.equals(up.tarballOf('left-pad', '1.0.0'))).toBe(false);
    // cached versions that vanish upstream are still served
    up.packages.delete('left-pad');
    emu.emulator.clock.advance(301_000);
    const gone = (await (await get('left-pad', { headers: { accept: ABBREVIATED } })).json()) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string> };
    expect(Object.keys(gone.versions)).toEqual(['1.0.0']);
    expect(gone['dist-tags'].latest).toBe('1.0.0');
  });

  it('answers from the cache with a stale warning when the upstream is down, and 503 naming the reason on a miss', async () => {
    up.add('stale-pkg', '1.0.0');
    await get('stale-pkg', { headers: { accept: ABBREVIATED } });
    emu.emulator.clock.advance(301_000);
    const fault = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: FULL, mode: 'down' }) });
    expect(fault.status, await fault.text()).toBeLessThan(300);
    try {
      const stale = await get('stale-pkg', { headers: { accept: ABBREVIATED } });
      expect(stale.status).toBe(200);
      expect(stale.headers.get('warning')).toBe('110 - "Response is Stale"');
      expect(ofType('upstream.failed').at(-1)?.data).toMatchObject({ format: 'NPM', package: 'stale-pkg', served: true });
      const miss = await get('never-seen', { headers: { accept: ABBREVIATED } });
      expect(miss.status).toBe(503);
      expect(((await miss.json()) as { error: string }).error).toMatch(/cannot fetch never-seen.*injected fault/);
    } finally {
      await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
    }
  });

  it('answers an upstream 404 with npm\'s 404 and caches it briefly', async () => {
    const res = await get('no-such-package');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/not in this registry/);
    const n = up.count('/no-such-package');
    expect((await get('no-such-package')).status).toBe(404);
    expect(up.count('/no-such-package')).toBe(n);
  });

  it('refuses publish, dist-tag and unpublish with npm\'s 405', async () => {
    const put = await get('left-pad', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(put.status).toBe(405);
    expect(((await put.json()) as { error: string }).error).toMatch(/remote repository: it is read-only/);
    expect((await get('-/package/concurrent/dist-tags/beta', { method: 'PUT', body: '"1.0.0"' })).status).toBe(405);
    expect((await get('concurrent/-rev/1-abc', { method: 'DELETE' })).status).toBe(405);
  });

  for (const bad of ['wrong-bytes', 'truncated', 'endless', 'redirect-loop'] as const) {
    it(`a tarball the upstream ${bad === 'wrong-bytes' ? 'sends with the wrong integrity' : bad === 'endless' ? 'sends endlessly slowly' : bad === 'truncated' ? 'truncates' : 'redirects in a loop'}: a clear error, nothing cached, the next good request works`, async () => {
      const name = `bad-${bad}`;
      const path = up.add(name, '1.0.0');
      await get(name, { headers: { accept: ABBREVIATED } });
      up.misbehave.set(path, bad);
      const res = await get(`${name}/-/${name}-1.0.0.tgz`).catch((err: Error) => err);
      if (bad === 'redirect-loop') {
        expect(res instanceof Response && res.status).toBe(503);
        expect(((await (res as Response).json()) as { error: string }).error).toMatch(/redirected more than/);
      } else if (res instanceof Response) {
        // the body started streaming: the client never gets all of it
        const got = await res.arrayBuffer().then((b) => Buffer.from(b), (err: Error) => err);
        expect(got instanceof Error || !got.equals(up.tarballOf(name, '1.0.0'))).toBe(true);
      }
      await expect.poll(() => ofType('upstream.failed').some((e) => (e.data as { package?: string }).package === name)).toBe(true);
      const versions = (await (await fetch(`${emu.url}/v1/${FULL}/packages/${name}/versions`)).json()) as { versions?: unknown[] };
      expect(versions.versions ?? []).toEqual([]);
      expect(await tmpFiles()).toEqual([]);
      up.misbehave.delete(path);
      const ok = await get(`${name}/-/${name}-1.0.0.tgz`);
      expect(ok.status).toBe(200);
      expect(Buffer.from(await ok.arrayBuffer()).equals(up.tarballOf(name, '1.0.0'))).toBe(true);
    });
  }

  it('a packument the upstream fails to send (500, truncated) is a 503 and nothing is cached', async () => {
    up.add('bad-doc', '1.0.0');
    up.misbehave.set('/bad-doc', 'truncated');
    const res = await get('bad-doc');
    expect(res.status).toBe(503);
    up.misbehave.set('/bad-doc', 'status-500');
    expect((await get('bad-doc')).status).toBe(503);
    up.misbehave.delete('/bad-doc');
    expect((await get('bad-doc')).status).toBe(200);
  });

  it('lets a cleanup policy delete cached versions; the next read fetches them again', async () => {
    up.add('aged', '1.0.0');
    await get('aged', { headers: { accept: ABBREVIATED } });
    expect((await get('aged/-/aged-1.0.0.tgz')).status).toBe(200);
    const patch = await fetch(`${emu.url}/v1/${FULL}?updateMask=cleanupPolicies`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cleanupPolicies: { old: { id: 'old', action: 'DELETE', condition: { tagState: 'ANY', packageNamePrefixes: ['aged'] } } } }),
    });
    expect(patch.status, await patch.text()).toBe(200);
    const run = await fetch(`${emu.url}/_emulator/cleanup:run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: FULL }) });
    expect(run.status, await run.text()).toBe(200);
    const versions = (await (await fetch(`${emu.url}/v1/${FULL}/packages/aged/versions`)).json()) as { versions?: unknown[] };
    expect(versions.versions ?? []).toEqual([]);
    await fetch(`${emu.url}/v1/${FULL}?updateMask=cleanupPolicies`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cleanupPolicies: {} }) });
    const before = up.count('/tarballs/aged/');
    expect((await get('aged/-/aged-1.0.0.tgz')).status).toBe(200);
    expect(up.count('/tarballs/aged/')).toBe(before + 1);
  });

  it('ends a loop (a remote repository whose upstream is itself) with a 503 that says so, quickly', async () => {
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=loop`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'NPM', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { npmRepository: { customRepository: { uri: `${emu.url}/${TEST_PROJECT}/loop` } } } }),
    });
    expect(res.status, await res.text()).toBe(200);
    const loop = await fetch(`${emu.url}/${TEST_PROJECT}/loop/anything`, { headers: { accept: ABBREVIATED } });
    expect(loop.status).toBe(503);
    expect(((await loop.json()) as { error: string }).error).toMatch(/leads back to this emulator/);
  });

  it('keeps cached packuments and tarballs through garbage collection', async () => {
    const gc = await fetch(`${emu.url}/_emulator/gc`, { method: 'POST' });
    expect(gc.status).toBeLessThan(300);
    const tarballs = up.count('/tarballs/');
    const misses = ofType('cache.miss').length;
    // the packument is due for revalidation by now: the upstream answers 304 and the cached copy (still there) serves
    expect((await get('concurrent', { headers: { accept: ABBREVIATED } })).status).toBe(200);
    expect((await get('concurrent/-/concurrent-1.0.0.tgz')).status).toBe(200);
    expect(up.count('/tarballs/')).toBe(tarballs);
    expect(ofType('cache.miss').length).toBe(misses);
  });
});
