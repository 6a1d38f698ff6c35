// Reads GET /_emulator/events (Server-Sent Events) with fetch rather than EventSource: the server names every
// event (`event: artifact.pushed`), and EventSource only delivers named events to listeners registered per
// name, so types added later (policy.violated, cache.hit, scan.completed) would be dropped. Reconnects with
// Last-Event-ID.
import type { FeedEvent } from './types.js';

export type StreamStatus = 'connecting' | 'live' | 'offline';

export interface EventStreamOptions {
  onEvent(event: FeedEvent): void;
  onStatus(status: StreamStatus): void;
  replay?: number;
}

export function openEventStream(opts: EventStreamOptions): () => void {
  const abort = new AbortController();
  let lastId = 0;
  let retryMs = 1000;

  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      opts.onStatus('connecting');
      try {
        const q = lastId ? `after=${lastId}` : `replay=${opts.replay ?? 200}`;
        const res = await fetch(`/_emulator/events?${q}`, { signal: abort.signal, headers: { Accept: 'text/event-stream' }, cache: 'no-store' });
        if (!res.ok || !res.body) throw new Error(`event stream: ${res.status}`);
        opts.onStatus('live');
        retryMs = 1000;
        await readFrames(res.body, (data) => {
          const event = parseEvent(data);
          if (!event) return;
          lastId = Math.max(lastId, event.id);
          opts.onEvent(event);
        });
      } catch {
        if (abort.signal.aborted) return;
      }
      opts.onStatus('offline');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, 15_000);
    }
  };
  void run();
  return () => abort.abort();
}

/** Splits an SSE body into frames and hands each frame's joined `data:` lines to `onData`. */
async function readFrames(body: ReadableStream<Uint8Array>, onData: (data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) onData(data);
    }
  }
}

export function parseEvent(data: string): FeedEvent | undefined {
  try {
    const e = JSON.parse(data) as Partial<FeedEvent>;
    if (typeof e.id !== 'number' || typeof e.type !== 'string' || typeof e.time !== 'string') return undefined;
    return { id: e.id, type: e.type, time: e.time, data: e.data && typeof e.data === 'object' ? e.data : {} };
  } catch {
    return undefined;
  }
}
