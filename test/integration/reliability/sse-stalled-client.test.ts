// The event feed (/_emulator/events) with a client that stops reading: the server's memory stays bounded
// while ~200 MiB of events are produced, and the stalled client is dropped (with a final `dropped` event
// when it can still read it) instead of being buffered for without limit.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEventMap } from '../../../emulator/core/events.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';
import { waitFor } from '../../support/process.js';
import { recordingLogger } from '../../support/recording-logger.js';

const MiB = 1 << 20;
/** one event's payload; the same string every time, so the bus's replay ring costs nothing */
const PAYLOAD = 'x'.repeat(64 * 1024);
const PRODUCED_BYTES = 200 * MiB;
const MAX_RSS_GROWTH = 64 * MiB;

const { logger, lines } = recordingLogger();

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startEmulator({ logger });
});
afterAll(() => emu.stop());

interface StalledClient {
  socket: net.Socket;
  /** resumes reading and resolves with everything received once the server has closed the connection */
  drain(timeoutMs: number): Promise<{ text: string; bytes: number; ended: boolean }>;
}

/** A raw connection that sends the request, reads the response headers and then stops reading. */
async function stalledClient(): Promise<StalledClient> {
  const socket = net.connect(emu.emulator.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(`GET /_emulator/events?replay=0 HTTP/1.1\r\nHost: 127.0.0.1:${emu.emulator.port}\r\nAccept: text/event-stream\r\n\r\n`);
  await waitFor('the response headers', () => Buffer.concat(chunks).includes('ar-emulator event stream'), 5_000);
  socket.pause();
  const closed = new Promise<boolean>((resolve) => {
    socket.once('end', () => resolve(true));
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
  return {
    socket,
    async drain(timeoutMs) {
      socket.resume();
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([closed, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
      clearTimeout(timer);
      const stillOpen = !socket.destroyed && socket.readable;
      socket.destroy();
      const all = Buffer.concat(chunks);
      return { text: all.toString('latin1'), bytes: all.length, ended: ended || !stillOpen };
    },
  };
}

/** Emits `bytes` of events in batches, yielding to the event loop between batches as real traffic does. */
async function produce(bytes: number): Promise<number> {
  const data = { format: 'DOCKER', code: 'INTERNAL', message: PAYLOAD } as EmulatorEventMap['push.failed'];
  let produced = 0;
  while (produced < bytes) {
    for (let i = 0; i < 32; i++) {
      emu.emulator.events.emit('push.failed', data);
      produced += PAYLOAD.length;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return produced;
}

const rss = () => process.memoryUsage().rss;

describe('a stalled event-feed client', () => {
  it(`costs the server less than ${MAX_RSS_GROWTH / MiB} MiB while ${PRODUCED_BYTES / MiB} MiB of events are produced, and is disconnected`, async () => {
    const client = await stalledClient();
    await produce(4 * MiB); // warm up: the drop happens here already, and the allocator settles
    const before = rss();
    const produced = await produce(PRODUCED_BYTES);
    const after = rss();
    console.info(`[sse] produced ${(produced / MiB).toFixed(0)} MiB of events; server RSS ${(before / MiB).toFixed(0)} → ${(after / MiB).toFixed(0)} MiB`);
    expect(after - before).toBeLessThan(MAX_RSS_GROWTH);
    const received = await client.drain(10_000);
    expect(received.ended, 'the server closed the stalled connection').toBe(true);
    // what reached the client is what sat in the kernel's and the server's bounded buffers, not 200 MiB
    expect(received.bytes).toBeLessThan(16 * MiB);
    expect(lines.find((l) => l.msg === 'SSE client dropped')?.fields?.reason).toMatch(/not reading/);
  });

  it('sends a final `dropped` event to a client that resumes reading right after the drop', async () => {
    const dropsBefore = lines.filter((l) => l.msg === 'SSE client dropped').length;
    const client = await stalledClient();
    const producing = (async () => {
      while (lines.filter((l) => l.msg === 'SSE client dropped').length === dropsBefore) await produce(MiB);
    })();
    await producing;
    const received = await client.drain(5_000);
    expect(received.ended).toBe(true);
    expect(received.text).toMatch(/event: dropped\ndata: \{"reason":"the client is not reading: \d+ bytes are waiting for it \(limit 1048576\)"\}\n\n/);
  });

  it('keeps serving other clients of the feed', async () => {
    const ctrl = new AbortController();
    const deadline = setTimeout(() => ctrl.abort(new Error('no push.failed event within 15 s')), 15_000);
    const res = await fetch(`${emu.url}/_emulator/events?replay=1&types=push.failed`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    let text = '';
    // the preamble (`: ar-emulator event stream`, `retry:`) may come in a chunk of its own: read until the event itself has ended
    const ended = () => text.includes('event: push.failed') && text.includes('\n\n', text.indexOf('event: push.failed'));
    while (!ended()) text += new TextDecoder().decode((await reader.read()).value);
    clearTimeout(deadline);
    ctrl.abort();
    expect(text).toContain('event: push.failed');
  });

  it('logs no warning or stack trace when clients hang up (ERR_STREAM_PREMATURE_CLOSE is normal)', async () => {
    for (let i = 0; i < 5; i++) {
      const ctrl = new AbortController();
      const res = await fetch(`${emu.url}/_emulator/events?replay=1`, { signal: ctrl.signal });
      await res.body!.getReader().read();
      ctrl.abort();
    }
    await produce(MiB); // the server writes to the closed connections, and notices
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('PREMATURE_CLOSE');
  });
});
