// Per remote repository: how often its cache answered (cache.hit) against how often it went upstream
// (cache.miss), and how many upstream requests failed (upstream.failed), tallied from the feed's events. No DOM.
import type { FeedEvent } from '../api/types.js';

export interface CacheTally {
  repository: string;
  hits: number;
  misses: number;
  failures: number;
}

/** One tally per repository that had cache events, busiest first. */
export function cacheTallies(events: readonly FeedEvent[]): CacheTally[] {
  const byRepo = new Map<string, CacheTally>();
  for (const e of events) {
    if (e.type !== 'cache.hit' && e.type !== 'cache.miss' && e.type !== 'upstream.failed') continue;
    const repository = typeof e.data.repository === 'string' ? e.data.repository : '';
    if (!repository) continue;
    const t = byRepo.get(repository) ?? { repository, hits: 0, misses: 0, failures: 0 };
    if (e.type === 'cache.hit') t.hits++;
    else if (e.type === 'cache.miss') t.misses++;
    else t.failures++;
    byRepo.set(repository, t);
  }
  return [...byRepo.values()].sort((a, b) => b.hits + b.misses - (a.hits + a.misses) || a.repository.localeCompare(b.repository));
}

/** hits / (hits + misses), or undefined before any request */
export function hitRatio(t: Pick<CacheTally, 'hits' | 'misses'>): number | undefined {
  const n = t.hits + t.misses;
  return n ? t.hits / n : undefined;
}

/** `75% hits (3 of 4)`, `no requests yet` */
export function describeHitRatio(t: Pick<CacheTally, 'hits' | 'misses'>): string {
  const r = hitRatio(t);
  return r === undefined ? 'no requests yet' : `${Math.round(r * 100)}% hits (${t.hits} of ${t.hits + t.misses})`;
}
