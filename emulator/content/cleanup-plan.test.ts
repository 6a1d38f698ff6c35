import { describe, expect, it } from 'vitest';
import { planCleanup, type CleanupCandidate, type CleanupPolicy } from './cleanup-plan.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const v = (pkg: string, version: string, ageDays: number, tags: string[] = []): CleanupCandidate => ({ package: pkg, version, createdAt: NOW - ageDays * DAY, tags });
const policies = (...list: CleanupPolicy[]) => Object.fromEntries(list.map((p) => [p.id, p]));

const deleteOldUntagged: CleanupPolicy = { id: 'delete-old-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '2592000s' } };

describe('planCleanup', () => {
  it('deletes what a DELETE policy matches, fields AND-ed', () => {
    const versions = [v('web', 'a', 40), v('web', 'b', 10), v('web', 'c', 40, ['v1']), v('api', 'd', 31)];
    const plan = planCleanup(policies(deleteOldUntagged), versions, NOW);
    expect(plan.deleted).toEqual([
      { package: 'web', version: 'a', policy: 'delete-old-untagged' },
      { package: 'api', version: 'd', policy: 'delete-old-untagged' },
    ]);
    expect(plan.keptCount).toBe(2);
  });

  it('lets KEEP win over DELETE, and ORs the values of a prefix list', () => {
    const keepRelease: CleanupPolicy = { id: 'keep-release', action: 'KEEP', condition: { tagState: 'TAGGED', tagPrefixes: ['release', 'v'] } };
    const deleteAll: CleanupPolicy = { id: 'delete-all', action: 'DELETE', condition: { tagState: 'ANY' } };
    const versions = [v('web', 'a', 1, ['v2']), v('web', 'b', 1, ['release-1']), v('web', 'c', 1, ['dev']), v('web', 'd', 1)];
    expect(planCleanup(policies(keepRelease, deleteAll), versions, NOW).deleted.map((d) => d.version)).toEqual(['c', 'd']);
  });

  it('keeps the keepCount most recent versions of each matching package', () => {
    const keep2: CleanupPolicy = { id: 'keep-2', action: 'KEEP', mostRecentVersions: { packageNamePrefixes: ['web'], keepCount: 2 } };
    const deleteAll: CleanupPolicy = { id: 'delete-all', action: 'DELETE', condition: { tagState: 'ANY' } };
    const versions = [v('web', 'old', 9), v('web', 'new', 1), v('web', 'mid', 5), v('webapp', 'x', 3), v('api', 'y', 1)];
    const deleted = planCleanup(policies(keep2, deleteAll), versions, NOW).deleted.map((d) => `${d.package}/${d.version}`);
    // web keeps new and mid; webapp (prefix "web") keeps its only version; api is not named: deleted
    expect(deleted).toEqual(['web/old', 'api/y']);
  });

  it('counts formats without tags as untagged: TAGGED never matches, UNTAGGED and ANY match everything', () => {
    const versions = [v('pkg', '1.0.0', 40), v('pkg', '2.0.0', 40)];
    expect(planCleanup(policies({ id: 'd', action: 'DELETE', condition: { tagState: 'TAGGED' } }), versions, NOW).deleted).toEqual([]);
    expect(planCleanup(policies(deleteOldUntagged), versions, NOW).deleted).toHaveLength(2);
  });

  it('matches newerThan, versionNamePrefixes and packageNamePrefixes', () => {
    const p: CleanupPolicy = { id: 'd', action: 'DELETE', condition: { newerThan: '7d', versionNamePrefixes: ['1.'], packageNamePrefixes: ['lib-'] } };
    const versions = [v('lib-a', '1.0', 2), v('lib-a', '2.0', 2), v('lib-a', '1.1', 9), v('app', '1.0', 2)];
    expect(planCleanup(policies(p), versions, NOW).deleted.map((d) => `${d.package}@${d.version}`)).toEqual(['lib-a@1.0']);
  });

  it('never deletes a tagged version of a repository with immutable tags', () => {
    const deleteAll: CleanupPolicy = { id: 'delete-all', action: 'DELETE', condition: { tagState: 'ANY' } };
    const versions = [v('web', 'a', 1, ['v1']), v('web', 'b', 1)];
    expect(planCleanup(policies(deleteAll), versions, NOW, { immutableTags: true }).deleted.map((d) => d.version)).toEqual(['b']);
  });

  it('keeps a platform manifest while an index that lists it stays, and deletes an index before its children', () => {
    const child = (version: string, parents: string[]) => ({ ...v('web', version, 40), parents });
    const versions = [
      child('amd64-of-kept', ['kept-index']), child('shared', ['kept-index', 'old-index']), v('web', 'kept-index', 40, ['v1']),
      child('amd64-of-old', ['old-index']), child('nested', ['amd64-of-old']), v('web', 'old-index', 40),
    ];
    const plan = planCleanup(policies(deleteOldUntagged), versions, NOW);
    // parents first, then children, then grandchildren
    expect(plan.deleted.map((d) => d.version)).toEqual(['old-index', 'amd64-of-old', 'nested']);
    expect(plan.keptCount).toBe(3);
  });

  it('names the first matching DELETE policy by id, and deletes nothing without a DELETE policy', () => {
    const a: CleanupPolicy = { id: 'a-old', action: 'DELETE', condition: { olderThan: '1d' } };
    const b: CleanupPolicy = { id: 'b-any', action: 'DELETE', condition: { tagState: 'ANY' } };
    expect(planCleanup(policies(b, a), [v('p', '1', 3)], NOW).deleted).toEqual([{ package: 'p', version: '1', policy: 'a-old' }]);
    expect(planCleanup(policies({ id: 'k', action: 'KEEP', condition: {} }), [v('p', '1', 3)], NOW)).toEqual({ deleted: [], keptCount: 1 });
  });
});
