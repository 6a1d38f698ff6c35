// One client of the Server-Sent Events feed (/_emulator/events): writes frames to the raw response with
// backpressure, and drops a client that stops reading before what waits for it exceeds a bounded buffer.
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
import type { EmulatorEvent } from '../core/events.js';
import type { AppContext } from '../http/context.js';

/** What may wait for one client (queued frames plus the response's and socket's buffers) before it is dropped. */
export const SSE_CLIENT_BUFFER_LIMIT = 1 << 20;
/** How long a dropped client gets to read its final `dropped` frame before the connection is destroyed. */
const DROP_GRACE_MS = 1_000;

export class SseClient {
  private readonly res: AppContext['res'];
  private readonly logger: AppContext['state']['logger'];
  private readonly requestId: string;
  /** replayed events not yet written (the bus holds them anyway, so they cost no extra memory) */
  private backlog: readonly EmulatorEvent[] = [];
  private nextBacklog = 0;
  /** live frames waiting for the socket to drain */
  private queue: string[] = [];
  private queuedBytes = 0;
  private needsDrain = false;
  private finished = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private onFinish: () => void = () => {};

  constructor(
    ctx: AppContext,
    private readonly limit: number,
    private readonly types: ReadonlySet<string> | undefined,
  ) {
    this.res = ctx.res;
    this.logger = ctx.state.logger;
    this.requestId = ctx.state.requestId;
    // The stream is written here, not piped by Koa: a pipe would buffer without bound behind a stalled
    // socket, and report every disconnect as ERR_STREAM_PREMATURE_CLOSE.
    ctx.respond = false;
    this.res.statusCode = ctx.status;
    for (const [k, v] of Object.entries(ctx.response.headers)) if (v !== undefined) this.res.setHeader(k, v as string | string[]);
  }

  /**
   * Sends the greeting and `replay` (already of the wanted types: EventBus.replay filters), then live events as
   * they are pushed; `onFinish` runs once at the end.
   */
  start(replay: readonly EmulatorEvent[], onFinish: () => void): void {
    this.onFinish = onFinish;
    // Writes to a connection that is going away report errors here; the 'close' below is what counts.
    this.res.on('error', (err: unknown) => this.logger.debug('SSE client connection error', { requestId: this.requestId, code: (err as { code?: string }).code }));
    this.res.once('close', () => this.finish());
    this.res.on('drain', () => {
      this.needsDrain = false;
      this.pump();
    });
    if (this.res.destroyed) return this.finish();
    this.write(': ar-emulator event stream\nretry: 2000\n\n');
    this.backlog = replay;
    this.pump();
  }

  push(event: EmulatorEvent): void {
    if (this.finished || !this.wants(event)) return;
    const frame = frameOf(event);
    if (!this.needsDrain && this.nextBacklog >= this.backlog.length && this.queue.length === 0) {
      this.write(frame);
      return;
    }
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    const waiting = this.queuedBytes + this.res.writableLength;
    if (waiting > this.limit) this.drop(`the client is not reading: ${waiting} bytes are waiting for it (limit ${this.limit})`);
  }

  /** Ends the stream (the emulator is stopping). */
  end(): void {
    if (this.finished) return;
    this.detach();
    // The connection goes with the stream, so the server's close does not wait for the client to hang up.
    this.endAndClose();
  }

  private wants(event: EmulatorEvent): boolean {
    return !this.types || this.types.has(event.type);
  }

  private pump(): void {
    while (!this.finished && !this.needsDrain) {
      let frame: string | undefined;
      if (this.nextBacklog < this.backlog.length) frame = frameOf(this.backlog[this.nextBacklog++]!);
      else if (this.queue.length > 0) {
        frame = this.queue.shift()!;
        this.queuedBytes -= frame.length;
      } else break;
      this.write(frame);
    }
  }

  private write(frame: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    if (!this.res.write(frame)) this.needsDrain = true;
  }

  /**
   * Drops a slow consumer: a final `dropped` event says why (it arrives if the client resumes reading within
   * the grace period; EventSource then reconnects with Last-Event-ID), and the connection is closed.
   */
  private drop(reason: string): void {
    this.logger.info('SSE client dropped', { requestId: this.requestId, reason });
    this.detach();
    if (this.res.destroyed || this.res.writableEnded) return;
    const socket = this.res.socket;
    this.endAndClose(`event: dropped\ndata: ${JSON.stringify({ reason })}\n\n`);
    this.graceTimer = setTimeout(() => socket?.destroy(), DROP_GRACE_MS);
    this.graceTimer.unref();
  }

  /**
   * Ends the response, then closes the connection: a keep-alive connection would otherwise stay open after
   * the stream (the response detaches from its socket when it finishes, hence the captured socket).
   */
  private endAndClose(last?: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    const socket = this.res.socket;
    this.res.end(last ?? '', () => socket?.destroy());
  }

  /** Stops taking events and frees what waits; the response itself is ended or destroyed by the caller. */
  private detach(): void {
    if (this.finished) return;
    this.finished = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.backlog = [];
    this.onFinish();
  }

  private finish(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.detach();
  }
}

function frameOf(e: EmulatorEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}
