// First middleware: request id, child logger, clock and shutdown signal on ctx.state.
import type { Middleware } from 'koa';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { RequestState } from '../context.js';

export function requestContext(deps: { logger: Logger; clock: Clock; ids: IdGenerator; shutdown: AbortSignal }): Middleware<RequestState> {
  return async (ctx, next) => {
    const requestId = deps.ids.uuid();
    ctx.state.requestId = requestId;
    ctx.state.format = 'emulator';
    ctx.state.logger = deps.logger;
    ctx.state.clock = deps.clock;
    ctx.state.shutdown = deps.shutdown;
    await next();
  };
}
