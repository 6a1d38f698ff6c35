// Registers one ipcMain handler per contract channel. Each checks the sender and the arguments before the
// handler runs, and answers an IpcResult, so errors cross as {code, message}. Main→renderer events wait in
// a queue until the dashboard says it is ready.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { IpcArgs, IpcEventChannel, IpcEventMap, IpcInvokeChannel, IpcResult, IpcReturn } from './contract.js';
import { INVOKE_CHANNELS, isTrustedSender, validateArgs } from './validate.js';

export type IpcHandlers = { [C in IpcInvokeChannel]: (...args: IpcArgs<C>) => IpcReturn<C> | Promise<IpcReturn<C>> };

export interface IpcHostOptions {
  handlers: IpcHandlers;
  /** the emulator's origin (`http://127.0.0.1:PORT`), read when a request arrives */
  dashboardOrigin: () => string | undefined;
  logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

export async function handleInvoke<C extends IpcInvokeChannel>(opts: IpcHostOptions, channel: C, event: Pick<IpcMainInvokeEvent, 'senderFrame'>, args: readonly unknown[]): Promise<IpcResult<C>> {
  if (!isTrustedSender(event.senderFrame, opts.dashboardOrigin())) {
    opts.logger?.warn('ipc: refused a message from an untrusted frame', { channel, url: event.senderFrame?.url });
    return { ok: false, error: { code: 'INVALID_SENDER', message: 'this frame may not call the desktop shell' } };
  }
  const valid = validateArgs(channel, args);
  if (!valid.ok) return valid;
  try {
    const handler = opts.handlers[channel] as (...a: IpcArgs<C>) => IpcReturn<C> | Promise<IpcReturn<C>>;
    return { ok: true, value: await handler(...valid.args) };
  } catch (err) {
    return { ok: false, error: { code: 'FAILED', message: err instanceof Error ? err.message : String(err) } };
  }
}

/** Registers every channel of the contract; returns a disposer that removes them. */
export function registerIpcHost(opts: IpcHostOptions): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, ...args) => handleInvoke(opts, channel, event, args));
  }
  return () => INVOKE_CHANNELS.forEach((c) => ipcMain.removeHandler(c));
}

/** Main→renderer events, held until `emu:renderer.ready` (fiddle queues the same way). */
export class RendererEvents {
  private queue: Array<[IpcEventChannel, unknown]> = [];
  private target: WebContents | undefined;
  private isReady = false;

  /** A new window: events are queued again until it is ready. */
  attach(target: WebContents): void {
    this.target = target;
    this.queue = [];
    this.isReady = false;
  }

  ready(): void {
    const queued = this.queue;
    this.queue = [];
    for (const [channel, payload] of queued) this.target?.send(channel, payload);
    this.isReady = true;
  }

  send<E extends IpcEventChannel>(channel: E, payload: IpcEventMap[E]): void {
    if (!this.target || this.target.isDestroyed()) return;
    if (!this.isReady) {
      // only the latest status matters; other events keep their order
      if (channel === 'emu:server.statusChanged') this.queue = this.queue.filter(([c]) => c !== channel);
      this.queue.push([channel, payload]);
      return;
    }
    this.target.send(channel, payload);
  }

  detach(): void {
    this.target = undefined;
    this.isReady = false;
    this.queue = [];
  }
}
