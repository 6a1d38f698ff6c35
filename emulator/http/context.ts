// Types every handler sees: the Koa context with the emulator's request state.
import type { Context, ParameterizedContext } from 'koa';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';

export interface RequestState {
  /** which FormatModule renders this request's errors; set by dispatch before anything can throw */
  format: string;
  requestId: string;
  logger: Logger;
  clock: Clock;
  /** location taken from a `LOCATION-FORMAT.pkg.dev` Host header, if the request came that way */
  hostLocation?: string;
  /** the repository a Container Registry Host (`gcr.io`, `us.gcr.io`, …) names: paths then read `/v2/PROJECT/IMAGE…` */
  hostRepository?: string;
  /** name of the matched route */
  routeName?: string;
  /** the request's principal (`user:…`, `serviceAccount:…`, `anonymous`), set by the IAM guard */
  principal?: string;
  /** the principal's groups, set with it */
  groups?: string[];
  /** aborted when the emulator stops, so long-lived responses (SSE) end */
  shutdown: AbortSignal;
}

export type AppContext = ParameterizedContext<RequestState> & Context;

export type RouteParams = Record<string, string>;
export type Handler = (ctx: AppContext, params: RouteParams) => Promise<void>;
