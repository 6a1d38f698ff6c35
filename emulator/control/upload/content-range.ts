// The Content-Range of a resumable upload's PUT (the Google resumable upload protocol): `bytes A-B/TOTAL`,
// `bytes A-B/*` while the total is unknown, `bytes */TOTAL` or `bytes */*` for a status probe.
import { EmulatorError } from '../../core/errors.js';

export type ContentRange =
  | { probe: true; total?: number }
  | { probe: false; start: number; end: number; total?: number };

const NUM = '(\\d{1,15})';
const RANGE_RE = new RegExp(`^bytes[ =](?:\\*|${NUM}-${NUM})/(?:\\*|${NUM})$`, 'i');

export function parseContentRange(value: string): ContentRange {
  const m = RANGE_RE.exec(value.trim());
  if (!m) throw new EmulatorError('INVALID_ARGUMENT', `Invalid Content-Range "${value.slice(0, 100)}": expected "bytes FIRST-LAST/TOTAL", "bytes FIRST-LAST/*", "bytes */TOTAL" or "bytes */*".`);
  const total = m[3] !== undefined ? Number(m[3]) : undefined;
  if (m[1] === undefined) return total === undefined ? { probe: true } : { probe: true, total };
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) throw new EmulatorError('INVALID_ARGUMENT', `Invalid Content-Range "${value.slice(0, 100)}": the last byte is before the first.`);
  if (total !== undefined && end >= total) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid Content-Range "${value.slice(0, 100)}": the chunk ends past the total of ${total} bytes.`);
  }
  return total === undefined ? { probe: false, start, end } : { probe: false, start, end, total };
}
