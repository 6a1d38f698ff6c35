// Streams a byte range of a positional source to the response through four reused buffers: a buffer is
// refilled only after the socket has taken its previous contents. No allocation per chunk, so a large
// download does not drive the garbage collector (fresh 1-4 MiB buffers per read cost ~2x the CPU).
import type { AppContext } from './context.js';

export interface PositionalSource {
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

const CHUNK = 1 << 20;
/** buffers in flight: enough to keep a fast socket busy while the next read completes */
const DEPTH = 4;

/** Takes over the response (headers must be set on ctx first) and sends bytes [start, end]. */
export async function sendRange(ctx: AppContext, source: PositionalSource, start: number, end: number): Promise<void> {
  const res = ctx.res;
  ctx.respond = false;
  res.statusCode = ctx.status;
  for (const [k, v] of Object.entries(ctx.response.headers)) if (v !== undefined) res.setHeader(k, v as string | string[]);
  if (ctx.method === 'HEAD' || end < start) {
    res.end();
    await source.close();
    return;
  }
  const size = Math.min(CHUNK, end - start + 1);
  const buffers = Array.from({ length: DEPTH }, () => Buffer.allocUnsafe(size));
  const inFlight: Array<Promise<void> | undefined> = buffers.map(() => undefined);
  let closed = false;
  res.once('close', () => (closed = true));
  try {
    let position = start;
    for (let i = 0; position <= end && !closed; i = (i + 1) % DEPTH) {
      await inFlight[i];
      const buffer = buffers[i]!;
      const n = await source.read(buffer, Math.min(buffer.length, end - position + 1), position);
      if (n === 0) break;
      position += n;
      inFlight[i] = new Promise<void>((resolve, reject) => {
        res.write(n === buffer.length ? buffer : buffer.subarray(0, n), (err) => (err ? reject(err) : resolve()));
      });
    }
    await Promise.all(inFlight);
    if (!closed) res.end();
  } catch (err) {
    res.destroy(err as Error);
  } finally {
    await source.close().catch(() => {});
  }
}
