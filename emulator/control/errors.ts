// EmulatorError → Google's REST error envelope `{error:{code,message,status,details}}` (AIP-193).
// The HTTP status follows google.rpc.Code (spec ar-fidelity §1.10).
import type { EmulatorError } from '../core/errors.js';
import { ERRORS } from '../core/errors.js';
import type { AppContext } from '../http/context.js';
import type { GoogleErrorBody } from './dto.js';

export const GOOGLE_HTTP_STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 400, OUT_OF_RANGE: 400, UNAUTHENTICATED: 401, PERMISSION_DENIED: 403,
  NOT_FOUND: 404, ALREADY_EXISTS: 409, ABORTED: 409, RESOURCE_EXHAUSTED: 429, CANCELLED: 499, UNKNOWN: 500,
  INTERNAL: 500, DATA_LOSS: 500, UNIMPLEMENTED: 501, UNAVAILABLE: 503, DEADLINE_EXCEEDED: 504,
};

/** google.rpc codes whose messages may carry internals (UNKNOWN, INTERNAL, DATA_LOSS): their text is replaced. */
const HIDDEN = new Set(['UNKNOWN', 'INTERNAL', 'DATA_LOSS']);

export function renderGoogleError(err: EmulatorError, ctx: AppContext): void {
  const status = ERRORS[err.code].googleStatus;
  // A wrong HTTP method on a known path is HTTP's 405 (with Allow), whatever its google.rpc code.
  const code = err.code === 'METHOD_NOT_ALLOWED' ? 405 : (GOOGLE_HTTP_STATUS[status] ?? 500);
  // UNIMPLEMENTED names what is missing; only the codes that may carry internals are replaced.
  const message = HIDDEN.has(status) ? ERRORS.INTERNAL.message : err.message;
  const body: GoogleErrorBody = { error: { code, message, status } };
  const field = typeof err.detail?.field === 'string' ? err.detail.field : undefined;
  if (field && code < 500) {
    body.error.details = [
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description: err.message }] },
    ];
  }
  ctx.status = code;
  ctx.type = 'application/json';
  ctx.body = body;
}
