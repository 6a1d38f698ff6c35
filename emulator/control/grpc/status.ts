// EmulatorError → gRPC status (google.rpc.Code from the catalog's googleStatus), the gRPC rendering of
// STYLE §C. Anything else becomes INTERNAL with a generic message; the cause is logged, never sent.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ERRORS, isEmulatorError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { googleErrorDetails } from '../errors.js';
import type { ProtoJson } from './proto-json.js';

/** Codes whose messages may carry internals (google.rpc.Code 2, 13, 15): their text is replaced. */
const HIDDEN = new Set<number>([GrpcStatus.UNKNOWN, GrpcStatus.INTERNAL, GrpcStatus.DATA_LOSS]);
const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

export type GrpcError = Partial<ServiceError> & { code: GrpcStatus; details: string };

/** The google.rpc.Code number for a canonical name such as NOT_FOUND (INTERNAL when unknown). */
export function grpcCode(googleStatus: string): GrpcStatus {
  const code = (GrpcStatus as unknown as Record<string, unknown>)[googleStatus];
  return typeof code === 'number' ? code : GrpcStatus.INTERNAL;
}

export function unimplemented(method: string): GrpcError {
  return { code: GrpcStatus.UNIMPLEMENTED, details: `Method ${method} is not implemented by the emulator.` };
}

/**
 * Renders a thrown value as a gRPC error. The details the REST renderer puts in `error.details` (an IAM denial's
 * google.rpc.ErrorInfo, a field's google.rpc.BadRequest: control/errors.ts googleErrorDetails) travel as a
 * serialized google.rpc.Status in `grpc-status-details-bin` (AIP-193), which google-gax decodes into
 * `err.statusDetails`, `err.reason`, `err.domain` and `err.errorInfoMetadata`.
 */
export function toGrpcError(err: unknown, method: string, codec: ProtoJson, logger: Logger): GrpcError {
  if (!isEmulatorError(err)) {
    logger.error('unhandled error in gRPC method', { method, err });
    return { code: GrpcStatus.INTERNAL, details: ERRORS.INTERNAL.message };
  }
  const code = grpcCode(ERRORS[err.code].googleStatus);
  if (HIDDEN.has(code)) {
    logger.error('internal error in gRPC method', { method, err, cause: err.cause });
    return { code, details: ERRORS.INTERNAL.message };
  }
  const details = googleErrorDetails(err);
  if (!details) return { code, details: err.message };
  const bytes = codec.encode('google.rpc.Status', { code, message: err.message, details });
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(bytes));
  return { code, details: err.message, metadata };
}
