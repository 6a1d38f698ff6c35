// Upstream failures of remote repositories as tray notifications: the first at once, a burst grouped into
// one notice when the window ends (never one per request), in words that say what failed and whether the
// cache answered instead.
import { describe, expect, it } from 'vitest';
import type { ShellSettings } from '../ipc/contract.js';
import { NotificationRules, type ShellEvent } from './notification-rules.js';

const settings: ShellSettings = { notifyPushes: false, notifyViolations: true, notifyFailedPushes: true, openAtLogin: false };
const REPO = 'projects/p/locations/us-central1/repositories/docker-hub';
const failed = (data: Record<string, unknown> = {}): ShellEvent => ({
  type: 'upstream.failed',
  data: { repository: REPO, format: 'docker', package: 'library/alpine', upstream: 'http://127.0.0.1:5000', reason: 'rate limited', status: 429, latencyMs: 3, served: false, ...data },
});

describe('upstream failure notices', () => {
  it('notifies the first failure at once, saying what failed and that the client got an error', () => {
    const clock = { t: 1_000_000 };
    const rules = new NotificationRules(() => settings, () => clock.t, { groupWindowMs: 10_000, maxPerMinute: 3 });
    expect(rules.offer(failed())).toEqual({
      kind: 'upstream', title: 'Upstream failed', body: 'docker-hub: HTTP 429 (rate limited); the client got an error', count: 1, route: '#/repositories/p/us-central1/docker-hub',
    });
  });

  it('groups a burst into one notice with one line per repository and reason', () => {
    const clock = { t: 1_000_000 };
    const rules = new NotificationRules(() => settings, () => clock.t, { groupWindowMs: 10_000, maxPerMinute: 3 });
    expect(rules.offer(failed())).toBeDefined();
    for (let i = 0; i < 25; i++) expect(rules.offer(failed({ reason: 'upstream down (injected fault)', status: undefined, served: true }))).toBeUndefined();
    expect(rules.due()).toEqual([]);
    clock.t += 10_000;
    const [group, ...rest] = rules.due();
    expect(rest).toEqual([]);
    expect(group).toEqual({ kind: 'upstream', title: '25 upstream requests failed', body: 'docker-hub: upstream down (injected fault); served from the cache', count: 25, route: '#/repositories/p/us-central1/docker-hub' });
  });

  it('a status already named in the reason is not repeated; several repositories go to the feed', () => {
    const clock = { t: 1_000_000 };
    const rules = new NotificationRules(() => settings, () => clock.t, { groupWindowMs: 10_000, maxPerMinute: 3 });
    expect(rules.offer(failed({ reason: 'HTTP 503 from upstream', status: 503 }))?.body).toBe('docker-hub: HTTP 503 from upstream; the client got an error');
    rules.offer(failed({ repository: 'projects/p/locations/us-central1/repositories/a' }));
    rules.offer(failed({ repository: 'projects/p/locations/us-central1/repositories/b' }));
    clock.t += 10_000;
    expect(rules.due()[0]).toMatchObject({ count: 2, route: '#/feed' });
  });
});
