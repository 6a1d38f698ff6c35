// Line-oriented JSON files of the metadata store, readable whatever their size: journals and snapshots are
// read line by line from a stream (never as one string: a JS string cannot exceed ~512 MiB), and no line
// longer than MAX_LINE_BYTES is ever written, so no file the store writes is one it cannot read back.
//
// Snapshot format, version 2 (`<shard>.json`, the lowdb Adapter below):
//   {"version":2}                one header line
//   ["TABLE","KEY",VALUE]        then one line per record, table by table, in insertion order
// It is streamed to a dot temp file beside the snapshot, fsync'd, renamed over it, and the directory fsync'd.
// Version 1 (a single JSON document {"version":1,"tables":{TABLE:{KEY:VALUE}}}, written by lowdb's DataFile
// before) is still read through lowdb's DataFile so that existing data dirs start; it is never written.
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { syncDirectory } from './fsync.js';
import type { JsonValue, SnapshotDoc } from './meta-store.js';

/** The longest line the store writes or reads (journal lines are capped lower, at MAX_TRANSACTION_BYTES). */
export const MAX_LINE_BYTES = 64 << 20;
const HEADER = JSON.stringify({ version: 2 });
const WRITE_BATCH_CHARS = 1 << 20;

export class ShardUnreadableError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(
      `metadata file ${file} cannot be read (${(cause as Error)?.message ?? String(cause)}). ` +
        'The emulator will not start and will not overwrite it: fix the file, or move it away to drop that data.',
    );
    this.name = 'ShardUnreadableError';
  }
}

export interface LineFileSummary {
  /** bytes in the file */
  bytes: number;
  /** bytes up to and including the last newline: a shorter `bytes` means a final line without its newline */
  completeBytes: number;
  lines: number;
}

/**
 * Streams the newline-terminated lines of `file` to `onLine` (numbered from 1); a final line without its
 * newline is not passed (see `completeBytes`). Undefined if the file does not exist. A line longer than
 * `maxLineBytes`, or a read error, is a ShardUnreadableError naming the file.
 */
export async function readLines(file: string, onLine: (text: string, line: number) => void, maxLineBytes = MAX_LINE_BYTES): Promise<LineFileSummary | undefined> {
  const handle = await openForReading(file);
  if (!handle) return undefined;
  let line = 0;
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let offset = 0;
    let completeBytes = 0;
    const tooLong = (bytes: number) => new ShardUnreadableError(`${file} (line ${line + 1})`, new Error(`a line of more than ${bytes} bytes exceeds the ${maxLineBytes}-byte limit`));
    for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20, autoClose: false }) as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        let bytes = piece;
        if (pendingBytes > 0) {
          pending.push(piece);
          bytes = Buffer.concat(pending, pendingBytes + piece.length);
          pending = [];
          pendingBytes = 0;
        }
        if (bytes.length > maxLineBytes) throw tooLong(bytes.length - 1);
        line++;
        onLine(bytes.toString('utf8'), line);
        start = nl + 1;
      }
      if (start > 0) completeBytes = offset + start;
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > maxLineBytes) throw tooLong(pendingBytes);
      }
      offset += chunk.length;
    }
    return { bytes: offset, completeBytes, lines: line };
  } catch (err) {
    if (err instanceof ShardUnreadableError) throw err;
    throw new ShardUnreadableError(`${file} (line ${line + 1})`, err);
  } finally {
    await handle.close();
  }
}

/** The lowdb Adapter of shard snapshots (format in the header above). */
export class SnapshotFile implements Adapter<SnapshotDoc> {
  /** size of the snapshot last read or written, in bytes */
  bytes = 0;

  constructor(readonly file: string) {}

  async read(): Promise<SnapshotDoc | null> {
    const head = await readHead(this.file, HEADER.length + 1);
    if (head === undefined) return null;
    return head.equals(Buffer.from(`${HEADER}\n`)) ? this.readVersion2() : this.readVersion1();
  }

