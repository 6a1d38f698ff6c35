// The feed's state without a DOM: de-duplication, filters, pause holding events back, per-minute counts,
// and how events read (a policy violation generically, a push by its tag).
import { describe, expect, it } from 'vitest';
import type { FeedEvent } from '../api/types.js';
import { describeEvent, formatBytes } from './event-format.js';
import { FeedStore } from './feed-store.js';

const REPO = 'projects/p/locations/us-central1/repositories/apps';
let nextId = 1;
const ev = (type: string, data: Record<string, unknown> = {}, time = '2026-01-01T10:00:30.000Z'): FeedEvent => ({ id: nextId++, type, time, data });
const pushed = (tag: string) => ev('artifact.pushed', { repository: REPO, package: 'web', version: 'sha256:' + 'a'.repeat(64), kind: 'manifest', tags: [tag], sizeBytes: 2048 });

describe('FeedStore', () => {
  it('shows newest first and ignores an event seen twice (replay after reconnect)', () => {
    const s = new FeedStore();
    const a = pushed('v1');
    const b = pushed('v2');
    s.add(a);
    s.add(b);
    s.add(a);
    expect(s.visible().map((e) => e.id)).toEqual([b.id, a.id]);
  });

  it('hides blob transfers and server notices by default, and filters by category and text', () => {
    const s = new FeedStore();
    s.add(ev('server.started', { url: 'http://x' }));
    s.add(ev('artifact.pushed', { repository: REPO, package: 'web', kind: 'blob', sizeBytes: 1 }));
    s.add(pushed('v1'));
    s.add(ev('artifact.pulled', { repository: REPO, package: 'web', kind: 'manifest', sizeBytes: 1 }));
    expect(s.visible().map((e) => e.type)).toEqual(['artifact.pulled', 'artifact.pushed']);
    s.toggleCategory('pull');
    expect(s.visible().map((e) => e.type)).toEqual(['artifact.pushed']);
    s.toggleCategory('pull');
    s.setText('PULLED');
    expect(s.visible().map((e) => e.type)).toEqual(['artifact.pulled']);
  });

  it('holds events while paused and shows them on resume', () => {
    const s = new FeedStore();
    s.setPaused(true);
    s.add(pushed('v1'));
    s.add(pushed('v2'));
    expect(s.visible()).toEqual([]);
    expect(s.heldCount).toBe(2);
    s.setPaused(false);
    expect(s.visible()).toHaveLength(2);
    expect(s.heldCount).toBe(0);
  });

  it('counts events per minute, oldest first, ending at the current minute', () => {
    const s = new FeedStore();
    s.add(pushed('a'));
    s.add(ev('artifact.pulled', {}, '2026-01-01T10:00:59.000Z'));
    s.add(ev('artifact.pulled', {}, '2026-01-01T09:58:10.000Z'));
    s.add(ev('server.started', {}, '2026-01-01T10:00:10.000Z'));
    expect(s.perMinute(Date.parse('2026-01-01T10:00:45.000Z'), 4)).toEqual([0, 1, 0, 2]);
  });
});

describe('describeEvent', () => {
  it('reads any event with principal and permission as a violation', () => {
    expect(describeEvent(ev('policy.violated', { principal: 'user:m@x.com', permission: 'artifactregistry.repositories.downloadArtifacts', resource: REPO }))).toEqual({
      category: 'violation', repository: undefined, title: 'user:m@x.com denied artifactregistry.repositories.downloadArtifacts', detail: REPO,
    });
    expect(describeEvent(ev('iam.checkFailed', { principal: 'a', permission: 'b' })).category).toBe('violation');
  });
  it('names a push by repository, image and tag, with digest and size below', () => {
    const v = describeEvent(pushed('v1'));
    expect(v.title).toBe('Pushed image apps/web:v1');
    expect(v.detail).toBe('sha256:aaaaaaaaaaaa · 2.0 KB');
  });
  it('shows unknown event types instead of dropping them', () => {
    // (cache.hit was the example until remote repositories gave it its own words: cache.warmed is still unknown)
    expect(describeEvent(ev('cache.warmed', { repository: REPO, package: 'lodash' }))).toMatchObject({ category: 'cache', title: 'Warmed image apps/lodash' });
    expect(describeEvent(ev('cache.hit', { repository: REPO, package: 'lodash' }))).toMatchObject({ category: 'cache', title: 'Cache hit: artifact apps/lodash' });
  });
  it('formats sizes', () => {
    expect([formatBytes(0), formatBytes(1536), formatBytes(20_000), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1.5 KB', '20 KB', '5.0 GB']);
  });
});
