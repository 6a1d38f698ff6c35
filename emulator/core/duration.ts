// Durations as users and clients write them: a google.protobuf.Duration in JSON ("2592000s", "2592000.0s",
// "-60s", "1.5s") or the short human form gcloud accepts ("30d", "2h", "1d12h", "90m", "45s", "1w"), and
// ISO 8601 ("P30D", "PT2H"). Used by the virtual clock and the cleanup policies.

const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

/** Milliseconds in `text`, or undefined when it is not a duration. Negative only in the protobuf form. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  const proto = /^(-?)(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(t);
  if (proto) {
    const ms = Number(proto[2]) * 1000 + Math.round(Number(`0.${proto[3] ?? '0'}`) * 1000);
    return proto[1] ? -ms : ms;
  }
  const human = /^(?:\d{1,9}[wdhms])+$/i.test(t) ? t.toLowerCase().match(/\d+[wdhms]/g) : null;
  if (human) return human.reduce((sum, part) => sum + Number(part.slice(0, -1)) * UNIT_MS[part.slice(-1)]!, 0);
  const iso = /^P(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?)?$/i.exec(t);
  if (iso && t.length > 1 && !/T$/i.test(t)) {
    const [w, d, h, m, s] = iso.slice(1).map((x) => Number(x ?? 0));
    return w! * UNIT_MS.w! + d! * UNIT_MS.d! + h! * UNIT_MS.h! + m! * UNIT_MS.m! + s! * UNIT_MS.s!;
  }
  return undefined;
}

/** The canonical protobuf JSON form of a duration in milliseconds ("2592000s", "1.5s"). */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const secs = Math.floor(abs / 1000);
  const frac = abs % 1000;
  return `${sign}${secs}${frac ? `.${String(frac).padStart(3, '0').replace(/0+$/, '')}` : ''}s`;
}
