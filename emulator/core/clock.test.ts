import { describe, expect, it } from 'vitest';
import { ManualClock, VirtualClock } from './clock.js';

describe('VirtualClock', () => {
  const real = () => new ManualClock('2026-06-01T00:00:00Z');

  it('is real time until moved, then real time plus the offset', () => {
    const base = real();
    const clock = new VirtualClock(base);
    expect(clock.now().toISOString()).toBe('2026-06-01T00:00:00.000Z');
    clock.advance(30 * 86_400_000);
    expect(clock.now().toISOString()).toBe('2026-07-01T00:00:00.000Z');
    base.advance(1_000);
    expect(clock.now().toISOString()).toBe('2026-07-01T00:00:01.000Z');
    expect(clock.offsetMs).toBe(30 * 86_400_000);
  });

  it('sets an absolute time, resets, and tells its listeners', () => {
    const clock = new VirtualClock(real());
    const heard: number[] = [];
    const off = clock.onChange((o) => heard.push(o));
    clock.set(new Date('2025-06-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2025-06-01T00:00:00.000Z');
    clock.reset();
    expect(clock.offsetMs).toBe(0);
    off();
    clock.advance(5);
    expect(heard).toEqual([-365 * 86_400_000, 0]);
  });

  it('refuses a move beyond 100 years or to a non-time, and stays where it was', () => {
    const clock = new VirtualClock(real());
    clock.advance(1_000);
    expect(() => clock.advance(200 * 365 * 86_400_000)).toThrow(RangeError);
    expect(() => clock.set(new Date('not a time'))).toThrow(RangeError);
    expect(clock.offsetMs).toBe(1_000);
  });
});
