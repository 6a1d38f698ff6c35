// The control-plane module: Artifact Registry REST v1 over the transport-neutral ControlApi, rendered as
// Google errors. The gRPC transport serves the same ControlApi (createControlApi).
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { IdGenerator } from '../core/ids.js';
import type { ArtifactInventory } from '../core/inventory.js';
import type { RepositoryRef } from '../core/names.js';
import type { FormatModule } from '../http/format-module.js';
import type { MetaStore } from '../storage/meta-store.js';
import type { ControlApi } from './api.js';
import { createControlService } from './control-service.js';
import { renderGoogleError } from './errors.js';
import { OperationStore } from './operations.js';
import { PageTokens } from './page-token.js';
import { restHandlers } from './rest/handlers.js';
import { adminHandlers, type AdminDeps } from './rest/admin.js';
import { controlAccess } from './access.js';
import { controlRoutes } from './routes.js';
import { IamPolicyService } from '../iam/repository-policies.js';
import { RepositoryService } from './service/repositories.js';
import { SettingsService } from './service/settings.js';
import { AnnotationStore } from './service/annotations.js';
import { AttachmentStore } from './service/attachments.js';
import { VirtualShadowing } from './service/virtual-shadowing.js';
import type { Logger } from '../core/logger.js';
import type { ImportKind, ImportSource } from '../core/import-kind.js';
import type { VirtualAccess } from '../content/virtual.js';
import type { DownloadRuleStore } from '../content/download-rules.js';
import type { VpcscConfigStore } from '../content/vpcsc.js';

export interface ControlModuleDeps {
  meta: MetaStore;
  events: EventBus;
  clock: Clock;
  ids: IdGenerator;
  registryHost: () => string;
  /** the formats' inventories, by repository format (DOCKER, …) */
  inventories: Map<string, ArtifactInventory>;
  /** testIamPermissions: what the caller holds (IAM) */
  held: (caller: { principal: string; groups: string[] } | undefined, repository: RepositoryRef, requested: string[]) => string[];
  /** Artifact Registry formats of the registered format modules (the registry): creating them is accepted */
  repositoryFormats?: readonly string[];
  /** the formats' `…/<kind>:import` methods (FormatModule.importKinds) */
  importKinds?: readonly ImportKind[];
  /** resolves an import's gs:// URIs to local files (storage/gcs-source.ts) */
  importSources?: (uris: readonly string[], useWildcards: boolean) => Promise<ImportSource[]>;
  /** the registered formats' checks of a repository body being created, by format */
  repositoryValidators?: ReadonlyMap<string, (config: Record<string, unknown>) => void>;
  /** where warnings about stored configs are logged (a virtual repository's dependency-confusion risk) */
  logger?: Logger;
  /** may a virtual repository read a member (IAM: its service agent); absent: always */
  virtualAccess?: VirtualAccess;
  /** the long-running operations store (shared with the upload methods, control/upload/); absent: a new one */
  operations?: OperationStore;
  /** the repositories' download rules (content/download-rules.ts), shared with the formats that enforce them */
  rules?: DownloadRuleStore;
  /** the locations' VPC-SC configs (content/vpcsc.ts), shared with the upstream conditions that honour them */
  vpcsc?: VpcscConfigStore;
  /** the directory gs:// paths map to (imports read, ExportArtifact writes) */
  gcsRoot?: string;
}

export function createControlApi(d: ControlModuleDeps): ControlApi {
  return createControlService({
    repositories: new RepositoryService(d.meta, d.events, d.clock, d.repositoryFormats, d.repositoryValidators),
    iam: new IamPolicyService(d.meta),
    settings: new SettingsService(d.meta, d.clock),
    operations: d.operations ?? new OperationStore(d.ids),
    pageTokens: new PageTokens(),
    inventories: d.inventories,
    registryHost: d.registryHost,
    held: d.held,
    annotations: new AnnotationStore(d.meta),
    shadowing: new VirtualShadowing(d.meta, d.inventories, d.virtualAccess),
    events: d.events,
    ...(d.logger ? { logger: d.logger } : {}),
    importKinds: new Map((d.importKinds ?? []).map((k) => [k.kind, k])),
    ...(d.importSources ? { importSources: d.importSources } : {}),
    ...(d.rules ? { rules: d.rules } : {}),
    ...(d.vpcsc ? { vpcsc: d.vpcsc } : {}),
    attachments: new AttachmentStore(d.meta),
    ...(d.gcsRoot ? { gcsRoot: d.gcsRoot } : {}),
    now: () => d.clock.now(),
  });
}

export { VirtualShadowing, type ShadowingWarning } from './service/virtual-shadowing.js';

export function createControlModule(api: ControlApi, admin: AdminDeps): FormatModule {
  return {
    id: 'control',
    prefixes: ['/v1/'],
    routes: controlRoutes({ ...restHandlers(api), ...adminHandlers(admin) }),
    renderError: renderGoogleError,
    access: controlAccess,
  };
}
