// The header's virtual-clock line: hidden at real time, otherwise the emulator's time (moving on with real
// time since it was read) and the offset in days, hours, minutes or seconds.
import { describe, expect, it } from 'vitest';
import { describeClock, formatOffset } from './clock-format.js';

describe('describeClock', () => {
  it('is undefined at real time', () => {
    expect(describeClock({ now: '2026-12-02T10:00:00.000Z', offsetSeconds: 0 }, 0, 0)).toBeUndefined();
  });

  it('names the virtual time and the offset, moving on with real time', () => {
    const state = { now: '2027-01-01T00:00:00.000Z', offsetSeconds: 30 * 86_400 };
    expect(describeClock(state, 1000, 1000)).toBe('virtual time: 2027-01-01 00:00 UTC, +30 d');
    expect(describeClock(state, 1000, 1000 + 5 * 60_000)).toBe('virtual time: 2027-01-01 00:05 UTC, +30 d');
  });

  it('formats offsets in the largest units that matter', () => {
    expect(formatOffset(30 * 86_400 + 4 * 3600 + 59)).toBe('+30 d 4 h');
    expect(formatOffset(-(2 * 3600 + 5 * 60))).toBe('-2 h 5 min');
    expect(formatOffset(12 * 60 + 3)).toBe('+12 min');
    expect(formatOffset(40)).toBe('+40 s');
  });
});
