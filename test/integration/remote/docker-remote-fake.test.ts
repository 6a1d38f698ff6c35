// Docker remote repositories over a hand-written upstream (fake-upstream.ts): miss → fetch → cache → hit, the tag
// TTL in emulator time, faults and offline through UpstreamConditions, pushes refused, and an upstream that
// misbehaves (wrong digest, truncated body, endless body, redirect loop): a clear error, nothing wrong cached.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/core/events.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { FakeUpstream, sha256 } from './fake-upstream.js';

const REPO = 'cache';
const FULL = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPO}`;
const NAME = `${TEST_PROJECT}/${REPO}`;
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

describe('Docker remote repository over a fake upstream', () => {
  let emu: TestEmulator;
  let up: FakeUpstream;
  const events: EmulatorEvent[] = [];
  const get = (path: string, init: RequestInit = {}) => fetch(`${emu.url}/v2/${NAME}/${path}`, { ...init, headers: { accept: ACCEPT, ...(init.headers ?? {}) } });
  const ofType = (type: string) => events.filter((e) => e.type === type);

  beforeAll(async () => {
    up = await new FakeUpstream().start();
    emu = await startEmulator({ upstreamClient: { readTimeoutMs: 1000, connectTimeoutMs: 1000, transferTimeoutMs: 1500 } });
    emu.emulator.events.onAny((e) => void events.push(e));
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        format: 'DOCKER',
        mode: 'REMOTE_REPOSITORY',
        remoteRepositoryConfig: { description: 'fake', dockerRepository: { customRepository: { uri: up.url } }, disableUpstreamValidation: true },
      }),
    });
    expect(res.status, await res.text()).toBe(200);
  });
  afterAll(async () => {
    await emu?.stop();
    await up?.stop();
  });

  it('round-trips remoteRepositoryConfig exactly', async () => {
    const res = await fetch(`${emu.url}/v1/${FULL}`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.mode).toBe('REMOTE_REPOSITORY');
    expect(body.remoteRepositoryConfig).toEqual({ description: 'fake', dockerRepository: { customRepository: { uri: up.url } }, disableUpstreamValidation: true });
  });

  it('fetches on the first pull (cache miss) and serves the second from the cache (no upstream request)', async () => {
    const img = up.addImage('app', '1', 'layer-one');
    const first = await get('app/manifests/1');
    expect(first.status).toBe(200);
    expect(first.headers.get('docker-content-digest')).toBe(img.digest);
    expect(Buffer.from(await first.arrayBuffer()).equals(img.manifest)).toBe(true);
    const blob = await get(`app/blobs/${img.layer}`);
    expect(await blob.text()).toBe('layer-one');
    const before = up.requests.length;
    expect(before).toBe(2);
    const second = await get('app/manifests/1');
    expect(second.status).toBe(200);
    expect(second.headers.get('warning')).toBeNull();
    expect(await (await get(`app/blobs/${img.layer}`)).text()).toBe('layer-one');
    expect((await get(`app/manifests/${img.digest}`)).status).toBe(200);
    expect(up.requests.length).toBe(before);
    await new Promise((r) => setTimeout(r, 20));
    expect(ofType('cache.miss').length).toBeGreaterThanOrEqual(2);
    expect(ofType('cache.hit').length).toBeGreaterThanOrEqual(2);
  });

  it('lists cached content in packages and versions', async () => {
    const res = await fetch(`${emu.url}/v1/${FULL}/packages`);
    const body = (await res.json()) as { packages?: Array<{ name: string }> };
    expect(body.packages?.map((p) => p.name)).toContain(`${FULL}/packages/app`);
    const files = (await (await fetch(`${emu.url}/v1/${FULL}/files`)).json()) as { files?: Array<{ name: string; fetchTime?: string }> };
    expect(files.files?.length).toBeGreaterThanOrEqual(2); // the manifest and the layer pulled so far
    for (const f of files.files ?? []) expect(f.fetchTime, f.name).toMatch(/^\d{4}-/);
  });

  it('keeps cached blobs through garbage collection', async () => {
    await emu.emulator.collectGarbage();
    const img = up.addImage('gc', '1', 'gc-layer');
    expect((await get('gc/manifests/1')).status).toBe(200);
    expect(await (await get(`gc/blobs/${img.layer}`)).text()).toBe('gc-layer');
    await emu.emulator.collectGarbage();
    const before = up.requests.length;
    expect(await (await get(`gc/blobs/${img.layer}`)).text()).toBe('gc-layer');
    expect((await get(`gc/manifests/${img.digest}`)).status).toBe(200);
    expect(up.requests.length).toBe(before);
  });

  it('fetches an uncached blob once for concurrent requests', async () => {
    const d = up.addBlob('concurrent-blob');
    const all = await Promise.all([1, 2, 3, 4].map(() => get(`app/blobs/${d}`).then((r) => r.text())));
    expect(all).toEqual(['concurrent-blob', 'concurrent-blob', 'concurrent-blob', 'concurrent-blob']);
    expect(up.count(`/blobs/${d}`)).toBe(1);
  });

  it('revalidates a tag only after its TTL (emulator time)', async () => {
    const v1 = up.addImage('moving', 'latest', 'moving-1');
    expect((await get('moving/manifests/latest')).headers.get('docker-content-digest')).toBe(v1.digest);
    const v2 = up.addImage('moving', 'latest', 'moving-2');
    expect((await get('moving/manifests/latest')).headers.get('docker-content-digest')).toBe(v1.digest);
    emu.emulator.clock.advance(301_000);
    expect((await get('moving/manifests/latest')).headers.get('docker-content-digest')).toBe(v2.digest);
    // the old digest, once cached, is still served as it was
    expect((await get(`moving/manifests/${v1.digest}`)).status).toBe(200);
  });

  it('serves the cache with a Warning when the upstream is down, and a clear error on a miss', async () => {
    up.addImage('app', '2', 'layer-two');
    emu.emulator.upstream.setFault({ repository: FULL, mode: 'down' });
    try {
      emu.emulator.clock.advance(301_000); // the tag is due for revalidation
      const res = await get('app/manifests/1');
      expect(res.status).toBe(200);
      expect(res.headers.get('warning')).toBe('110 - "Response is Stale"');
      await new Promise((r) => setTimeout(r, 20));
      const failed = ofType('upstream.failed').at(-1)!.data as { served: boolean; reason: string };
      expect(failed.served).toBe(true);
      const miss = await get('app/manifests/2');
      expect(miss.status).toBe(503);
      const err = (await miss.json()) as { errors: Array<{ code: string; message: string }> };
      expect(err.errors[0]!.code).toBe('UNAVAILABLE');
      expect(err.errors[0]!.message).toMatch(/connection refused/);
    } finally {
      emu.emulator.upstream.clearFaults(FULL);
    }
    expect((await get('app/manifests/2')).status).toBe(200);
  });

  it('serves the cache when the upstream rate-limits (status fault)', async () => {
    emu.emulator.upstream.setFault({ repository: FULL, mode: 'status', status: 429 });
    try {
      emu.emulator.clock.advance(301_000);
      const res = await get('app/manifests/1');
      expect(res.status).toBe(200);
      expect(res.headers.get('warning')).toMatch(/Stale/);
    } finally {
      emu.emulator.upstream.clearFaults(FULL);
    }
  });

  it('offline: makes no upstream request, serves the cache, says so on a miss', async () => {
    up.addImage('app', '3', 'layer-three');
    emu.emulator.upstream.setOffline(FULL, true);
    try {
      const before = up.requests.length;
      expect((await get('app/manifests/1')).status).toBe(200);
      const miss = await get('app/manifests/3');
      expect(miss.status).toBe(503);
      expect(await miss.text()).toMatch(/offline/);
      expect(up.requests.length).toBe(before);
    } finally {
      emu.emulator.upstream.setOffline(FULL, false);
    }
  });

  it('refuses pushes and registry deletes', async () => {
    const start = await fetch(`${emu.url}/v2/${NAME}/app/blobs/uploads/`, { method: 'POST' });
    expect(start.status).toBe(405);
    expect(await start.text()).toMatch(/remote repository/);
    const put = await fetch(`${emu.url}/v2/${NAME}/app/manifests/x`, { method: 'PUT', headers: { 'content-type': ACCEPT }, body: '{}' });
    expect(put.status).toBe(405);
    const del = await fetch(`${emu.url}/v2/${NAME}/app/manifests/1`, { method: 'DELETE' });
    expect(del.status).toBe(405);
  });

  it('answers an upstream 404 with MANIFEST_UNKNOWN', async () => {
    const res = await get('nothing/manifests/here');
    expect(res.status).toBe(404);
  });

  for (const bad of ['wrong-bytes', 'truncated', 'endless', 'redirect-loop'] as const) {
    it(`a blob the upstream ${bad === 'wrong-bytes' ? 'sends with the wrong digest' : bad}: clear error, nothing cached, right bytes once fixed`, async () => {
      const data = `blob-for-${bad}-${'z'.repeat(2000)}`;
      const d = up.addBlob(data);
      const path = `/v2/app/blobs/${d}`;
      up.misbehave.set(path, bad);
      if (bad === 'redirect-loop') {
        // fails before any byte arrives: a clear error
        const res = await get(`app/blobs/${d}`);
        expect(res.status).toBe(503);
        const err = (await res.json()) as { errors: Array<{ code: string; message: string }> };
        expect(err.errors[0]!.code).toBe('UNAVAILABLE');
      } else {
        // the first fetch streams while it is stored: bytes that fail verification are cut off short, never complete
        const outcome = await get(`app/blobs/${d}`).then(
          (r) => r.text().then((text) => (text === data ? 'complete' : `status ${r.status}, other bytes`), () => 'cut off'),
          () => 'cut off',
        );
        expect(outcome).toBe('cut off');
        await expect.poll(() => ofType('upstream.failed').some((e) => (e.data as { package?: string }).package === 'app')).toBe(true);
      }
      // nothing kept: no link, no temp file
      expect((await get(`app/blobs/${d}`, { method: 'HEAD', headers: { 'x-probe': '1' } })).status).toBe(503);
      expect(await readdir(join(emu.dataDir, 'blobs', '_tmp')).catch(() => [])).toEqual([]);
      up.misbehave.delete(path);
      const ok = await get(`app/blobs/${d}`);
      expect(ok.status).toBe(200);
      const text = await ok.text();
      expect(text).toBe(data);
      expect(sha256(text)).toBe(d);
      expect((await fetch(`${emu.url}/v2/`)).status).toBe(200);
    });
  }

  it('a manifest by digest the upstream sends with other bytes is refused and not cached', async () => {
    const img = up.addImage('app', '4', 'layer-four');
    const path = `/v2/app/manifests/${img.digest}`;
    up.misbehave.set(path, 'wrong-bytes');
    expect((await get(`app/manifests/${img.digest}`)).status).toBe(503);
    up.misbehave.delete(path);
    const ok = await get(`app/manifests/${img.digest}`);
    expect(ok.headers.get('docker-content-digest')).toBe(img.digest);
  });
});
