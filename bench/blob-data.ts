// Deterministic blob content without holding a blob in memory: a 32 MiB pool of AES-256-CTR keystream
// (key derived from a seed) repeated to the blob's size. Slices are zero-copy views of the pool, so the
// client spends almost no CPU producing bytes while a server is being measured.
import { createCipheriv, createHash } from 'node:crypto';

export const MiB = 1024 * 1024;
const POOL_BYTES = 32 * MiB;
/** size of the buffers handed to the socket */
const WRITE_BYTES = 1 * MiB;

export class BlobData {
  readonly digest: string;
  private readonly pool: Buffer;

  constructor(
    readonly seed: number,
    readonly size: number,
  ) {
    const key = createHash('sha256').update(`bench-blob-${seed}`).digest();
    const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    this.pool = Buffer.concat([cipher.update(Buffer.alloc(POOL_BYTES)), cipher.final()]);
    const hash = createHash('sha256');
    for (const chunk of this.slice(0, size)) hash.update(chunk);
    this.digest = `sha256:${hash.digest('hex')}`;
  }

  /** The bytes [start, end) as a sequence of views of at most 1 MiB. */
  *slice(start: number, end: number): Generator<Buffer> {
    let pos = start;
    while (pos < end) {
      const inPool = pos % POOL_BYTES;
      const n = Math.min(WRITE_BYTES, end - pos, POOL_BYTES - inPool);
      yield this.pool.subarray(inPool, inPool + n);
      pos += n;
    }
  }

  /** Parts of `partBytes` for a chunked upload (end is inclusive, as in Content-Range). */
  *parts(partBytes: number): Generator<{ start: number; end: number; chunks: Iterable<Buffer> }> {
    for (let start = 0; start < this.size; start += partBytes) {
      const stop = Math.min(this.size, start + partBytes);
      yield { start, end: stop - 1, chunks: this.slice(start, stop) };
    }
  }
}
