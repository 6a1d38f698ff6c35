// Streams a byte range of a positional source to the response through four reused buffers: a buffer is
// refilled only after the socket has taken its previous contents. No allocation per chunk, so a large
// download does not drive the garbage collector (fresh 1-4 MiB buffers per read cost ~2x the CPU).
// A client that goes away at any byte is normal: no write error escapes, and the source is always closed.
import type { AppContext } from './context.js';

export interface PositionalSource {
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface SendRangeOptions {
  /** what is being sent, for log lines (a digest) */
  what?: string;
}

const CHUNK = 1 << 20;
/** buffers in flight: enough to keep a fast socket busy while the next read completes */
const DEPTH = 4;

/**
 * Takes over the response (headers must be set on ctx first) and sends bytes [start, end]. Never rejects:
 * a client disconnect ends the transfer quietly; a source that ends early or fails to read destroys the
 * response (the client sees a short read, not a stall) and is logged as an error.
 */
export async function sendRange(ctx: AppContext, source: PositionalSource, start: number, end: number, opts: SendRangeOptions = {}): Promise<void> {
  const res = ctx.res;
  const logger = ctx.state.logger;
  const fields = { what: opts.what, requestId: ctx.state.requestId };
  ctx.respond = false;
  try {
    res.statusCode = ctx.status;
    for (const [k, v] of Object.entries(ctx.response.headers)) if (v !== undefined) res.setHeader(k, v as string | string[]);
    if (ctx.method === 'HEAD' || end < start) {
      res.end();
      return;
    }
    // Settles when the connection goes away, so no wait below outlives the client.
    let gone = res.destroyed;
    const closed = new Promise<void>((resolve) => res.once('close', () => ((gone = true), resolve())));
    let writeError: Error | undefined;
    const size = Math.min(CHUNK, end - start + 1);
    const buffers = Array.from({ length: DEPTH }, () => Buffer.allocUnsafe(size));
    // Write promises never reject: an error is recorded and ends the loop, so none can go unhandled.
    const inFlight: Array<Promise<void> | undefined> = buffers.map(() => undefined);
    let position = start;
    for (let i = 0; position <= end; i = (i + 1) % DEPTH) {
      if (inFlight[i]) await Promise.race([inFlight[i], closed]);
      if (gone || writeError) break;
      const buffer = buffers[i]!;
      let n: number;
      try {
        n = await source.read(buffer, Math.min(buffer.length, end - position + 1), position);
      } catch (err) {
        if (gone) break;
        logger.error('blob read failed mid-download; the response was cut short', { ...fields, position, err });
        res.destroy();
        return;
      }
      if (gone) break;
      if (n === 0) {
        // The stored file is shorter than its recorded size: say so, and make the client see a short read
        // instead of waiting forever for the bytes Content-Length promised.
        logger.error('stored blob is shorter than its recorded size; the response was cut short', { ...fields, expectedEnd: end, endedAt: position - 1 });
        res.destroy();
        return;
      }
      position += n;
      const chunk = n === buffer.length ? buffer : buffer.subarray(0, n);
      inFlight[i] = new Promise<void>((resolve) => {
        res.write(chunk, (err) => {
          if (err) writeError ??= err;
          resolve();
        });
      });
    }
    if (!gone && !writeError) await Promise.race([Promise.all(inFlight), closed]);
    if (gone || writeError) {
      logger.debug('client went away during a download', { ...fields, sentUpTo: position - 1, end, code: (writeError as NodeJS.ErrnoException | undefined)?.code });
      if (!res.destroyed) res.destroy();
      return;
    }
    res.end();
  } catch (err) {
    // Nothing above is expected to throw (setHeader after a disconnect is the only candidate).
    logger.warn('download ended by an unexpected error', { ...fields, err });
    if (!res.destroyed) res.destroy();
  } finally {
    await source.close().catch((err: unknown) => logger.warn('closing a blob source failed', { ...fields, err }));
  }
}
