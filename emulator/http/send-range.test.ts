// sendRange against a mock response and socket: a client that disconnects at any byte, write errors on
// buffers in flight, a source shorter than promised and a source that fails to read.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { AppContext } from './context.js';
import { sendRange, type PositionalSource } from './send-range.js';
import { recordingLogger } from '../../test/support/recording-logger.js';

type WriteCallback = (err?: Error | null) => void;

/** A response whose socket takes writes one at a time; the test decides when each write completes. */
class MockResponse extends EventEmitter {
  statusCode = 0;
  headers: Record<string, unknown> = {};
  destroyed = false;
  ended = false;
  written: Buffer[] = [];
  pending: WriteCallback[] = [];
  /** complete every write at once (a fast socket) unless false */
  autoComplete = true;
  /** fail the write with this index with ECONNRESET */
  failAtWrite: number | undefined;
  writes = 0;

  setHeader(k: string, v: unknown): void {
    this.headers[k.toLowerCase()] = v;
  }
  write(chunk: Buffer, cb: WriteCallback): boolean {
    const index = this.writes++;
    if (this.destroyed) {
      queueMicrotask(() => cb(Object.assign(new Error('write after destroy'), { code: 'ERR_STREAM_DESTROYED' })));
      return false;
    }
    this.written.push(Buffer.from(chunk));
    if (index === this.failAtWrite) {
      setImmediate(() => {
        cb(Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' }));
        this.destroy();
      });
      return false;
    }
    if (this.autoComplete) setImmediate(() => cb());
    else this.pending.push(cb);
    return true;
  }
  end(): void {
    this.ended = true;
    setImmediate(() => this.emit('close'));
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    setImmediate(() => this.emit('close'));
  }
  get bytes(): number {
    return this.written.reduce((n, b) => n + b.length, 0);
  }
}

function fakeContext(res: MockResponse, method = 'GET') {
  const { logger, lines } = recordingLogger();
  const ctx = {
    res,
    method,
    status: 200,
    respond: true,
    response: { headers: { 'content-length': '10' } },
    state: { logger, requestId: 'req-1' },
  } as unknown as AppContext;
  return { ctx, lines };
}

/** A source of `size` bytes (value = position % 251) that may claim more than it has. */
function source(size: number, opts: { failAt?: number } = {}) {
  const state = { closed: 0, reads: 0 };
  const src: PositionalSource = {
    async read(buffer, length, position) {
      state.reads++;
      if (opts.failAt !== undefined && position >= opts.failAt) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      const n = Math.max(0, Math.min(length, size - position));
      for (let i = 0; i < n; i++) buffer[i] = (position + i) % 251;
      return n;
    },
    async close() {
      state.closed++;
    },
  };
  return { src, state };
}

const MiB = 1 << 20;

describe('sendRange', () => {
  it('sends every byte of the range, ends the response and closes the source', async () => {
    const res = new MockResponse();
    const { ctx } = fakeContext(res);
    const { src, state } = source(5 * MiB + 17);
    await sendRange(ctx, src, 3, 5 * MiB + 16);
    expect(res.ended).toBe(true);
    expect(res.destroyed).toBe(false);
    expect(res.bytes).toBe(5 * MiB + 14);
    const all = Buffer.concat(res.written);
    expect([all[0], all[all.length - 1]]).toEqual([3 % 251, (5 * MiB + 16) % 251]);
    expect(res.headers['content-length']).toBe('10');
    expect(ctx.respond).toBe(false);
    expect(state.closed).toBe(1);
  });

  it('answers HEAD with headers only and closes the source', async () => {
    const res = new MockResponse();
    const { ctx } = fakeContext(res, 'HEAD');
    const { src, state } = source(100);
    await sendRange(ctx, src, 0, 99);
    expect(res.ended).toBe(true);
    expect(res.writes).toBe(0);
    expect(state.closed).toBe(1);
  });

  it.each([0, 1, 2, 3, 4, 7])(
    'resolves without an unhandled rejection when write %i fails with ECONNRESET while other buffers are in flight',
    async (failAt) => {
      const res = new MockResponse();
      res.failAtWrite = failAt;
      const { ctx, lines } = fakeContext(res);
      const { src, state } = source(12 * MiB);
      // An unhandled rejection would fail this test run (vitest reports it as an error).
      await sendRange(ctx, src, 0, 12 * MiB - 1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(res.destroyed).toBe(true);
      expect(res.ended).toBe(false);
      expect(state.closed).toBe(1);
      expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
      expect(lines.find((l) => l.level === 'debug')?.fields).toMatchObject({ code: 'ECONNRESET' });
    },
  );

  it('does not wait forever for write callbacks of a connection that closed', async () => {
    const res = new MockResponse();
    res.autoComplete = false; // the socket never reports a write as done
    const { ctx } = fakeContext(res);
    const { src, state } = source(8 * MiB);
    const sending = sendRange(ctx, src, 0, 8 * MiB - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(res.writes).toBe(4); // four buffers in flight, then it waits for the first
    res.destroy();
    await sending;
    expect(state.closed).toBe(1);
    expect(res.ended).toBe(false);
  });

  it('stops reading at once when the client disconnects at any byte (every offset of a small range)', async () => {
    for (let cut = 0; cut <= 5; cut++) {
      const res = new MockResponse();
      res.autoComplete = false;
      const { ctx } = fakeContext(res);
      const { src, state } = source(6 * MiB);
      const sending = sendRange(ctx, src, 0, 6 * MiB - 1);
      for (let i = 0; i < cut; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        res.pending.shift()?.();
      }
      res.destroy();
      await sending;
      expect(state.closed, `cut after ${cut} writes`).toBe(1);
      const readsAtClose = state.reads;
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(state.reads).toBe(readsAtClose);
    }
  });

  it('destroys the response and logs the digest when the source ends before the range does', async () => {
    const res = new MockResponse();
    const { ctx, lines } = fakeContext(res);
    const { src, state } = source(2 * MiB + 5);
    await sendRange(ctx, src, 0, 4 * MiB - 1, { what: 'sha256:abc' });
    expect(res.destroyed).toBe(true);
    expect(res.ended).toBe(false);
    expect(res.bytes).toBe(2 * MiB + 5);
    expect(state.closed).toBe(1);
    const error = lines.find((l) => l.level === 'error');
    expect(error?.msg).toMatch(/shorter than its recorded size/);
    expect(error?.fields).toMatchObject({ what: 'sha256:abc', expectedEnd: 4 * MiB - 1, endedAt: 2 * MiB + 4 });
  });

  it('destroys the response and logs an error when the source fails to read mid-way', async () => {
    const res = new MockResponse();
    const { ctx, lines } = fakeContext(res);
    const { src, state } = source(8 * MiB, { failAt: 3 * MiB });
    await sendRange(ctx, src, 0, 8 * MiB - 1, { what: 'sha256:def' });
    expect(res.destroyed).toBe(true);
    expect(res.bytes).toBe(3 * MiB);
    expect(state.closed).toBe(1);
    expect(lines.find((l) => l.level === 'error')?.fields).toMatchObject({ what: 'sha256:def', position: 3 * MiB });
  });
});
