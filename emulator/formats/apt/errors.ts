// EmulatorError → what apt-get sees: an HTTP status (it prints "404  Not Found [IP: …]") and a short text/plain
// body; an UNAUTHENTICATED answer carries a Basic challenge (apt sends auth.conf credentials up front, clients
// REPORT §9, so the challenge only helps tools that wait for one).
import { ERRORS, EmulatorError } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';

export function renderAptError(err: EmulatorError, ctx: AppContext): void {
  const status = ERRORS[err.code]?.httpStatus ?? 500;
  const message = status >= 500 && err.code !== 'UNAVAILABLE' ? ERRORS.INTERNAL.message : err.message;
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${status} ${message}\n`;
}

export function aptChallenge(ctx: AppContext, err: EmulatorError): EmulatorError {
  return new EmulatorError(err.code, err.message, err.detail, { headers: { ...(err.headers ?? {}), 'WWW-Authenticate': `Basic realm="${ctx.protocol}://${ctx.host}/"` } });
}
