// EmulatorError → the PyPI upload/simple API's answer: the message is the HTTP reason phrase (twine prints
// it; warehouse's _exc_with_message does the same) and a short text/plain body. PyPI answers nearly every
// client error with 400, a taken file name included (twine --skip-existing recognises "already exist").
import { ERRORS, type EmulatorError, type ErrorCode } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  ALREADY_EXISTS: 400,
  RESOURCE_EXHAUSTED: 400,
  UNSUPPORTED: 405,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
};

/** A reason phrase Node accepts: printable ASCII only, one line, bounded. */
export function reasonPhrase(message: string): string {
   
  return message.replace(/[^\x20-\x7e]+/g, ' ').replace(/ {2,}/g, ' ').trim().slice(0, 400) || 'Error';
}

export function pypiStatus(err: EmulatorError): number {
  if (err.code === 'UNSUPPORTED_MEDIA_TYPE' && err.detail?.status === 406) return 406;
  return STATUS[err.code] ?? ERRORS[err.code]?.httpStatus ?? 500;
}

export function renderPypiError(err: EmulatorError, ctx: AppContext): void {
  const status = pypiStatus(err);
  // a 503 (a remote repository's upstream failed with nothing cached) names its reason; other 5xx stay opaque
  const message = status >= 500 && err.code !== 'UNAVAILABLE' ? 'Internal Server Error' : err.message;
  ctx.status = status;
  ctx.message = reasonPhrase(message);
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${status} ${message}\n`;
}
