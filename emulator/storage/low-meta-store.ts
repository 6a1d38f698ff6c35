// MetaStore on disk: per shard a lowdb snapshot (<key>.json, written atomically by lowdb's steno writer:
// temp file + rename) plus an append-only journal (<key>.journal, one JSON line per committed transaction).
// A transaction costs one small append whatever the shard's size; the snapshot is rewritten only when the
// journal has grown past it (amortised, off the request path) and at shutdown.
//
// Startup: every shard is loaded; a snapshot or journal line that cannot be parsed stops startup with a
// clear message and the file is left untouched. The only repair made is dropping a torn final journal
// line (no trailing newline): that transaction was never acknowledged to a client.
import { readdirSync, readFileSync, truncateSync } from 'node:fs';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataFile } from 'lowdb/node';
import { Low } from 'lowdb';
import type { Logger } from '../core/logger.js';
import { KeyedMutex } from './locks.js';
import { Shard, type MetaShard, type MetaStore, type ShardOp, type ShardPersistence, type SnapshotDoc } from './meta-store.js';
import type { DataPaths } from './paths.js';

/** A snapshot is rewritten once the journal outgrows twice the snapshot (and at least 1 MiB): rarely enough
 * that rewriting a large shard stays off most requests' latency, often enough to keep startup replay short. */
const MIN_COMPACTION_BYTES = 1 << 20;
const COMPACTION_FACTOR = 2;

export class ShardUnreadableError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(
      `metadata file ${file} cannot be read (${(cause as Error)?.message ?? String(cause)}). ` +
        'The emulator will not start and will not overwrite it: fix the file, or move it away to drop that data.',
    );
    this.name = 'ShardUnreadableError';
  }
}

export class LowMetaStore implements MetaStore {
  private readonly shards = new Map<string, Shard>();
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly paths: DataPaths,
    private readonly logger: Logger,
  ) {}

  /** Startup only (synchronous reads are allowed here): loads every shard below meta/. */
  async load(): Promise<void> {
    const keys = new Map<string, string[]>();
    for (const file of walk(this.paths.metaDir)) {
      const key = this.paths.shardKeyOf(file);
      if (key) keys.set(key.join('\u0000'), key);
    }
    for (const key of keys.values()) {
      const { snapshot, journal } = this.paths.shard(key);
      const doc = await readSnapshot(snapshot);
      const lines = readJournal(journal, this.logger);
      const persistence = new FileShardPersistence(snapshot, journal, Buffer.byteLength(JSON.stringify(doc ?? {})), lines.bytes);
      const shard = new Shard(key, persistence, this.mutex);
      shard.load(doc, lines.ops);
      this.shards.set(key.join('\u0000'), shard);
    }
  }

  get(key: readonly string[]): MetaShard | undefined {
    return this.shards.get(key.join('\u0000'));
  }

  ensure(key: readonly string[]): MetaShard {
    const id = key.join('\u0000');
    let shard = this.shards.get(id);
    if (!shard) {
      const { snapshot, journal } = this.paths.shard(key);
      shard = new Shard([...key], new FileShardPersistence(snapshot, journal, 0, 0), this.mutex);
      this.shards.set(id, shard);
    }
    return shard;
  }

  list(prefix: readonly string[]): MetaShard[] {
    return [...this.shards.values()].filter((s) => s.key.length >= prefix.length && prefix.every((p, i) => s.key[i] === p));
  }

  async drop(key: readonly string[]): Promise<void> {
    const id = key.join('\u0000');
    const shard = this.shards.get(id);
    this.shards.delete(id);
    await shard?.drop();
  }

  async close(): Promise<void> {
    await Promise.all([...this.shards.values()].map((s) => s.close()));
  }
}

class FileShardPersistence implements ShardPersistence {
  private handle: FileHandle | undefined;
  private readonly db: Low<SnapshotDoc>;

  constructor(
    private readonly snapshotFile: string,
    private readonly journalFile: string,
    private snapshotBytes: number,
    private journalBytes: number,
  ) {
    this.db = new Low(new DataFile<SnapshotDoc>(snapshotFile, { parse: JSON.parse, stringify: (d) => JSON.stringify(d) }), { version: 1, tables: {} });
  }

  async append(ops: ShardOp[]): Promise<void> {
    const line = JSON.stringify(ops) + '\n';
    if (!this.handle) {
      await mkdir(dirname(this.journalFile), { recursive: true });
      this.handle = await open(this.journalFile, 'a');
    }
    await this.handle.write(line);
    this.journalBytes += Buffer.byteLength(line);
  }

  wantsCompaction(): boolean {
    return this.journalBytes > Math.max(MIN_COMPACTION_BYTES, COMPACTION_FACTOR * this.snapshotBytes);
  }

  async compact(snapshot: SnapshotDoc): Promise<void> {
    if (this.journalBytes === 0) return;
    await mkdir(dirname(this.snapshotFile), { recursive: true });
    this.db.data = snapshot;
    await this.db.write();
    // The snapshot now holds every journaled change; replaying them again would be harmless (puts and
    // deletes are idempotent), so a crash between these two steps loses nothing.
    await this.handle?.close();
    this.handle = undefined;
    await rm(this.journalFile, { force: true });
    this.snapshotBytes = Buffer.byteLength(JSON.stringify(snapshot));
    this.journalBytes = 0;
  }

  async drop(): Promise<void> {
    await this.close();
    await rm(this.journalFile, { force: true });
    await rm(this.snapshotFile, { force: true });
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

async function readSnapshot(file: string): Promise<SnapshotDoc | undefined> {
  const db = new Low<SnapshotDoc | null>(new DataFile<SnapshotDoc | null>(file, { parse: JSON.parse, stringify: JSON.stringify }), null);
  try {
    await db.read();
  } catch (err) {
    throw new ShardUnreadableError(file, err);
  }
  const doc = db.data;
  if (doc === null) return undefined;
  if (typeof doc !== 'object' || doc.version !== 1 || typeof doc.tables !== 'object' || doc.tables === null) {
    throw new ShardUnreadableError(file, new Error('not a metadata snapshot of version 1'));
  }
  return doc;
}

function readJournal(file: string, logger: Logger): { ops: ShardOp[][]; bytes: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { ops: [], bytes: 0 };
    throw new ShardUnreadableError(file, err);
  }
  const lastNewline = text.lastIndexOf('\n');
  if (lastNewline !== text.length - 1) {
    // A write torn by a crash: never acknowledged, so it is dropped (and cut off, so appends stay aligned).
    logger.warn('dropping a torn final journal line left by a crash', { file });
    truncateSync(file, Buffer.byteLength(text.slice(0, lastNewline + 1)));
    text = text.slice(0, lastNewline + 1);
  }
  const ops: ShardOp[][] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    try {
      const parsed = JSON.parse(lines[i]!) as unknown;
      if (!Array.isArray(parsed)) throw new Error('journal entry is not a list of operations');
      ops.push(parsed as ShardOp[]);
    } catch (err) {
      throw new ShardUnreadableError(`${file} (line ${i + 1})`, err);
    }
  }
  return { ops, bytes: Buffer.byteLength(text) };
}

function* walk(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue; // lowdb's in-flight temp files
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}
