// /_emulator/health and the live event feed (Server-Sent Events with replay).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../test/support/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

/** Reads SSE frames until `count` events arrived (or the deadline passes). */
async function readEvents(url: string, count: number, headers: Record<string, string> = {}, onOpen?: () => Promise<void>) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 5_000);
  const res = await fetch(url, { headers, signal: ctrl.signal });
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  const events: Array<{ id: number; type: string; data: Record<string, unknown> }> = [];
  let buffer = '';
  const opened = onOpen?.();
  try {
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let idx;
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
      }
    }
  } finally {
    clearTimeout(timer);
    ctrl.abort();
    await opened;
  }
  return events;
}

describe('health', () => {
  it('reports ok with the version and URL', async () => {
    const res = await fetch(`${emu.url}/_emulator/health`);
    expect(await res.json()).toMatchObject({ status: 'ok', url: emu.url, version: expect.any(String) });
  });
});

describe('streamEvents', () => {
  it('replays recent events on connect, then streams new ones live', async () => {
    await emu.createRepository('feed');
    const events = await readEvents(`${emu.url}/_emulator/events?types=repository.created`, 2, {}, async () => {
      await emu.createRepository('feed-two');
    });
    expect(events.map((e) => [e.type, e.data.repository])).toEqual([
      ['repository.created', 'projects/test-project/locations/us-central1/repositories/feed'],
      ['repository.created', 'projects/test-project/locations/us-central1/repositories/feed-two'],
    ]);
    expect(events[1]!.id).toBeGreaterThan(events[0]!.id);
  });

  it('resumes after Last-Event-ID and filters by type', async () => {
    const all = await readEvents(`${emu.url}/_emulator/events?replay=1000`, 3);
    const rest = await readEvents(`${emu.url}/_emulator/events?types=repository.created`, 1, { 'Last-Event-ID': String(all[1]!.id) });
    expect(rest[0]!.id).toBeGreaterThan(all[1]!.id);
    expect(rest[0]!.type).toBe('repository.created');
  });

  it('counts ?replay=N among the events of the ?types asked for, not among all events', async () => {
    await emu.createRepository('feed-counted');
    // later events of other types must not push the repository's creation out of a one-event replay
    for (let i = 0; i < 5; i++) emu.emulator.events.emit('push.failed', { format: 'DOCKER', code: 'INTERNAL', message: `noise ${i}` });
    const events = await readEvents(`${emu.url}/_emulator/events?replay=1&types=repository.created`, 1);
    expect(events.map((e) => [e.type, e.data.repository])).toEqual([
      ['repository.created', 'projects/test-project/locations/us-central1/repositories/feed-counted'],
    ]);
  });
});
