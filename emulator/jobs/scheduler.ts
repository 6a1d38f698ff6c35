// The one place background work is scheduled (upload purge, garbage collection). Timers are unref'd so
// they never keep the process alive, and every job is stopped with the emulator. A run that throws is
// logged; overlapping runs of the same job are skipped.
import type { Logger } from '../core/logger.js';

export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<string>();
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  /** Runs `fn` every `ms` milliseconds. */
  every(name: string, ms: number, fn: () => Promise<unknown>): void {
    const timer = setInterval(() => void this.runNow(name, fn), ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Runs `fn` once after `ms` milliseconds. */
  after(name: string, ms: number, fn: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.runNow(name, fn);
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  async runNow(name: string, fn: () => Promise<unknown>): Promise<void> {
    if (this.stopped || this.running.has(name)) return;
    this.running.add(name);
    try {
      await fn();
    } catch (err) {
      this.logger.warn(`job ${name} failed`, { err });
    } finally {
      this.running.delete(name);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
