// Listing versions and tags goes through the content index: O(result), never a scan of the tags or
// manifests table per version (issue 9: listing versions at 20,000 tags took 4.3 s). Counted, not timed.
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { EventBus } from '../../core/events.js';
import { silentLogger } from '../../core/logger.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../core/repository.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { MemoryMetaStore } from '../../storage/memory-meta-store.js';
import { createDockerInventory } from './inventory.js';
import { ManifestService } from './service/manifests.js';
import { T, manifestKey, tagKey, type ManifestRecord, type TagRecord } from './service/tables.js';
import { DockerTargets } from './service/target.js';

const ref = { project: 'p', location: 'us-central1', repository: 'r' };
const N = 20_000;
const digestOf = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;
const time = (i: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString();

async function seeded(mode: RepositoryRecord['mode'] = 'STANDARD_REPOSITORY') {
  const meta = new MemoryMetaStore();
  const shard = meta.ensure(repositoryShardKey(ref));
  const record: RepositoryRecord = { ...ref, format: 'DOCKER', mode, createTime: time(0), updateTime: time(0) };
  await shard.transact((tx) => {
    tx.put(REPOSITORY_TABLE, REPOSITORY_KEY, record);
    tx.put(T.images, 'img', { createTime: time(0), updateTime: time(0) });
    tx.put(T.images, 'other', { createTime: time(0), updateTime: time(0) });
    tx.put(T.manifests, manifestKey('other', digestOf(0)), { image: 'other', digest: digestOf(0), mediaType: 'm', size: 1, imageSizeBytes: 1, createTime: time(0), references: [] } satisfies ManifestRecord);
    tx.put(T.tags, tagKey('other', 'latest'), { digest: digestOf(0), updateTime: time(0) } satisfies TagRecord);
  });
  for (let start = 0; start < N; start += 5000) {
    await shard.transact((tx) => {
      for (let i = start; i < start + 5000; i++) {
        tx.put(T.manifests, manifestKey('img', digestOf(i)), { image: 'img', digest: digestOf(i), mediaType: 'm', size: 1, imageSizeBytes: 1, createTime: time(i), references: [] } satisfies ManifestRecord);
        tx.put(T.tags, tagKey('img', `t${String(i).padStart(6, '0')}`), { digest: digestOf(i), updateTime: time(i) } satisfies TagRecord);
      }
    });
  }
  const clock = new ManualClock(time(N + 1));
  const targets = new DockerTargets(meta);
  await targets.warmIndexes();
  const manifests = new ManifestService({} as BlobStore, new EventBus(() => clock.now(), silentLogger), clock);
  return { shard, targets, manifests, inventory: createDockerInventory(targets, manifests, {} as BlobStore) };
}

describe('docker inventory listing', () => {
  it('lists 20,000 versions and tags of an image without scanning a table, visiting each entry once', async () => {
    const { shard, targets, inventory } = await seeded();
    // the index was built from the shard by the warm-up after start: the one full pass
    const entries = vi.spyOn(shard, 'entries');
    const gets = vi.spyOn(shard, 'get');
    const index = targets.content.indexOf(shard);
    index.visited = 0;

    const versions = inventory.listVersions(ref, 'img');
    expect(versions).toHaveLength(N);
    const page = versions.slice(0, 1000).map((v) => v());
    expect(page[0]).toMatchObject({ id: digestOf(0), tags: ['t000000'] });
    expect(page[999]).toMatchObject({ id: digestOf(999), tags: ['t000999'] });
    const tags = inventory.listTags(ref, 'img');
    expect(tags).toHaveLength(N);
    expect(tags[N - 1]).toEqual({ id: `t${String(N - 1).padStart(6, '0')}`, version: digestOf(N - 1) });

    expect(entries).not.toHaveBeenCalled();
    // versions (N) + 1,000 built versions' tags (2 each) + tag ids (N) + their targets (N)
    expect(index.visited).toBeLessThanOrEqual(3 * N + 2 * 1000);
    // a repository record per target, and one tag record per built version
    expect(gets.mock.calls.length).toBeLessThanOrEqual(1000 + 10);
  });

  it('keeps digest → tags and tag → digest exact across tag moves, tag deletes and version deletes', async () => {
    const { targets, manifests, inventory } = await seeded();
    const t = targets.forImage(ref, 'img');
    expect(manifests.tagsOf(t, digestOf(1))).toEqual(['t000001']);
    await manifests.setTag(t, 'moved', digestOf(1));
    await manifests.setTag(t, 't000002', digestOf(1));
    expect(manifests.tagsOf(t, digestOf(1))).toEqual(['moved', 't000001', 't000002']);
    expect(manifests.tagsOf(t, digestOf(2))).toEqual([]);
    expect(inventory.getTag(ref, 'img', 't000002')).toEqual({ id: 't000002', version: digestOf(1) });

    await manifests.delete(t, 'moved');
    expect(manifests.tagsOf(t, digestOf(1))).toEqual(['t000001', 't000002']);
    await inventory.deleteVersion(ref, 'img', digestOf(1), true);
    expect(manifests.tagsOf(t, digestOf(1))).toEqual([]);
    expect(inventory.getTag(ref, 'img', 't000001')).toBeUndefined();
    expect(inventory.getVersion(ref, 'img', digestOf(1))).toBeUndefined();
    expect(inventory.listVersions(ref, 'img')).toHaveLength(N - 1);
    expect(inventory.listTags(ref, 'img')).toHaveLength(N - 2);
    // another image's tags are its own
    expect(inventory.listTags(ref, 'other')).toEqual([{ id: 'latest', version: digestOf(0) }]);
  });

  it('reads the cache of a REMOTE repository, and the own shard of a VIRTUAL one, behind the same interface', async () => {
    expect((await seeded('REMOTE_REPOSITORY')).targets.forImage(ref, 'img').content.mode).toBe('REMOTE_REPOSITORY');
    expect((await seeded('VIRTUAL_REPOSITORY')).targets.forImage(ref, 'img').content.mode).toBe('VIRTUAL_REPOSITORY');
  });
});
