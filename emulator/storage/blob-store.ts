// Content-addressed blob storage (interface). Blobs are immutable: written once under their digest and
// never rewritten. Knows nothing of formats, media types or HTTP.
import type { ProgressFactory } from '../core/progress.js';
import type { Readable } from 'node:stream';

export interface BlobInfo {
  digest: string;
  size: number;
  /** when the bytes were last written (ms since the epoch) */
  modifiedMs: number;
}

export interface ByteRange {
  /** inclusive */
  start: number;
  /** inclusive */
  end: number;
}

export interface BlobStore {
  stat(digest: string): Promise<BlobInfo | undefined>;
  /** A stream of the blob's bytes (or a byte range of them). Throws BLOB_UNKNOWN if absent. */
  open(digest: string, range?: ByteRange): Promise<Readable>;
  /** Positional reads of a blob (large downloads reuse their buffers). Throws BLOB_UNKNOWN if absent. */
  reader(digest: string): Promise<BlobReader>;
  /** Reads a small blob whole (manifests). Throws BLOB_UNKNOWN if absent. */
  read(digest: string): Promise<Buffer>;
  /** Moves a finished, verified file into the store under `digest`; the rename is the commit point. */
  adopt(file: string, digest: string): Promise<void>;
  /** Stores a small buffer under its digest (the caller has verified it). */
  put(data: Uint8Array, digest: string): Promise<void>;
  delete(digest: string): Promise<boolean>;
  /** Every stored digest (for garbage collection). */
  list(): AsyncIterable<string>;
  /**
   * Runs `fn` with `digests` protected from garbage collection. Whoever is about to make metadata reference
   * a blob (commit an upload, mount, store a manifest) checks for or writes the blob, and commits the
   * reference, inside `fn`.
   */
  hold<R>(digests: readonly string[], fn: () => Promise<R>): Promise<R>;
  /**
   * Deletes every stored blob that is not in `referenced()` (called once the sweep has begun) and was not
   * held at any moment of the sweep. One sweep at a time; a second call while one runs does nothing.
   * `progress` hears of each blob examined.
   */
  collectGarbage(referenced: () => Iterable<string>, progress?: ProgressFactory): Promise<{ removed: number; bytes: number }>;
}

export interface BlobReader {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `buffer`; 0 at the end. */
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}
