// Per-package resolution of an npm virtual repository over shard records written directly: priority order, the
// whole package from the first member holding it, denied and missing members skipped, NOT_FOUND when none has it.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { EventBus } from '../../../core/events.js';
import { silentLogger } from '../../../core/logger.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../../core/repository.js';
import { MemoryMetaStore } from '../../../storage/memory-meta-store.js';
import { T } from './tables.js';
import { NpmTargets } from './target.js';
import { NpmVirtual } from './virtual.js';

const ref = (repository: string) => ({ project: 'p', location: 'us-central1', repository });
const full = (repository: string) => `projects/p/locations/us-central1/repositories/${repository}`;

async function repo(meta: MemoryMetaStore, id: string, extra: Partial<RepositoryRecord> = {}, packages: string[] = []): Promise<void> {
  const shard = meta.ensure(repositoryShardKey(ref(id)));
  const now = '2026-01-01T00:00:00.000Z';
  await shard.transact((tx) => {
    tx.put(REPOSITORY_TABLE, REPOSITORY_KEY, { ...ref(id), format: 'NPM', mode: 'STANDARD_REPOSITORY', createTime: now, updateTime: now, ...extra } satisfies RepositoryRecord);
    for (const p of packages) tx.put(T.packages, p, { createTime: now, updateTime: now, rev: 1 });
  });
}

describe('NpmVirtual.resolve', () => {
  it('answers each package from the first member, by priority, that holds it; skips denied members', async () => {
    const meta = new MemoryMetaStore();
    await repo(meta, 'low', {}, ['shared', 'only-low']);
    await repo(meta, 'high', {}, ['shared']);
    await repo(meta, 'denied', {}, ['shared', 'only-low']);
    await repo(meta, 'virt', {
      mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: {
        upstreamPolicies: [
          { id: 'low', repository: full('low'), priority: 1 },
          { id: 'denied', repository: full('denied'), priority: 50 },
          { id: 'gone', repository: full('gone'), priority: 99 },
          { id: 'high', repository: full('high'), priority: 10 },
        ],
      },
    });
    const clock = new ManualClock();
    const targets = new NpmTargets(meta);
    const access = { mayRead: (_v: unknown, upstream: { repository: string }) => upstream.repository !== 'denied' };
    const virtual = new NpmVirtual(meta, access, targets, undefined, new EventBus(() => clock.now(), silentLogger), clock);
    const t = targets.resolve(ref('virt'));
    expect((await virtual.resolve(t, 'shared', 'full')).target.ref.repository).toBe('high');
    expect((await virtual.resolve(t, 'only-low', 'full')).target.ref.repository).toBe('low');
    await expect(virtual.resolve(t, 'nowhere', 'full')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // a virtual repository holds nothing of its own
    expect(t.content.versionsOf('shared')).toEqual([]);
  });
});
