// EmulatorError → what dnf (librepo) sees: an HTTP status (it prints "Status code: 404 for URL") and a short
// text/plain body; an UNAUTHENTICATED answer carries a Basic challenge, since librepo sends the repository's
// username/password only after one (clients REPORT §10).
import { ERRORS, EmulatorError } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';

export function renderYumError(err: EmulatorError, ctx: AppContext): void {
  const status = ERRORS[err.code]?.httpStatus ?? 500;
  const message = status >= 500 && err.code !== 'UNAVAILABLE' ? ERRORS.INTERNAL.message : err.message;
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${status} ${message}\n`;
}

export function yumChallenge(ctx: AppContext, err: EmulatorError): EmulatorError {
  return new EmulatorError(err.code, err.message, err.detail, { headers: { ...(err.headers ?? {}), 'WWW-Authenticate': `Basic realm="${ctx.protocol}://${ctx.host}/"` } });
}
