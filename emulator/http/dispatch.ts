// The one place that decides which FormatModule handles a request: by Host (`LOCATION-FORMAT.pkg.dev`)
// and by path prefix. Sets ctx.state.format first, so even early failures render in the right dialect.
import type { Middleware } from 'koa';
import { EmulatorError } from '../core/errors.js';
import type { AppContext, RequestState } from './context.js';
import type { FormatModule, RequestGuard } from './format-module.js';

const PKG_DEV_HOST = /^([a-z0-9-]+)-(docker|npm|python|maven|go|apt|yum)\.pkg\.dev(?::\d+)?$/;

export interface Prefix {
  /** path prefix, e.g. `/v2/` */
  prefix: string;
  module: FormatModule;
}

export function dispatch(prefixes: Prefix[], fallback: FormatModule, guard?: RequestGuard): Middleware<RequestState> {
  return async (koaCtx, next) => {
    const ctx = koaCtx as AppContext;
    const hostMatch = PKG_DEV_HOST.exec(ctx.get('host'));
    if (hostMatch) ctx.state.hostLocation = hostMatch[1];
    const path = ctx.path;
    const chosen = prefixes.find((p) => path === p.prefix.replace(/\/$/, '') || path.startsWith(p.prefix))?.module ?? fallback;
    ctx.state.format = chosen.id;
    const match = chosen.routes.match(ctx.method, path);
    if (match.kind === 'none') throw new EmulatorError('NOT_FOUND', `no route for ${clipPath(path)}`);
    if (match.kind === 'method-not-allowed') {
      throw new EmulatorError('UNSUPPORTED', `method ${ctx.method} is not supported on ${clipPath(path)}`, undefined, {
        headers: { Allow: match.allowed.join(', ') },
      });
    }
    ctx.state.routeName = match.route.name;
    if (guard) {
      await guard.authenticate(ctx, chosen);
      await guard.authorize(ctx, chosen, chosen.access?.(match.route.name, match.params, ctx));
    }
    await match.route.handler(ctx, match.params);
    await next();
  };
}

function clipPath(p: string): string {
  return p.length > 100 ? `${p.slice(0, 100)}…` : p;
}
