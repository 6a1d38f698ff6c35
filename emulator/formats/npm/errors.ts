// EmulatorError → the npm registry's error body `{"error": "<message>"}` with its status. npm prints
// `<status> <statusText> - <METHOD> <url> - <error>` (npm-registry-fetch errors.js), so `error` is always a
// string; 5xx never carries internals.
import type { EmulatorError, ErrorCode } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';

/** Status per catalog code in npm's dialect. Every ErrorCode has an entry. */
export const NPM_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  // a republish: npm's registry answers 403 "You cannot publish over the previously published versions: …"
  ALREADY_EXISTS: 403,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  UNSUPPORTED: 405,
  METHOD_NOT_ALLOWED: 405,
  // the only limit an npm request can exceed is the publish body's size
  RESOURCE_EXHAUSTED: 413,
  UNAVAILABLE: 503,
  INTERNAL: 500,
  REPOSITORY_NOT_FOUND: 404,
  NAME_INVALID: 400,
  TAG_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  MANIFEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BLOB_UNKNOWN: 404,
  UPLOAD_UNKNOWN: 404,
  UPLOAD_INVALID: 400,
  DIGEST_INVALID: 400,
  DIGEST_MISMATCH: 400,
  SIZE_MISMATCH: 400,
  RANGE_INVALID: 416,
  TAG_IMMUTABLE: 400,
};

export interface NpmErrorBody {
  error: string;
}

export function renderNpmError(err: EmulatorError, ctx: AppContext): void {
  const status = NPM_STATUS[err.code];
  // UNAVAILABLE (a remote repository's upstream failed with nothing cached) names the reason; other 5xx never do
  const body: NpmErrorBody = { error: status >= 500 && err.code !== 'UNAVAILABLE' ? 'internal error' : err.message };
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = body;
}
