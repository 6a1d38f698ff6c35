// Catches everything thrown below it and renders it with the renderer of ctx.state.format. Anything that
// is not an EmulatorError becomes INTERNAL: logged with its cause, never exposed in the response.
import type { Middleware } from 'koa';
import { EmulatorError, isEmulatorError } from '../../core/errors.js';
import { isClientGone, isDisconnectError } from '../client-disconnect.js';
import type { AppContext, RequestState } from '../context.js';
import type { FormatModule } from '../format-module.js';

/** `onError` hears every error rendered to a client (security.ts turns policy refusals into policy.violated). */
export function errorBoundary(modules: FormatModule[], onError?: (err: EmulatorError, ctx: AppContext) => void): Middleware<RequestState> {
  const byId = new Map(modules.map((m) => [m.id, m]));
  return async (koaCtx, next) => {
    const ctx = koaCtx as AppContext;
    try {
      await next();
    } catch (thrown) {
      // A client that hung up mid-request (a manifest PUT whose body was cut off) is not a failure of the
      // emulator: no error log, no error body (nobody is there to read it), and no push.failed event.
      if (isDisconnectError(thrown) && isClientGone(ctx)) {
        ctx.state.logger.info('client disconnected before the request completed', { route: ctx.state.routeName, requestId: ctx.state.requestId, code: (thrown as { code?: string }).code });
        ctx.respond = false;
        if (!ctx.res.destroyed) ctx.res.destroy();
        return;
      }
      let err: EmulatorError;
      if (isEmulatorError(thrown)) {
        err = thrown;
      } else {
        ctx.state.logger.error('unhandled error', { route: ctx.state.routeName, requestId: ctx.state.requestId, err: thrown });
        err = new EmulatorError('INTERNAL', undefined, undefined, { cause: thrown });
      }
      if (ctx.headerSent || !ctx.writable) {
        ctx.state.logger.warn('error after the response started', { code: err.code, requestId: ctx.state.requestId });
        return;
      }
      // Drain nothing: a request body that was not read is discarded when the connection is reused.
      ctx.remove('Content-Length');
      const module = byId.get(ctx.state.format) ?? byId.get('emulator');
      if (!module) throw thrown;
      for (const h of module.errorStripHeaders ?? []) ctx.remove(h);
      // The protocol's authentication challenge (the registry's `WWW-Authenticate: Bearer …`) goes with every 401.
      if (err.code === 'UNAUTHENTICATED' && module.challenge) err = module.challenge(ctx, err);
      onError?.(err, ctx);
      module.renderError(err, ctx);
      for (const [k, v] of Object.entries(err.headers ?? {})) ctx.set(k, v);
    }
  };
}