  async write(doc: SnapshotDoc): Promise<void> {
    const dir = dirname(this.file);
    const tmp = join(dir, `.${basename(this.file)}.tmp`);
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'w');
    let bytes = 0;
    try {
      let batch: string[] = [`${HEADER}\n`];
      let batchChars = batch[0]!.length;
      const flush = async () => {
        bytes += (await handle.write(batch.join(''))).bytesWritten;
        batch = [];
        batchChars = 0;
      };
      for (const [table, records] of doc.tables) {
        for (const [key, value] of records) {
          const line = JSON.stringify([table, key, value]);
          // Records are capped when written (MAX_RECORD_BYTES); this guards the reader's limit whatever came before.
          if (line.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(line) > MAX_LINE_BYTES) {
            throw new Error(`record ${table}/${key.slice(0, 80)} is too large for a snapshot line`);
          }
          batch.push(line, '\n');
          batchChars += line.length + 1;
          if (batchChars >= WRITE_BATCH_CHARS) await flush();
        }
      }
      await flush();
      await handle.sync();
    } catch (err) {
      await handle.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await handle.close();
    // Only a complete, durable file replaces the old snapshot; the rename is made durable before the
    // caller drops the journal it replaces.
    await rename(tmp, this.file);
    await syncDirectory(dir);
    this.bytes = bytes;
  }

  private async readVersion2(): Promise<SnapshotDoc> {
    const tables = new Map<string, Map<string, JsonValue>>();
    const summary = await readLines(this.file, (text, line) => {
      if (line === 1) return; // the header, checked by read()
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (err) {
        throw new ShardUnreadableError(`${this.file} (line ${line})`, err);
      }
      if (!Array.isArray(record) || record.length !== 3 || typeof record[0] !== 'string' || typeof record[1] !== 'string') {
        throw new ShardUnreadableError(`${this.file} (line ${line})`, new Error('a snapshot record is not ["TABLE","KEY",VALUE]'));
      }
      let table = tables.get(record[0]);
      if (!table) tables.set(record[0], (table = new Map()));
      table.set(record[1], record[2] as JsonValue);
    });
    if (!summary) throw new ShardUnreadableError(this.file, new Error('the file disappeared while being read'));
    if (summary.completeBytes !== summary.bytes) {
      throw new ShardUnreadableError(this.file, new Error('the snapshot ends in an incomplete line'));
    }
    this.bytes = summary.bytes;
    return { tables };
  }

  private async readVersion1(): Promise<SnapshotDoc> {
    const db = new Low<unknown>(new DataFile<unknown>(this.file, { parse: JSON.parse, stringify: JSON.stringify }), null);
    try {
      await db.read();
    } catch (err) {
      throw new ShardUnreadableError(this.file, err);
    }
    const doc = db.data as { version?: unknown; tables?: unknown } | null;
    if (!isPlainObject(doc) || doc.version !== 1 || !isPlainObject(doc.tables)) {
      throw new ShardUnreadableError(this.file, new Error('not a metadata snapshot of version 1 or 2'));
    }
    const tables = new Map<string, Map<string, JsonValue>>();
    for (const [name, records] of Object.entries(doc.tables)) {
      if (!isPlainObject(records)) throw new ShardUnreadableError(this.file, new Error(`table "${name.slice(0, 80)}" is not an object of records`));
      tables.set(name, new Map(Object.entries(records)));
    }
    this.bytes = (await stat(this.file)).size;
    return { tables };
  }
}

async function readHead(file: string, length: number): Promise<Buffer | undefined> {
  const handle = await openForReading(file);
  if (!handle) return undefined;
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } catch (err) {
    throw new ShardUnreadableError(file, err);
  } finally {
    await handle.close();
  }
}

/** The file opened for reading; undefined if it does not exist; any other failure names the file. */
async function openForReading(file: string): Promise<FileHandle | undefined> {
  try {
    return await open(file, 'r');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw new ShardUnreadableError(file, err);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
