// Koa assembly: the middleware order of ../../shared/STYLE.md §D. Nothing else happens here.
import Koa from 'koa';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { isDisconnectError } from './client-disconnect.js';
import type { RequestState } from './context.js';
import { dispatch, type Prefix } from './dispatch.js';
import type { FormatModule, RequestGuard } from './format-module.js';
import { accessLog } from './middleware/access-log.js';
import { errorBoundary } from './middleware/error-boundary.js';
import { hostGuard, type HostGuardOptions } from './middleware/host-guard.js';
import { requestContext } from './middleware/request-context.js';

export interface AppDeps {
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  shutdown: AbortSignal;
  prefixes: Prefix[];
  /** answers paths no prefix claims (the emulator's own API, 404s) */
  fallback: FormatModule;
  /** Host allow-list and the Origin + token rule (DNS rebinding, cross-site requests) */
  hostGuard: HostGuardOptions;
  /** IAM: authentication and authorisation at dispatch */
  guard?: RequestGuard;
}

export function createApp(deps: AppDeps): Koa<RequestState> {
  const app = new Koa<RequestState>({ asyncLocalStorage: false });
  app.silent = true;
  // Koa reports errors of the response stream here; a peer that hung up is normal traffic.
  app.on('error', (err: unknown) => {
    if (isDisconnectError(err)) deps.logger.debug('client disconnected during the response', { code: (err as { code?: string }).code });
    else deps.logger.warn('response stream error', { err });
  });
  app.use(requestContext(deps));
  app.use(accessLog());
  app.use(errorBoundary([deps.fallback, ...deps.prefixes.map((p) => p.module)]));
  app.use(hostGuard(deps.hostGuard));
  app.use(dispatch(deps.prefixes, deps.fallback, deps.guard));
  return app;
}
