// EmulatorError → Google's REST error envelope `{error:{code,message,status,details}}` (AIP-193).
// The HTTP status follows google.rpc.Code (spec ar-fidelity §1.10). The gRPC renderer (grpc/status.ts) sends the
// same `details` in grpc-status-details-bin, so both transports carry the same ErrorInfo and BadRequest.
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

export const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
export const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
/** The ErrorInfo of an IAM denial, as Google's front end sends it (spec §1.10). */
const IAM_DENIED = { reason: 'IAM_PERMISSION_DENIED', domain: 'iam.googleapis.com' } as const;

export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * The google.rpc.Status `details` of an error, in proto3 JSON (an Any per entry), or undefined when it has none:
 * - PERMISSION_DENIED with `detail.permission` (the IAM guard, iam/denials.ts permissionDeniedDetail) → an ErrorInfo
 *   `{reason: IAM_PERMISSION_DENIED, domain: iam.googleapis.com, metadata: {permission, resource}}`;
 * - a client error with `detail.fieldViolations` (several) or `detail.field` (one, described by the message) → a
 *   BadRequest.
 * Server errors (5xx) never carry details: they could name internals.
 */
export function googleErrorDetails(err: EmulatorError): Array<Record<string, unknown>> | undefined {
  const status = ERRORS[err.code].googleStatus;
  if (HIDDEN.has(status) || (GOOGLE_HTTP_STATUS[status] ?? 500) >= 500) return undefined;
  const details: Array<Record<string, unknown>> = [];
  const d = err.detail;
  if (status === 'PERMISSION_DENIED' && typeof d?.permission === 'string' && d.permission && typeof d.resource === 'string') {
    details.push({ '@type': ERROR_INFO_TYPE, ...IAM_DENIED, metadata: { permission: d.permission, resource: d.resource } });
  }
  const violations = fieldViolationsOf(err);
  if (violations.length) details.push({ '@type': BAD_REQUEST_TYPE, fieldViolations: violations });
  return details.length ? details : undefined;
}

function fieldViolationsOf(err: EmulatorError): FieldViolation[] {
  const list = err.detail?.fieldViolations;
  if (Array.isArray(list)) {
    return list.filter((v): v is FieldViolation => typeof v === 'object' && v !== null && typeof (v as FieldViolation).field === 'string' && typeof (v as FieldViolation).description === 'string');
  }
  const field = err.detail?.field;
  return typeof field === 'string' && field ? [{ field, description: err.message }] : [];
}

export function renderGoogleError(err: EmulatorError, ctx: AppContext): void {
  const status = ERRORS[err.code].googleStatus;
  // A wrong HTTP method on a known path is HTTP's 405 (with Allow), whatever its google.rpc code.
  const code = err.code === 'METHOD_NOT_ALLOWED' ? 405 : (GOOGLE_HTTP_STATUS[status] ?? 500);
  // UNIMPLEMENTED names what is missing; only the codes that may carry internals are replaced.
  const message = HIDDEN.has(status) ? ERRORS.INTERNAL.message : err.message;
  const body: GoogleErrorBody = { error: { code, message, status } };
  const details = code < 500 ? googleErrorDetails(err) : undefined;
  if (details) body.error.details = details;
  ctx.status = code;
  ctx.type = 'application/json';
  ctx.body = body;
}
