// A layer's bytes, decompressed as they are read: gzip through node:zlib, zstd through fzstd (pure JS; Node 20's
// zlib has no zstd), plain tar as is. The compression is taken from the first bytes (gzip `1f 8b`, zstd frame
// `28 b5 2f fd`, a skippable zstd frame `5? 2a 4d 18`), not from the media type, which may lie. Decompressed bytes are
// counted: past `maxLayerBytes` the read stops with an InventoryError naming the limit (a decompression bomb).
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { InventoryError, type LayerSource } from './types.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** zstd's own decoder refuses frames whose window is over 2^27 bytes unless told otherwise (ZSTD_WINDOWLOG_LIMIT_DEFAULT) */
const ZSTD_MAX_WINDOW = 2 ** 27;
/** fzstd decodes everything it is given in one call: small slices bound what one call can produce (RLE blocks) */
const ZSTD_SLICE = 1024;

export function sniffCompression(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 4 && (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  return 'none';
}

/** The window a zstd frame header asks for (RFC 8878 §3.1.1.1), or undefined when `head` does not start a frame. */
export function zstdWindowSize(head: Buffer): number | undefined {
  if (head.length < 6 || head.readUInt32LE(0) !== 0xfd2fb528) return undefined;
  const fhd = head[4]!;
  const singleSegment = (fhd >> 5) & 1;
  if (!singleSegment) {
    const wd = head[5]!;
    const base = 2 ** (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
  }
  const fcsFlag = fhd >> 6;
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const at = 5 + dictBytes;
  const size = [1, 2, 4, 8][fcsFlag]!;
  if (head.length < at + size) return undefined;
  if (size === 1) return head[at]!;
  if (size === 2) return head.readUInt16LE(at) + 256;
  if (size === 4) return head.readUInt32LE(at);
  return Number(head.readBigUInt64LE(at));
}

/**
 * Walks zstd's frame structure (RFC 8878 §3.1: frame headers, 3-byte block headers, block bodies, checksums, skippable
 * frames) over the compressed bytes before fzstd sees them, so that every frame's window is checked before fzstd
 * allocates it (fzstd allows windows up to 2 GiB). Bytes it cannot follow are left to fzstd to refuse.
 */
export class ZstdFrameGuard {
  private state: 'magic' | 'fhd' | 'header' | 'block' | 'skip' | 'skipsize' | 'off' = 'magic';
  private acc: number[] = [];
  private need = 4;
  private skip = 0;
  private fhd = 0;
  private checksum = false;
  private afterSkip: 'magic' | 'block' = 'magic';
  private lastBlock = false;

  constructor(private readonly maxWindow: number, private readonly digest: string) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && this.state !== 'off') {
      if (this.state === 'skip') {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0) this.next(this.afterSkip);
        continue;
      }
      this.acc.push(chunk[i++]!);
      if (this.acc.length < this.need) continue;
      const b = Buffer.from(this.acc);
      this.acc = [];
      this.step(b);
    }
  }

  private next(state: 'magic' | 'block'): void {
    this.state = state;
    this.need = state === 'magic' ? 4 : 3;
  }

  private step(b: Buffer): void {
    switch (this.state) {
      case 'magic': {
        const m = b.readUInt32LE(0);
        if (m === 0xfd2fb528) {
          this.state = 'fhd';
          this.need = 1;
        } else if ((m & 0xfffffff0) >>> 0 === 0x184d2a50) {
          this.state = 'skipsize';
          this.need = 4;
        } else this.state = 'off';
        return;
      }
      case 'skipsize':
        this.skip = b.readUInt32LE(0);
        this.afterSkip = 'magic';
        this.state = this.skip ? 'skip' : 'magic';
        this.need = 4;
        return;
      case 'fhd': {
        this.fhd = b[0]!;
        const single = (this.fhd >> 5) & 1;
        this.checksum = ((this.fhd >> 2) & 1) === 1;
        const rest = (single ? 0 : 1) + [0, 1, 2, 4][this.fhd & 3]! + [single ? 1 : 0, 2, 4, 8][this.fhd >> 6]!;
        this.state = 'header';
        this.need = rest;
        if (rest === 0) this.step(Buffer.alloc(0));
        return;
      }
      case 'header': {
        const window = zstdWindowSize(Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, this.fhd]), b]));
        if (window !== undefined && window > this.maxWindow) {
          throw new InventoryError(`layer ${this.digest}: zstd frame asks for a ${window}-byte window (over ${this.maxWindow})`);
        }
        this.next('block');
        return;
      }
      case 'block': {
        const v = b[0]! | (b[1]! << 8) | (b[2]! << 16);
        this.lastBlock = (v & 1) === 1;
        const type = (v >> 1) & 3;
        if (type === 3) {
          this.state = 'off';
          return;
        }
        this.skip = type === 1 ? 1 : v >>> 3;
        if (this.lastBlock) {
          this.skip += this.checksum ? 4 : 0;
          this.afterSkip = 'magic';
        } else this.afterSkip = 'block';
        if (this.skip) this.state = 'skip';
        else this.next(this.afterSkip);
        return;
      }
    }
  }
}

