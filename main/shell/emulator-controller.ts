// Runs the in-process emulator for the shell: start, pause (stop listening, keep the port for resume),
// resume, restart, reset (wipe the data folder) and stop, with the state the tray and dashboard show.
// Electron-free; createEmulator is injected so tests can use a fake.
import type { Emulator, EmulatorEvent, EmulatorOptions } from '../../emulator/index.js';
import type { ShellStatus } from '../ipc/contract.js';

export type EmulatorFactory = (options: EmulatorOptions) => Promise<Emulator>;

export class EmulatorController {
  private emulator: Emulator | undefined;
  private current: ShellStatus;
  private disposeEvents: (() => void) | undefined;
  private readonly statusListeners = new Set<(s: ShellStatus) => void>();
  private readonly eventListeners = new Set<(e: EmulatorEvent) => void>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly factory: EmulatorFactory,
    private options: EmulatorOptions,
    private readonly removeData: (dir: string) => Promise<void>,
  ) {
    this.current = { state: 'starting', dataDir: options.dataDir };
  }

  get status(): ShellStatus {
    return this.current;
  }

  onStatus(listener: (s: ShellStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onEvent(listener: (e: EmulatorEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  start(): Promise<ShellStatus> {
    return this.serial(() => this.doStart());
  }

  pause(): Promise<ShellStatus> {
    return this.serial(async () => {
      await this.doStop();
      this.set({ state: 'paused', url: this.current.url, port: this.current.port, dataDir: this.options.dataDir });
      return this.current;
    });
  }

  resume(): Promise<ShellStatus> {
    return this.start();
  }

  restart(): Promise<ShellStatus> {
    return this.serial(async () => {
      await this.doStop();
      return this.doStart();
    });
  }

  /** Stops, deletes everything in the data folder, and starts empty. */
  reset(): Promise<ShellStatus> {
    return this.serial(async () => {
      await this.doStop();
      await this.removeData(this.options.dataDir);
      return this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.serial(() => this.doStop());
  }

  private async doStart(): Promise<ShellStatus> {
    if (this.emulator) return this.current;
    this.set({ state: 'starting', dataDir: this.options.dataDir, port: this.current.port, url: this.current.url });
    try {
      const emulator = await this.factory(this.options);
      this.emulator = emulator;
      // keep the port a resume or restart comes back on, even when the first start picked a free one
      this.options = { ...this.options, port: emulator.port };
      this.disposeEvents = emulator.events.onAny((e) => this.eventListeners.forEach((l) => l(e)));
      this.set({ state: 'running', url: emulator.url, port: emulator.port, dataDir: emulator.dataDir });
    } catch (err) {
      this.set({ state: 'error', dataDir: this.options.dataDir, message: err instanceof Error ? err.message : String(err) });
    }
    return this.current;
  }

  private async doStop(): Promise<void> {
    const emulator = this.emulator;
    if (!emulator) return;
    this.emulator = undefined;
    this.disposeEvents?.();
    this.disposeEvents = undefined;
    await emulator.stop();
  }

  private set(status: ShellStatus): void {
    this.current = status;
    for (const l of this.statusListeners) l(status);
  }

  /** Lifecycle operations run one at a time, in order. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
