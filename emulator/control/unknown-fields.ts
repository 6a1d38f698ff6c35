// Unknown fields in a request message: Google's front end refuses them with this text (REST: 400
// INVALID_ARGUMENT, a BadRequest field violation on the message), instead of silently dropping them.
import { EmulatorError } from '../core/errors.js';
import { clip } from '../core/names.js';

/** Throws INVALID_ARGUMENT for the first key of `body` not in `known` (proto3 JSON names), naming `at` (the message path). */
export function rejectUnknownFields(body: Record<string, unknown>, known: readonly string[], at: string): void {
  for (const key of Object.keys(body)) {
    if (known.includes(key) || known.includes(key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()))) continue;
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${clip(key, 60)}" at '${at}': Cannot find field.`, { field: at });
  }
}
