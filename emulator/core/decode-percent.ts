// The one way request paths and names are percent-decoded (RFC 3986 §2.1). Malformed escapes (`%`, `%zz`,
// a truncated or overlong UTF-8 sequence) are the client's mistake: an EmulatorError, never a URIError.
import { EmulatorError, type ErrorCode } from './errors.js';

/**
 * decodeURIComponent that throws `code` (INVALID_ARGUMENT unless the caller's dialect has a better one,
 * e.g. NAME_INVALID or DIGEST_INVALID) naming `what` when `raw` is not valid percent-encoded UTF-8.
 */
export function decodePercent(raw: string, what = 'path segment', code: ErrorCode = 'INVALID_ARGUMENT'): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
    throw new EmulatorError(code, `${what} "${shown}" is not valid percent-encoding (RFC 3986 §2.1) of UTF-8`, { field: what });
  }
}
