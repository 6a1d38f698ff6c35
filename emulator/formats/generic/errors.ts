// The GENERIC format serves no data-plane route of its own (its uploads and downloads are control-plane methods,
// rendered by the control plane); an error reaching it is rendered as Google's JSON error all the same.
import { ERRORS, type EmulatorError } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';

export function renderGenericError(err: EmulatorError, ctx: AppContext): void {
  const e = ERRORS[err.code];
  ctx.status = e.httpStatus;
  ctx.type = 'application/json';
  ctx.body = { error: { code: e.httpStatus, message: e.httpStatus >= 500 ? ERRORS.INTERNAL.message : err.message, status: e.googleStatus } };
}
