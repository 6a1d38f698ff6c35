// Metadata storage (interface + the shard logic both implementations share). Metadata is split into
// shards (one per repository, plus small ones for projects); each shard is a set of tables of JSON
// records. Writes happen in transactions under the shard's lock and are applied to memory only after they
// are durable, so readers never see uncommitted state. Nothing is written on reads. What one record and one
// transaction may hold is capped (checked before anything is written), so every journal line and snapshot
// line stays readable (issue 8: an unbounded record once made a journal the emulator could not read back).
import { EmulatorError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { KeyedMutex } from './locks.js';

/** The most one record (`["p",TABLE,KEY,VALUE]` serialized) may hold. */
export const MAX_RECORD_BYTES = 1 << 20;
/** The most one transaction (one journal line) may hold. */
export const MAX_TRANSACTION_BYTES = 16 << 20;

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
  /**
   * Calls `listener` with the operations of every transaction committed from now on, right after they were
   * applied (still under the shard lock, synchronously): what derived in-memory indexes need to stay exact.
   * Returns the unsubscribe function. A listener must not throw or write.
   */
  onCommit(listener: CommitListener): () => void;
  /**
   * Calls `write` with the shard's whole state under the shard lock (no transaction runs meanwhile), for a
   * consistent snapshot of the data dir; false (and no call) when the shard is empty or was dropped.
   */
  exportState(write: (doc: SnapshotDoc) => Promise<void>): Promise<boolean>;
}

export type CommitListener = (ops: readonly ShardOp[]) => void;

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
  /** where the shard is kept (for logs) */
  readonly location: string;
  /** Appends one encoded transaction (a JSON line with its newline) durably. */
  append(line: string): Promise<void>;
  /** Whether a compaction is due after the last append. */
  wantsCompaction(): boolean;
  compact(snapshot: SnapshotDoc): Promise<void>;
  drop(): Promise<void>;
  close(): Promise<void>;
}

/** A shard's whole state, as compaction writes it (live maps: only read under the shard lock). */
export interface SnapshotDoc {
  tables: ReadonlyMap<string, ReadonlyMap<string, JsonValue>>;
}

export class Shard implements MetaShard {
  private readonly tables = new Map<string, Map<string, JsonValue>>();
  private compactionScheduled = false;
  private readonly commitListeners = new Set<CommitListener>();
  private dropped = false;
  private closed = false;

  constructor(
    readonly key: readonly string[],
    private readonly persistence: ShardPersistence,
    private readonly mutex: KeyedMutex,
    private readonly logger: Logger = silentLogger,
  ) {}

  get lockKey(): string {
    return this.key.join('\u0000');
  }

  /** Startup: the state a snapshot holds … */
  load(doc: SnapshotDoc | null): void {
    for (const [table, records] of doc?.tables ?? []) this.tables.set(table, new Map(records));
  }

  /** … then each journal line, in order (idempotent: replaying a line the snapshot holds changes nothing). */
  replay(ops: ShardOp[]): void {
    this.apply(ops);
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
        await this.persistence.append(encodeTransaction(ops));
        this.apply(ops);
        for (const listener of this.commitListeners) listener(ops);
        if (this.persistence.wantsCompaction()) this.scheduleCompaction();
      }
      return result;
    });
  }

  onCommit(listener: CommitListener): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  exportState(write: (doc: SnapshotDoc) => Promise<void>): Promise<boolean> {
    return this.mutex.run(this.lockKey, async () => {
      if (this.dropped || [...this.tables.values()].every((t) => t.size === 0)) return false;
      await write(this.snapshot());
      return true;
    });
  }

  /** Writes a snapshot of the current state and truncates the journal (under the lock). */
  compactNow(): Promise<void> {
    return this.mutex.run(this.lockKey, async () => {
      // Re-checked under the lock: transactions queued behind an earlier compaction must not each
      // rewrite the whole snapshot for a one-line journal.
      if (!this.dropped && !this.closed && this.persistence.wantsCompaction()) await this.persistence.compact(this.snapshot());
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
      try {
        if (!this.dropped && this.persistence.wantsCompaction()) await this.persistence.compact(this.snapshot());
      } catch (err) {
        this.logCompactionFailure(err);
      } finally {
        this.closed = true;
        await this.persistence.close();
      }
    });
  }

  /** Under the lock only: the live tables, which no transaction changes while compaction writes them. */
  private snapshot(): SnapshotDoc {
    return { tables: this.tables };
  }

  private logCompactionFailure(err: unknown): void {
    this.logger.error('metadata compaction failed; the journal still holds every change and the next compaction retries', {
      file: this.persistence.location,
      cause: err,
    });
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
      this.compactNow().catch((err: unknown) => this.logCompactionFailure(err));
    });
  }
}

/**
 * One journal line for `ops`, or INVALID_ARGUMENT (a 4xx for the client) when a record or the whole
 * transaction exceeds its cap: checked before anything is written, so nothing is half-written.
 */
export function encodeTransaction(ops: readonly ShardOp[]): string {
  const parts: string[] = [];
  let total = 2;
  for (const op of ops) {
    const text = JSON.stringify(op);
    // UTF-8 needs at most 3 bytes per UTF-16 unit: count exactly only when that bound is not enough
    // (`bytes` is then an upper bound, and so is `total`).
    const bytes = text.length * 3 <= MAX_RECORD_BYTES ? text.length * 3 : Buffer.byteLength(text);
    if (bytes > MAX_RECORD_BYTES) {
      throw new EmulatorError(
        'INVALID_ARGUMENT',
        `metadata record ${op[1]}/${op[2].slice(0, 80)} would hold ${Buffer.byteLength(text)} bytes; the emulator keeps at most ${MAX_RECORD_BYTES} bytes per record`,
        { table: op[1], sizeBytes: Buffer.byteLength(text), limitBytes: MAX_RECORD_BYTES },
      );
    }
    total += bytes + 1;
    parts.push(text);
  }
  const line = `[${parts.join(',')}]\n`;
  if (total > MAX_TRANSACTION_BYTES && Buffer.byteLength(line) > MAX_TRANSACTION_BYTES) {
    throw new EmulatorError(
      'INVALID_ARGUMENT',
      `a metadata transaction would hold ${Buffer.byteLength(line)} bytes; the emulator keeps at most ${MAX_TRANSACTION_BYTES} bytes per transaction`,
      { sizeBytes: Buffer.byteLength(line), limitBytes: MAX_TRANSACTION_BYTES },
    );
  }
  return line;
}

/** Why `value` (a parsed journal line) is not a list of ShardOps, or undefined when it is one. */
export function shardOpsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'a journal line is not a list of operations';
  for (let i = 0; i < value.length; i++) {
    const op: unknown = value[i];
    const ok =
      Array.isArray(op) &&
      typeof op[1] === 'string' &&
      typeof op[2] === 'string' &&
      ((op[0] === 'p' && op.length === 4) || (op[0] === 'd' && op.length === 3));
    if (!ok) return `operation ${i + 1} is not ["p",TABLE,KEY,VALUE] or ["d",TABLE,KEY]`;
  }
  return undefined;
}