async function* zstdDecode(input: AsyncIterable<Buffer>, digest: string): AsyncGenerator<Buffer> {
  const guard = new ZstdFrameGuard(ZSTD_MAX_WINDOW, digest);
  let out: Buffer[] = [];
  const d = new Decompress((chunk) => {
    if (chunk.length) out.push(Buffer.from(chunk));
  });
  const state = d as unknown as { s?: { e?: number } | number };
  const push = (slice: Buffer, final: boolean): void => {
    try {
      d.push(slice, final);
    } catch (err) {
      throw new InventoryError(`layer ${digest}: corrupt zstd stream (${(err as Error).message})`);
    }
    const s = state.s;
    if (s && typeof s === 'object' && (s.e ?? 0) > ZSTD_MAX_WINDOW) {
      throw new InventoryError(`layer ${digest}: zstd frame asks for a ${s.e}-byte window (over ${ZSTD_MAX_WINDOW})`);
    }
  };
  for await (const chunk of input) {
    guard.feed(chunk);
    for (let i = 0; i < chunk.length; i += ZSTD_SLICE) {
      push(chunk.subarray(i, i + ZSTD_SLICE), false);
      if (out.length) {
        const ready = out;
        out = [];
        yield* ready;
      }
    }
  }
  push(Buffer.alloc(0), true);
  yield* out;
}

/** The decompressed bytes of a layer, each chunk counted against `maxLayerBytes`; the source is closed when done. */
export async function* layerBytes(layer: LayerSource, maxLayerBytes: number): AsyncGenerator<Buffer> {
  const src = await layer.open();
  const it = (src as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let inner: Readable | undefined;
  try {
    let head = Buffer.alloc(0);
    while (head.length < 18) {
      const r = await it.next();
      if (r.done) break;
      head = head.length ? Buffer.concat([head, r.value]) : Buffer.from(r.value);
    }
    const compression = sniffCompression(head);
    if (compression === 'zstd') {
      const window = zstdWindowSize(head);
      if (window !== undefined && window > ZSTD_MAX_WINDOW) {
        throw new InventoryError(`layer ${layer.digest}: zstd frame asks for a ${window}-byte window (over ${ZSTD_MAX_WINDOW})`);
      }
    }
    const rest = (async function* () {
      if (head.length) yield head;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value as Buffer;
      }
    })();
    let decoded: AsyncIterable<Buffer>;
    if (compression === 'gzip') {
      inner = pipeline(Readable.from(rest, { objectMode: false }), createGunzip(), () => {});
      decoded = inner;
    } else if (compression === 'zstd') decoded = zstdDecode(rest, layer.digest);
    else decoded = rest;
    let total = 0;
    try {
      for await (const chunk of decoded) {
        total += chunk.length;
        if (total > maxLayerBytes) {
          throw new InventoryError(`layer ${layer.digest}: over maxLayerBytes (more than ${maxLayerBytes} bytes uncompressed)`);
        }
        yield chunk;
      }
    } catch (err) {
      if (err instanceof InventoryError) throw err;
      const kind = compression === 'none' ? 'layer stream' : `${compression} stream`;
      throw new InventoryError(`layer ${layer.digest}: corrupt ${kind} (${(err as Error).message})`);
    }
  } finally {
    inner?.destroy();
    src.destroy();
  }
}
