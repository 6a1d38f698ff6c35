// MetaStore on disk: per shard a lowdb snapshot (<key>.json, line-oriented JSON through the SnapshotFile
// adapter of json-lines-file.ts) plus an append-only journal (<key>.journal, one JSON line per committed
// transaction, fsync'd before the transaction is acknowledged). A transaction costs one small append whatever
// the shard's size; the snapshot is rewritten only when the journal has grown past it (off the request path)
// and at shutdown.
//
// Compaction is crash-safe: the new snapshot is written to a temp file, fsync'd, renamed and its directory
// fsync'd, and only then is the journal removed (and the directory fsync'd again). A crash at any point leaves
// the old snapshot + journal, or the new snapshot + the old journal (replaying it on top changes nothing: puts
// and deletes carry whole values), or the new snapshot alone.
//
// Startup: every shard is loaded, files streamed line by line. A snapshot or journal line that cannot be
// parsed, or parses to the wrong shape, stops startup with a message naming the file and line, and the file is
// left untouched. The only repair made is dropping a torn final journal line (no trailing newline): that
// transaction was never acknowledged to a client.
import { mkdir, open, readdir, rm, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Low } from 'lowdb';
import type { Logger } from '../core/logger.js';
import { syncDirectory } from './fsync.js';
import { readLines, ShardUnreadableError, SnapshotFile } from './json-lines-file.js';
import { KeyedMutex } from './locks.js';
import { Shard, shardOpsProblem, type MetaShard, type MetaStore, type ShardOp, type ShardPersistence, type SnapshotDoc } from './meta-store.js';
import type { DataPaths } from './paths.js';

export { ShardUnreadableError } from './json-lines-file.js';

export interface CompactionOptions {
  /**
   * A snapshot is rewritten once the journal outgrows `snapshotFactor` times the snapshot and at least
   * `minJournalBytes` (defaults 2 and 1 MiB: rarely enough that rewriting a large shard stays off most
   * requests' latency, often enough to keep startup replay short). Crash tests set both low to compact often.
   */
  minJournalBytes?: number;
  snapshotFactor?: number;
}

export class LowMetaStore implements MetaStore {
  private readonly shards = new Map<string, Shard>();
  private readonly mutex = new KeyedMutex();
  private readonly compaction: Required<CompactionOptions>;

  constructor(
    private readonly paths: DataPaths,
    private readonly logger: Logger,
    compaction: CompactionOptions = {},
  ) {
    this.compaction = { minJournalBytes: compaction.minJournalBytes ?? 1 << 20, snapshotFactor: compaction.snapshotFactor ?? 2 };
  }

  /** Startup only: loads every shard below meta/. */
  async load(): Promise<void> {
    const keys = new Map<string, string[]>();
    for (const file of await walk(this.paths.metaDir)) {
      const key = this.paths.shardKeyOf(file);
      if (key) keys.set(key.join('\u0000'), key);
    }
    for (const key of keys.values()) {
      const { snapshot, journal } = this.paths.shard(key);
      const persistence = new FileShardPersistence(snapshot, journal, this.compaction);
      const shard = new Shard(key, persistence, this.mutex, this.logger);
      const snapshotFile = new SnapshotFile(snapshot);
      const db = new Low<SnapshotDoc>(snapshotFile, { tables: new Map() });
      await db.read();
      shard.load(db.data);
      persistence.snapshotBytes = snapshotFile.bytes;
      persistence.journalBytes = await replayJournal(journal, shard, this.logger);
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
      shard = new Shard([...key], new FileShardPersistence(snapshot, journal, this.compaction), this.mutex, this.logger);
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
  snapshotBytes = 0;
  journalBytes = 0;
  private handle: FileHandle | undefined;
  private readonly snapshotFile: SnapshotFile;
  private readonly db: Low<SnapshotDoc>;
  /** set when a failed append could not be cut back: appending after it would corrupt the journal */
  private broken: Error | undefined;

  constructor(
    snapshot: string,
    private readonly journalFile: string,
    private readonly compaction: Required<CompactionOptions>,
  ) {
    this.snapshotFile = new SnapshotFile(snapshot);
    this.db = new Low<SnapshotDoc>(this.snapshotFile, { tables: new Map() });
  }

  get location(): string {
    return this.journalFile;
  }

  async append(line: string): Promise<void> {
    if (this.broken) throw this.broken;
    if (!this.handle) {
      await mkdir(dirname(this.journalFile), { recursive: true });
      const created = this.journalBytes === 0;
      this.handle = await open(this.journalFile, 'a');
      // a new journal's directory entry must be durable too, or a power cut could lose the file
      if (created) await syncDirectory(dirname(this.journalFile));
    }
    try {
      const { bytesWritten } = await this.handle.write(line);
      if (bytesWritten !== Buffer.byteLength(line)) throw new Error(`short journal write (${bytesWritten} bytes)`);
      // fsync what you acknowledge: the caller answers the client only after this resolves
      await this.handle.datasync();
    } catch (err) {
      // Cut the journal back to its last complete line, so a later append does not follow a partial one.
      await this.handle.truncate(this.journalBytes).catch((cause: unknown) => {
        this.broken = new Error(`journal ${this.journalFile} could not be repaired after a failed write; restart the emulator`, { cause });
      });
      throw err;
    }
    this.journalBytes += Buffer.byteLength(line);
  }

  wantsCompaction(): boolean {
    return this.journalBytes > Math.max(this.compaction.minJournalBytes, this.compaction.snapshotFactor * this.snapshotBytes);
  }

  async compact(snapshot: SnapshotDoc): Promise<void> {
    if (this.journalBytes === 0) return;
    this.db.data = snapshot;
    // temp file, fsync, rename, directory fsync (SnapshotFile.write) …
    await this.db.write();
    this.db.data = { tables: new Map() };
    this.snapshotBytes = this.snapshotFile.bytes;
    // … and only then is the journal it replaces removed.
    await this.handle?.close();
    this.handle = undefined;
    await rm(this.journalFile, { force: true });
    await syncDirectory(dirname(this.journalFile));
    this.journalBytes = 0;
  }

  async drop(): Promise<void> {
    await this.close();
    await rm(this.journalFile, { force: true });
    await rm(this.snapshotFile.file, { force: true });
    await syncDirectory(dirname(this.journalFile));
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

/** Replays a journal into `shard` line by line; the bytes of complete lines (a torn final line is cut off). */
async function replayJournal(file: string, shard: Shard, logger: Logger): Promise<number> {
  // Lines are read up to MAX_LINE_BYTES, above the MAX_TRANSACTION_BYTES written today, so journals written
  // before that cap existed stay readable.
  const summary = await readLines(file, (text, line) => {
    let ops: unknown;
    try {
      ops = JSON.parse(text);
    } catch (err) {
      throw new ShardUnreadableError(`${file} (line ${line})`, err);
    }
    const problem = shardOpsProblem(ops);
    if (problem) throw new ShardUnreadableError(`${file} (line ${line})`, new Error(problem));
    shard.replay(ops as ShardOp[]);
  });
  if (!summary) return 0;
  if (summary.completeBytes < summary.bytes) {
    // A write torn by a crash: never acknowledged, so it is dropped (and cut off, so appends stay aligned).
    logger.warn('dropping a torn final journal line left by a crash', { file });
    await truncate(file, summary.completeBytes);
  }
  return summary.completeBytes;
}

/** Every regular file below `dir`, skipping dot files (snapshot temp files in flight when a crash came). */
async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
