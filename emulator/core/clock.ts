// Time, injected: the system clock in production, a manual clock in tests (and later the virtual clock).

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for deterministic tests. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string | number = '2026-01-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(to: Date | string | number): void {
    this.current = new Date(to).getTime();
  }
}

/**
 * The emulator's virtual clock: real time plus an offset that `advance` and `set` move and `reset` clears.
 * Everything time-dependent reads it (timestamps, cleanup ages, token expiry, upload purges), so moving it makes
 * an image 31 days old at once. Listeners hear every move (the scheduler re-checks what became due).
 */
export class VirtualClock implements Clock {
  private offset = 0;
  private readonly listeners = new Set<(offsetMs: number) => void>();

  constructor(private readonly base: Clock = systemClock) {}

  now(): Date {
    return new Date(this.base.now().getTime() + this.offset);
  }

  /** How far the clock is ahead of (positive) or behind (negative) real time. */
  get offsetMs(): number {
    return this.offset;
  }

  advance(ms: number): void {
    this.move(this.offset + ms);
  }

  set(to: Date): void {
    this.move(to.getTime() - this.base.now().getTime());
  }

  reset(): void {
    this.move(0);
  }

  /** Called after each move with the new offset; returns the unsubscribe function. */
  onChange(listener: (offsetMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private move(offset: number): void {
    if (!Number.isFinite(offset) || Math.abs(offset) > MAX_OFFSET_MS) throw new RangeError('the clock can move at most 100 years from real time');
    this.offset = offset;
    for (const l of this.listeners) l(offset);
  }
}

/** 100 years: far enough for any policy, near enough that dates stay in RFC 3339's range. */
const MAX_OFFSET_MS = 100 * 365.25 * 86_400_000;
