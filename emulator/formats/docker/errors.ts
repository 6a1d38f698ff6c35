// EmulatorError → OCI distribution error body `{errors:[{code,message,detail}]}`.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
import type { EmulatorError, ErrorCode } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';
import type { OciErrorBody } from './wire.js';

/** Status and OCI code per catalog code. Every ErrorCode has an entry (checked by a meta-test). */
export const OCI_ERRORS: Record<ErrorCode, { status: number; code: string }> = {
  INVALID_ARGUMENT: { status: 400, code: 'UNSUPPORTED' },
  NOT_FOUND: { status: 404, code: 'NAME_UNKNOWN' },
  ALREADY_EXISTS: { status: 409, code: 'DENIED' },
  FAILED_PRECONDITION: { status: 400, code: 'DENIED' },
  ABORTED: { status: 409, code: 'DENIED' },
  UNAUTHENTICATED: { status: 401, code: 'UNAUTHORIZED' },
  PERMISSION_DENIED: { status: 403, code: 'DENIED' },
  UNSUPPORTED: { status: 405, code: 'UNSUPPORTED' },
  METHOD_NOT_ALLOWED: { status: 405, code: 'UNSUPPORTED' },
  RESOURCE_EXHAUSTED: { status: 429, code: 'TOOMANYREQUESTS' },
  UNAVAILABLE: { status: 503, code: 'UNAVAILABLE' },
  INTERNAL: { status: 500, code: 'UNKNOWN' },
  REPOSITORY_NOT_FOUND: { status: 404, code: 'NAME_UNKNOWN' },
  NAME_INVALID: { status: 400, code: 'NAME_INVALID' },
  TAG_INVALID: { status: 400, code: 'MANIFEST_INVALID' },
  MANIFEST_UNKNOWN: { status: 404, code: 'MANIFEST_UNKNOWN' },
  MANIFEST_INVALID: { status: 400, code: 'MANIFEST_INVALID' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, code: 'MANIFEST_BLOB_UNKNOWN' },
  MANIFEST_TOO_LARGE: { status: 413, code: 'SIZE_INVALID' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED' },
  BLOB_UNKNOWN: { status: 404, code: 'BLOB_UNKNOWN' },
  UPLOAD_UNKNOWN: { status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
  UPLOAD_INVALID: { status: 400, code: 'BLOB_UPLOAD_INVALID' },
  DIGEST_INVALID: { status: 400, code: 'DIGEST_INVALID' },
  DIGEST_MISMATCH: { status: 400, code: 'DIGEST_INVALID' },
  SIZE_MISMATCH: { status: 400, code: 'SIZE_INVALID' },
  RANGE_INVALID: { status: 416, code: 'BLOB_UPLOAD_INVALID' },
  TAG_IMMUTABLE: { status: 400, code: 'DENIED' },
};

export function renderOciError(err: EmulatorError, ctx: AppContext): void {
  const mapped = OCI_ERRORS[err.code];
  // 5xx texts are hidden (they may carry internals), except UNAVAILABLE: its message names why an upstream failed
  const message = mapped.status >= 500 && err.code !== 'UNAVAILABLE' ? 'internal error' : err.message;
  const body: OciErrorBody = { errors: [{ code: mapped.code, message, ...(err.detail && mapped.status < 500 ? { detail: err.detail } : {}) }] };
  ctx.status = mapped.status;
  ctx.set('Docker-Distribution-API-Version', 'registry/2.0');
  if (err.code === 'RANGE_INVALID' && typeof err.detail?.offset === 'number') {
    ctx.set('Range', `0-${Math.max(0, err.detail.offset - 1)}`);
  }
  // On HEAD, Koa sends the headers (with this body's length) and no body.
  ctx.type = 'application/json';
  ctx.body = body;
}
