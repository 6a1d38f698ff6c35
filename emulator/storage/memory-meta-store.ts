// MetaStore kept in memory only (unit tests, throwaway emulators). Same rules as on disk (record and
// transaction caps included), nothing persisted.
import { KeyedMutex } from './locks.js';
import { Shard, type MetaShard, type MetaStore, type ShardPersistence } from './meta-store.js';

const noPersistence: ShardPersistence = {
  location: 'memory',
  append: async () => {},
  wantsCompaction: () => false,
  compact: async () => {},
  drop: async () => {},
  close: async () => {},
};

export class MemoryMetaStore implements MetaStore {
  private readonly shards = new Map<string, Shard>();
  private readonly mutex = new KeyedMutex();

  get(key: readonly string[]): MetaShard | undefined {
    return this.shards.get(key.join('\u0000'));
  }

  ensure(key: readonly string[]): MetaShard {
    const id = key.join('\u0000');
    let shard = this.shards.get(id);
    if (!shard) this.shards.set(id, (shard = new Shard([...key], noPersistence, this.mutex)));
    return shard;
  }

  list(prefix: readonly string[]): MetaShard[] {
    return [...this.shards.values()].filter((s) => prefix.every((p, i) => s.key[i] === p));
  }

  async drop(key: readonly string[]): Promise<void> {
    const id = key.join('\u0000');
    const shard = this.shards.get(id);
    this.shards.delete(id);
    await shard?.drop();
  }

  async close(): Promise<void> {}
}
