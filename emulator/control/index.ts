// The control-plane module: Artifact Registry REST v1, rendered as Google errors.
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { IdGenerator } from '../core/ids.js';
import type { FormatModule } from '../http/format-module.js';
import type { MetaStore } from '../storage/meta-store.js';
import { renderGoogleError } from './errors.js';
import { operationHandlers } from './handlers/operations.js';
import { repositoryHandlers } from './handlers/repositories.js';
import { OperationStore } from './operations.js';
import { PageTokens } from './page-token.js';
import { RepositoryService } from './repositories.js';
import { controlRoutes } from './routes.js';

export interface ControlModuleDeps {
  meta: MetaStore;
  events: EventBus;
  clock: Clock;
  ids: IdGenerator;
  registryHost: () => string;
}

export function createControlModule(d: ControlModuleDeps): FormatModule {
  const operations = new OperationStore(d.ids);
  const deps = {
    repositories: new RepositoryService(d.meta, d.events, d.clock),
    operations,
    pageTokens: new PageTokens(),
    registryHost: d.registryHost,
  };
  const routes = controlRoutes({ ...repositoryHandlers(deps), ...operationHandlers(operations) });
  return { id: 'control', routes, renderError: renderGoogleError };
}
