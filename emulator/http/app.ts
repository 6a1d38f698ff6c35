// Koa assembly: the middleware order of ../../shared/STYLE.md §D. Nothing else happens here.
import Koa from 'koa';
import type { Clock } from '../core/clock.js';
import type { EmulatorError } from '../core/errors.js';
import type { IdGenerator } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { isDisconnectError } from './client-disconnect.js';
import type { AppContext, RequestState } from './context.js';
import { createDispatch, type RepositoryLocator } from './dispatch.js';
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
  /** every registered module (formats, control plane, dashboard), each naming how it is reached */
  modules: readonly FormatModule[];
  /** answers paths no module claims (the emulator's own API, 404s) */
  fallback: FormatModule;
  /** the repository a `/PROJECT/REPO/…` path names (its location and format) */
  locateRepository: RepositoryLocator;
  /** Host allow-list and the Origin + token rule (DNS rebinding, cross-site requests) */
  hostGuard: HostGuardOptions;
  /** IAM: authentication and authorisation at dispatch */
  guard?: RequestGuard;
  /** hears every error rendered to a client, with its request (policy refusals become policy.violated) */
  onError?: (err: EmulatorError, ctx: AppContext) => void;
}

export function createApp(deps: AppDeps): Koa<RequestState> {
  const app = new Koa<RequestState>({ asyncLocalStorage: false });
  app.silent = true;
  // Koa reports errors of the response stream here; a peer that hung up is normal traffic.
  app.on('error', (err: unknown) => {
    if (isDisconnectError(err)) deps.logger.debug('client disconnected during the response', { code: (err as { code?: string }).code });
    else deps.logger.warn('response stream error', { err });
  });
  const dispatch = createDispatch({ modules: deps.modules, fallback: deps.fallback, locateRepository: deps.locateRepository, guard: deps.guard });
  app.use(requestContext(deps));
  app.use(accessLog());
  app.use(errorBoundary([deps.fallback, ...deps.modules], deps.onError));
  // The module is chosen before the host guard, so its refusals render in the dialect the request was for.
  app.use(dispatch.select);
  app.use(hostGuard(deps.hostGuard));
  app.use(dispatch.route);
  return app;
}
