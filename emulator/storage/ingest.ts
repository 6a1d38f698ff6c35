// The one way bytes enter the blob store, for every format: a stream is written to a temp file while every
// digest the format asks for is computed in the same pass; the digests the client gave are verified (or the
// address is learned from the bytes); the file is fsync'ed and renamed into the store and the caller's
// metadata commit runs while the blob is held from garbage collection. A failure at any step leaves nothing
// behind. Resumable uploads (uploads.ts) use the same pieces across several requests.
import { rm, truncate, type FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EmulatorError, type ErrorCode } from '../core/errors.js';
import type { IdGenerator } from '../core/ids.js';
import type { BlobStore } from './blob-store.js';
import { MultiHash, type HashAlgorithm } from './multi-hash.js';
import type { DataPaths } from './paths.js';

/** The algorithms a blob can be stored under (`<alg>:<hex>` is its content address). */
export type AddressAlgorithm = 'sha256' | 'sha512';

export interface ExpectedDigest {
  algorithm: HashAlgorithm;
  /** lower-case hex */
  hex: string;
}

export interface IngestOptions {
  /** The content address's algorithm (default sha256). */
  address?: AddressAlgorithm;
  /** Further digests to compute (npm sha1/sha512, PyPI md5/blake2b-256, Maven sha1/md5, …). */
  algorithms?: readonly HashAlgorithm[];
  /** Digests the client gave; each must match the bytes, else DIGEST_MISMATCH and nothing is kept. */
  expected?: readonly ExpectedDigest[];
  /** The exact byte count the client announced; another count is SIZE_MISMATCH. */
  length?: number;
  /** More bytes than this fail with `code` as soon as they arrive. */
  limit?: { bytes: number; code: ErrorCode };
}

export interface IngestedBlob {
  /** the content address, `<alg>:<hex>` */
  digest: string;
  size: number;
  /** every computed digest, lower-case hex, by algorithm */
  digests: Partial<Record<HashAlgorithm, string>>;
}

export class BlobIngest {
  constructor(
    private readonly paths: DataPaths,
    private readonly blobs: BlobStore,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Streams `body` into the store and then runs `commit` (the caller's metadata write, which takes its shard
   * lock) while the blob is held, so the garbage collector cannot take it between the rename and the link.
   */
  async ingest<R>(body: Readable, opts: IngestOptions, commit: (blob: IngestedBlob) => Promise<R>): Promise<R> {
    const tmp = join(this.paths.blobTempDir, this.ids.uuid());
    try {
      const hash = await MultiHash.of(algorithmsFor(opts));
      const out = await open(tmp, 'wx');
      let size: number;
      try {
        size = await writeHashed(body, out, hash, opts);
      } finally {
        await out.close().catch(() => {});
      }
      const blob = verified(hash, size, opts);
      return await commitFile(this.blobs, tmp, blob, commit);
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

/** Every algorithm to compute for `opts`: the address, the asked ones and those of the expected digests. */
export function algorithmsFor(opts: Pick<IngestOptions, 'address' | 'algorithms' | 'expected'>): HashAlgorithm[] {
  return [...new Set<HashAlgorithm>([opts.address ?? 'sha256', ...(opts.algorithms ?? []), ...(opts.expected ?? []).map((e) => e.algorithm)])];
}

/**
 * Streams `body` to the end of `out`, feeding `hash` (updated in place) and counting bytes. Enforces
 * `length` and `limit`. A client that goes away mid-stream is UPLOAD_INVALID; the caller removes or
 * truncates what was written.
 */
export async function writeHashed(body: Readable, out: FileHandle, hash: MultiHash, opts: Pick<IngestOptions, 'length' | 'limit'>): Promise<number> {
  let written = 0;
  try {
    await pipeline(
      body,
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          written += chunk.length;
          if (opts.limit && written > opts.limit.bytes) {
            cb(new EmulatorError(opts.limit.code, `the content is larger than ${opts.limit.bytes} bytes`));
            return;
          }
          hash.update(chunk);
          cb(null, chunk);
        },
      }),
      out.createWriteStream({ highWaterMark: 1 << 20 }),
    );
  } catch (err) {
    if (err instanceof EmulatorError) throw err;
    throw new EmulatorError('UPLOAD_INVALID', 'the upload was interrupted before all bytes arrived', undefined, { cause: err });
  }
  if (opts.length !== undefined && written !== opts.length) {
    throw new EmulatorError('SIZE_MISMATCH', `received ${written} bytes but Content-Length said ${opts.length}`);
  }
  return written;
}

/** The blob `hash` describes, after checking every expected digest against it (DIGEST_MISMATCH). */
export function verified(hash: MultiHash, size: number, opts: Pick<IngestOptions, 'address' | 'expected'>): IngestedBlob {
  const digests = hash.digests();
  for (const e of opts.expected ?? []) {
    if (digests[e.algorithm] !== e.hex.toLowerCase()) {
      const value = `${e.algorithm}:${e.hex}`;
      throw new EmulatorError('DIGEST_MISMATCH', `digest ${value} does not match the uploaded content`, { expected: value });
    }
  }
  const address = opts.address ?? 'sha256';
  return { digest: `${address}:${digests[address]!}`, size, digests };
}

/** Moves a verified file into the store (fsync, rename, directory fsync) and runs `commit`, both under a hold. */
export function commitFile<R>(blobs: BlobStore, file: string, blob: IngestedBlob, commit: (blob: IngestedBlob) => Promise<R>): Promise<R> {
  return blobs.hold([blob.digest], async () => {
    await blobs.adopt(file, blob.digest);
    return commit(blob);
  });
}

/** Digests of the first `length` bytes of `file` (a restarted upload's state, or an algorithm asked late). */
export async function hashFile(file: string, length: number, algorithms: Iterable<HashAlgorithm>): Promise<MultiHash> {
  const hash = await MultiHash.of(algorithms);
  if (length === 0) return hash;
  const handle = await open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream({ start: 0, end: length - 1, autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash;
}

/** Cuts `file` back to `offset` (a failed append); errors are ignored, the caller is already failing. */
export async function rollBack(file: string, offset: number): Promise<void> {
  await truncate(file, offset).catch(() => {});
}
