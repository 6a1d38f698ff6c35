// EmulatorError → a GOPROXY answer: a short text/plain body, as the go proxies write them (the go command prints
// it after "server response:"). Unknown modules and versions, and malformed paths or versions in a URL, are 404 so
// the go command tries its next proxy or the next candidate module path (https://go.dev/ref/mod#goproxy-protocol:
// "404 or 410 … no such module or version"); 5xx bodies stay opaque except an upstream's UNAVAILABLE.
import { ERRORS, type EmulatorError, type ErrorCode } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 404,
  NAME_INVALID: 404,
  REPOSITORY_NOT_FOUND: 404,
};

export function goStatus(err: EmulatorError): number {
  return STATUS[err.code] ?? ERRORS[err.code]?.httpStatus ?? 500;
}

export function renderGoError(err: EmulatorError, ctx: AppContext): void {
  const status = goStatus(err);
  const message = status >= 500 && err.code !== 'UNAVAILABLE' ? 'internal error' : err.message;
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${message.startsWith('not found: ') || status !== 404 ? message : `not found: ${message}`}\n`;
}
