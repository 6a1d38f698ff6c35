// Access log at debug level, written when the response finishes. Logs method, path (no query: it can
// carry tokens), status, bytes and time; never headers.
import type { Middleware } from 'koa';
import type { RequestState } from '../context.js';

export function accessLog(): Middleware<RequestState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    ctx.res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      ctx.state.logger.debug(`${ctx.method} ${ctx.path} ${ctx.status}`, {
        ms: Math.round(ms * 10) / 10,
        route: ctx.state.routeName,
        requestId: ctx.state.requestId,
      });
    });
    await next();
  };
}
