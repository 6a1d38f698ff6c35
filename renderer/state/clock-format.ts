// How the emulator's virtual clock reads in the dashboard: nothing when it runs at real time, otherwise
// "virtual time: 2027-01-01 00:00 UTC, +30 d". Pure: the page adds the real time that passed since it read
// the clock (the offset stays, the virtual now moves with real time).

/** GET /_emulator/clock and the clock.changed event. */
export interface ClockState {
  now: string;
  offsetSeconds: number;
}

/** `2027-01-01 00:00 UTC`. */
export function virtualTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `+30 d`, `+30 d 4 h`, `-2 h 5 min`, `+12 min`, `+40 s`. */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const hr = Math.floor((s % 86_400) / 3600);
  const min = Math.floor((s % 3600) / 60);
  if (d) return `${sign}${d} d${hr ? ` ${hr} h` : ''}`;
  if (hr) return `${sign}${hr} h${min ? ` ${min} min` : ''}`;
  if (min) return `${sign}${min} min`;
  return `${sign}${s} s`;
}

/**
 * The header line for a clock read at real time `readAt` and shown at real time `shownAt`; undefined at
 * real time (offset 0).
 */
export function describeClock(state: ClockState, readAt: number, shownAt: number): string | undefined {
  if (!state.offsetSeconds) return undefined;
  const now = Date.parse(state.now) + Math.max(0, shownAt - readAt);
  if (!Number.isFinite(now)) return undefined;
  return `virtual time: ${virtualTime(now)}, ${formatOffset(state.offsetSeconds)}`;
}
