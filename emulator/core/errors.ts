// The one error type of the emulator and its catalog. Protocol renderers (control plane, OCI, …) map
// each code to their own dialect; call sites never choose status codes. Documented in docs/ERRORS.md.

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'UNSUPPORTED'
  | 'METHOD_NOT_ALLOWED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'REPOSITORY_NOT_FOUND'
  | 'NAME_INVALID'
  | 'TAG_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BLOB_UNKNOWN'
  | 'UPLOAD_UNKNOWN'
  | 'UPLOAD_INVALID'
  | 'DIGEST_INVALID'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'RANGE_INVALID'
  | 'TAG_IMMUTABLE';

export interface ErrorSpec {
  /** Default HTTP status, used when a protocol renderer does not override it. */
  httpStatus: number;
  /** google.rpc canonical code name, used by the control plane. */
  googleStatus: string;
  /** Default developer-facing message. */
  message: string;
  /** One sentence for docs/ERRORS.md. */
  description: string;
}

export const ERRORS: Record<ErrorCode, ErrorSpec> = {
  INVALID_ARGUMENT: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.', description: 'A request field or parameter is malformed or out of range.' },
  NOT_FOUND: { httpStatus: 404, googleStatus: 'NOT_FOUND', message: 'Requested entity was not found.', description: 'The named resource does not exist.' },
  ALREADY_EXISTS: { httpStatus: 409, googleStatus: 'ALREADY_EXISTS', message: 'Requested entity already exists.', description: 'A resource with the same id already exists.' },
  FAILED_PRECONDITION: { httpStatus: 400, googleStatus: 'FAILED_PRECONDITION', message: 'Precondition check failed.', description: 'The system is not in the state the operation requires.' },
  ABORTED: { httpStatus: 409, googleStatus: 'ABORTED', message: 'The operation was aborted.', description: 'A concurrency conflict, such as a stale etag.' },
  UNAUTHENTICATED: { httpStatus: 401, googleStatus: 'UNAUTHENTICATED', message: 'Request is missing required authentication credential.', description: 'No valid credentials were sent.' },
  PERMISSION_DENIED: { httpStatus: 403, googleStatus: 'PERMISSION_DENIED', message: 'The caller does not have permission', description: 'The principal lacks the permission the operation needs.' },
  UNSUPPORTED: { httpStatus: 405, googleStatus: 'UNIMPLEMENTED', message: 'The operation is unsupported.', description: 'The emulator (or the real service) does not support this operation.' },
  METHOD_NOT_ALLOWED: { httpStatus: 405, googleStatus: 'UNIMPLEMENTED', message: 'Method not allowed.', description: 'The path exists but not for this HTTP method; the response lists the allowed ones in Allow.' },
  RESOURCE_EXHAUSTED: { httpStatus: 429, googleStatus: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded.', description: 'A quota or size limit was exceeded.' },
  UNAVAILABLE: { httpStatus: 503, googleStatus: 'UNAVAILABLE', message: 'The service is currently unavailable.', description: 'The emulator is shutting down or an upstream is unreachable.' },
  INTERNAL: { httpStatus: 500, googleStatus: 'INTERNAL', message: 'Internal error encountered.', description: 'An unexpected failure; details are logged, never returned.' },
  REPOSITORY_NOT_FOUND: { httpStatus: 404, googleStatus: 'NOT_FOUND', message: 'Repository not found', description: 'The Artifact Registry repository named in the request does not exist.' },
  NAME_INVALID: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'invalid repository name', description: 'A repository or image name does not follow the naming rules.' },
  TAG_INVALID: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'manifest tag did not match URI', description: 'A tag does not follow the tag grammar.' },
  MANIFEST_UNKNOWN: { httpStatus: 404, googleStatus: 'NOT_FOUND', message: 'manifest unknown', description: 'No manifest exists for the tag or digest.' },
  MANIFEST_INVALID: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'manifest invalid', description: 'A manifest failed validation (JSON, schema, media type).' },
  MANIFEST_BLOB_UNKNOWN: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'blob unknown to registry', description: 'A manifest references a blob or manifest that was not pushed.' },
  MANIFEST_TOO_LARGE: { httpStatus: 413, googleStatus: 'INVALID_ARGUMENT', message: 'manifest too large', description: 'A manifest is larger than the 4 MiB limit.' },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, googleStatus: 'INVALID_ARGUMENT', message: 'unsupported media type', description: 'The request Content-Type is not one the operation accepts.' },
  BLOB_UNKNOWN: { httpStatus: 404, googleStatus: 'NOT_FOUND', message: 'blob unknown to registry', description: 'The blob is not in the repository.' },
  UPLOAD_UNKNOWN: { httpStatus: 404, googleStatus: 'NOT_FOUND', message: 'blob upload unknown to registry', description: 'The upload session does not exist, expired or was cancelled.' },
  UPLOAD_INVALID: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'blob upload invalid', description: 'An upload request is malformed or was interrupted.' },
  DIGEST_INVALID: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'provided digest is invalid', description: 'A digest is malformed or uses an unsupported algorithm.' },
  DIGEST_MISMATCH: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'provided digest did not match uploaded content', description: 'The content does not hash to the digest the client gave.' },
  SIZE_MISMATCH: { httpStatus: 400, googleStatus: 'INVALID_ARGUMENT', message: 'provided length did not match content length', description: 'The content length differs from the declared size.' },
  RANGE_INVALID: { httpStatus: 416, googleStatus: 'OUT_OF_RANGE', message: 'invalid content range', description: 'A chunk does not start at the current upload offset, or a Range cannot be satisfied.' },
  TAG_IMMUTABLE: { httpStatus: 400, googleStatus: 'FAILED_PRECONDITION', message: 'tag is immutable', description: 'The repository has immutable tags and the tag already points elsewhere.' },
};

export class EmulatorError extends Error {
  readonly headers: Record<string, string> | undefined;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly detail?: Record<string, unknown>,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message ?? ERRORS[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EmulatorError';
    this.headers = options?.headers;
  }
}

export function isEmulatorError(err: unknown): err is EmulatorError {
  return err instanceof EmulatorError;
}
