// The one place background work is scheduled (upload purge, garbage collection). Timers are unref'd so
// they never keep the process alive, and every job is stopped with the emulator. A run that throws is
// logged; overlapping runs of the same job are skipped (a requested run is deferred instead, see request()).
import type { Logger } from '../core/logger.js';

export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<string>();
  /** jobs with a request() run waiting for its timer */
  private readonly requested = new Set<string>();
  /** jobs requested while they ran: run once more when the current run ends */
  private readonly again = new Map<string, () => void>();
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

  /**
   * Asks for one run of `fn` `ms` milliseconds from now (debounced): requests made before that run starts
   * are folded into it, and a request made while the job runs gets one more run after it (so work that
   * triggered the request is never missed).
   */
  request(name: string, ms: number, fn: () => Promise<unknown>): void {
    if (this.stopped || this.requested.has(name)) return;
    this.requested.add(name);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.requested.delete(name);
      if (this.running.has(name)) this.again.set(name, () => this.request(name, ms, fn));
      else void this.runNow(name, fn);
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
      const again = this.again.get(name);
      this.again.delete(name);
      again?.();
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.requested.clear();
    this.again.clear();
  }
}
