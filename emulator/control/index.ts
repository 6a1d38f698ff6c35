// The control-plane module: Artifact Registry REST v1 over the transport-neutral ControlApi, rendered as
// Google errors. The gRPC transport serves the same ControlApi (createControlApi).
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { IdGenerator } from '../core/ids.js';
import type { ArtifactInventory } from '../core/inventory.js';
import type { FormatModule } from '../http/format-module.js';
import type { MetaStore } from '../storage/meta-store.js';
import type { ControlApi } from './api.js';
import { createControlService } from './control-service.js';
import { renderGoogleError } from './errors.js';
import { OperationStore } from './operations.js';
import { PageTokens } from './page-token.js';
import { restHandlers } from './rest/handlers.js';
import { controlRoutes } from './routes.js';
import { IamPolicyService } from '../iam/repository-policies.js';
import { RepositoryService } from './service/repositories.js';
import { SettingsService } from './service/settings.js';

export interface ControlModuleDeps {
  meta: MetaStore;
  events: EventBus;
  clock: Clock;
  ids: IdGenerator;
  registryHost: () => string;
  /** the formats' inventories, by repository format (DOCKER, …) */
  inventories: Map<string, ArtifactInventory>;
}

export function createControlApi(d: ControlModuleDeps): ControlApi {
  return createControlService({
    repositories: new RepositoryService(d.meta, d.events, d.clock),
    iam: new IamPolicyService(d.meta),
    settings: new SettingsService(d.meta, d.clock),
    operations: new OperationStore(d.ids),
    pageTokens: new PageTokens(),
    inventories: d.inventories,
    registryHost: d.registryHost,
  });
}

export function createControlModule(api: ControlApi): FormatModule {
  return { id: 'control', routes: controlRoutes(restHandlers(api)), renderError: renderGoogleError };
}
