// Metadata storage (interface + the shard logic both implementations share). Metadata is split into
// shards (one per repository, plus small ones for projects); each shard is a set of tables of JSON
// records. Writes happen in transactions under the shard's lock and are applied to memory only after they
// are durable, so readers never see uncommitted state. Nothing is written on reads.
import { EmulatorError } from '../core/errors.js';
import { KeyedMutex } from './locks.js';

export type JsonValue = unknown;

export type ShardOp = ['p', string, string, JsonValue] | ['d', string, string];

export interface ShardTx {
  get<T>(table: string, key: string): T | undefined;
  put(table: string, key: string, value: JsonValue): void;
  delete(table: string, key: string): void;
}

export interface MetaShard {
  readonly key: readonly string[];
  get<T>(table: string, key: string): T | undefined;
  has(table: string, key: string): boolean;
  /** Records of a table in insertion order. Do not mutate what you get. */
  entries<T>(table: string): IterableIterator<[string, T]>;
  size(table: string): number;
  /** Runs `fn` under the shard lock; the changes it records are persisted, then applied, atomically. */
  transact<R>(fn: (tx: ShardTx) => R | Promise<R>): Promise<R>;
}

export interface MetaStore {
  get(key: readonly string[]): MetaShard | undefined;
  /** The shard for `key`, created empty if absent (persisted on its first transaction). */
  ensure(key: readonly string[]): MetaShard;
  /** Shards whose key starts with `prefix`. */
  list(prefix: readonly string[]): MetaShard[];
  drop(key: readonly string[]): Promise<void>;
  /** Compacts journals into snapshots and releases files. */
  close(): Promise<void>;
}

/** Where a shard's committed operations go (a journal on disk, or nowhere). */
export interface ShardPersistence {
  append(ops: ShardOp[]): Promise<void>;
  /** Whether a compaction is due after the last append. */
  wantsCompaction(): boolean;
  compact(snapshot: SnapshotDoc): Promise<void>;
  drop(): Promise<void>;
  close(): Promise<void>;
}

export interface SnapshotDoc {
  version: 1;
  tables: Record<string, Record<string, JsonValue>>;
}

export class Shard implements MetaShard {
  private readonly tables = new Map<string, Map<string, JsonValue>>();
  private compactionScheduled = false;
  private dropped = false;

  constructor(
    readonly key: readonly string[],
    private readonly persistence: ShardPersistence,
    private readonly mutex: KeyedMutex,
  ) {}

  get lockKey(): string {
    return this.key.join('\u0000');
  }

  load(doc: SnapshotDoc | undefined, journal: ShardOp[][]): void {
    for (const [table, records] of Object.entries(doc?.tables ?? {})) {
      this.tables.set(table, new Map(Object.entries(records)));
    }
    for (const ops of journal) this.apply(ops);
  }

  get<T>(table: string, key: string): T | undefined {
    return this.tables.get(table)?.get(key) as T | undefined;
  }

  has(table: string, key: string): boolean {
    return this.tables.get(table)?.has(key) ?? false;
  }

  entries<T>(table: string): IterableIterator<[string, T]> {
    return (this.tables.get(table) ?? new Map<string, T>()).entries() as IterableIterator<[string, T]>;
  }

  size(table: string): number {
    return this.tables.get(table)?.size ?? 0;
  }

  transact<R>(fn: (tx: ShardTx) => R | Promise<R>): Promise<R> {
    return this.mutex.run(this.lockKey, async () => {
      if (this.dropped) throw new EmulatorError('NOT_FOUND', 'the resource was deleted concurrently');
      const ops: ShardOp[] = [];
      const pending = new Map<string, { deleted: boolean; value?: JsonValue }>();
      const tx: ShardTx = {
        get: <T>(table: string, key: string) => {
          const p = pending.get(`${table}\u0000${key}`);
          if (p) return (p.deleted ? undefined : p.value) as T | undefined;
          return this.get<T>(table, key);
        },
        put: (table, key, value) => {
          ops.push(['p', table, key, value]);
          pending.set(`${table}\u0000${key}`, { deleted: false, value });
        },
        delete: (table, key) => {
          ops.push(['d', table, key]);
          pending.set(`${table}\u0000${key}`, { deleted: true });
        },
      };
      const result = await fn(tx);
      if (ops.length > 0) {
        await this.persistence.append(ops);
        this.apply(ops);
        if (this.persistence.wantsCompaction()) this.scheduleCompaction();
      }
      return result;
    });
  }

  /** Writes a snapshot of the current state and truncates the journal (under the lock). */
  compactNow(): Promise<void> {
    return this.mutex.run(this.lockKey, async () => {
      // Re-checked under the lock: transactions queued behind an earlier compaction must not each
      // rewrite the whole snapshot for a one-line journal.
      if (!this.dropped && this.persistence.wantsCompaction()) await this.persistence.compact(this.snapshot());
    });
  }

  async drop(): Promise<void> {
    await this.mutex.run(this.lockKey, async () => {
      this.dropped = true;
      this.tables.clear();
      await this.persistence.drop();
    });
  }

  async close(): Promise<void> {
    await this.mutex.run(this.lockKey, async () => {
      if (!this.dropped && this.persistence.wantsCompaction()) await this.persistence.compact(this.snapshot());
      await this.persistence.close();
    });
  }

  private snapshot(): SnapshotDoc {
    const tables: SnapshotDoc['tables'] = {};
    for (const [name, records] of this.tables) tables[name] = Object.fromEntries(records);
    return { version: 1, tables };
  }

  private apply(ops: ShardOp[]): void {
    for (const op of ops) {
      let table = this.tables.get(op[1]);
      if (op[0] === 'p') {
        if (!table) this.tables.set(op[1], (table = new Map()));
        table.set(op[2], op[3]);
      } else {
        table?.delete(op[2]);
      }
    }
  }

  private scheduleCompaction(): void {
    if (this.compactionScheduled) return;
    this.compactionScheduled = true;
    setImmediate(() => {
      this.compactionScheduled = false;
      this.compactNow().catch(() => {
        // the journal still holds every change; the next compaction retries
      });
    });
  }
}
