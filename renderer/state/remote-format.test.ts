// Remote repositories in the feed: cache hits and misses, upstream failures and fault changes read in words;
// per repository hit ratios tallied from the events.
import { describe, expect, it } from 'vitest';
import type { FeedEvent } from '../api/types.js';
import { cacheTallies, describeHitRatio, hitRatio } from './cache-stats.js';
import { categoryOf, describeEvent } from './event-format.js';

const REPO = 'projects/p/locations/us-central1/repositories/docker-hub';
const DIGEST = 'sha256:' + 'c'.repeat(64);
let nextId = 1;
const ev = (type: string, data: Record<string, unknown>): FeedEvent => ({ id: nextId++, type, time: '2026-01-01T10:00:00.000Z', data });

describe('cache and upstream events in the feed', () => {
  it('reads a cache hit and a cache miss', () => {
    expect(describeEvent(ev('cache.hit', { repository: REPO, format: 'docker', package: 'library/alpine', version: DIGEST, kind: 'manifest', sizeBytes: 2048 }))).toEqual({
      category: 'cache', repository: REPO, title: `Cache hit: image docker-hub/library/alpine@${DIGEST.slice(0, 19)}`, detail: '2.0 KB · served from the cache',
    });
    expect(describeEvent(ev('cache.hit', { repository: REPO, package: 'library/alpine', kind: 'blob', sizeBytes: 10, stale: true })).detail).toBe('10 B · served stale from the cache');
    expect(describeEvent(ev('cache.miss', { repository: REPO, package: 'library/alpine', version: DIGEST, kind: 'blob', sizeBytes: 3 * 1024 * 1024, upstream: 'http://127.0.0.1:5000', latencyMs: 41.6 }))).toMatchObject({
      category: 'cache', title: `Cache miss: blob docker-hub/library/alpine@${DIGEST.slice(0, 19)}`, detail: '3.0 MB · fetched from http://127.0.0.1:5000 in 42 ms',
    });
  });

  it('reads an upstream failure as a failure, saying whether the cache answered', () => {
    const v = describeEvent(ev('upstream.failed', { repository: REPO, format: 'docker', package: 'library/alpine', upstream: 'http://127.0.0.1:5000', reason: 'rate limited', status: 429, latencyMs: 1, served: false }));
    expect(v).toEqual({ category: 'error', repository: REPO, title: 'Upstream of docker-hub failed: HTTP 429 (rate limited)', detail: 'docker-hub/library/alpine · http://127.0.0.1:5000 · the client got an error' });
    const served = describeEvent(ev('upstream.failed', { repository: REPO, upstream: 'u', reason: 'upstream down (injected fault)', latencyMs: 1, served: true }));
    expect(served.title).toBe('Upstream of docker-hub failed: upstream down (injected fault)');
    expect(served.detail).toBe('u · served from the cache instead');
  });

  it('reads fault changes with the faults and offline switches in force', () => {
    const v = describeEvent(ev('faults.changed', {
      faults: [{ repository: REPO, mode: 'status', status: 503 }, { repository: `${REPO}-2`, mode: 'slow', delayMs: 1500 }],
      offline: { global: false, repositories: [`${REPO}-3`] },
    }));
    expect(v).toEqual({ category: 'cache', title: '2 upstream faults active', detail: 'docker-hub answers HTTP 503 · docker-hub-2 slow (+1500 ms) · offline: docker-hub-3' });
    expect(describeEvent(ev('faults.changed', { faults: [], offline: { global: true, repositories: [] } }))).toMatchObject({ title: 'No upstream faults', detail: 'offline: all remote repositories' });
    expect(categoryOf(ev('faults.changed', {}))).toBe('cache');
  });
});

describe('cache hit ratios', () => {
  it('tallies hits, misses and failures per repository, busiest first', () => {
    const other = 'projects/p/locations/us-central1/repositories/quay';
    const events = [
      ev('cache.miss', { repository: REPO }), ev('cache.hit', { repository: REPO }), ev('cache.hit', { repository: REPO }), ev('cache.hit', { repository: REPO }),
      ev('upstream.failed', { repository: REPO }), ev('cache.miss', { repository: other }), ev('artifact.pulled', { repository: REPO }),
    ];
    const t = cacheTallies(events);
    expect(t).toEqual([{ repository: REPO, hits: 3, misses: 1, failures: 1 }, { repository: other, hits: 0, misses: 1, failures: 0 }]);
    expect(hitRatio(t[0]!)).toBe(0.75);
    expect(describeHitRatio(t[0]!)).toBe('75% hits (3 of 4)');
    expect(describeHitRatio({ hits: 0, misses: 0 })).toBe('no requests yet');
  });
});
