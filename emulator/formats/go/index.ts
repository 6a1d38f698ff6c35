// The Go format module: the GOPROXY protocol at /PROJECT/REPO/MODULE/@v/… (as on LOCATION-go.pkg.dev; the go command
// takes GOPROXY=http://HOST/PROJECT/REPO), the `goModules:create` upload kind (`gcloud artifacts go upload`, our
// `ar-emulator go upload`), remote repositories over a GOPROXY upstream and virtual ones over members; plain-text
// errors as the go proxies write them. docs/formats/go.md.
import type { DownloadRules } from '../../core/download-rules.js';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { FormatModule } from '../../http/format-module.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { MetaStore } from '../../storage/meta-store.js';
import type { UploadSessions } from '../../storage/uploads.js';
import type { SecretResolver, Upstream } from '../../content/upstream.js';
import type { VirtualAccess } from '../../content/virtual.js';
import { goAccess } from './access.js';
import { renderGoError } from './errors.js';
import { proxyHandlers, type GoDeps } from './handlers/proxy.js';
import { createGoInventory } from './inventory.js';
import { goRoutes } from './routes.js';
import { GoModules, T, type UpstreamRecord, type VersionRecord } from './service/modules.js';
import { GoRemote } from './service/remote.js';
import { goModulesUploadKind } from './service/upload.js';
import { GoVirtual } from './service/virtual.js';
import { GO_ZIP_LIMITS, type ZipLimits } from './zip-check.js';

export { GOPROXY_URL_VARIABLE } from './service/remote.js';

export interface GoModuleDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  meta: MetaStore;
  blobs: BlobStore;
  uploads: UploadSessions;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  /** the upstream client and secrets of remote repositories (absent: REMOTE repositories serve only their cache) */
  remote?: { client: Upstream; secrets: SecretResolver };
  /** the Go module proxy URL of the public preset (the composition root reads AR_EMULATOR_GOPROXY_URL) */
  goproxyPreset?: () => string | undefined;
  /** the IAM check a virtual repository makes before reading a member (absent: always allowed) */
  virtualAccess?: VirtualAccess;
  /** x/mod/zip's limits (tests lower them) */
  zipLimits?: ZipLimits;
}

export function createGoModule(m: GoModuleDeps): FormatModule {
  const modules = new GoModules(m.meta);
  const limits = m.zipLimits ?? GO_ZIP_LIMITS;
  const remote = m.remote
    ? new GoRemote(m.remote.client, m.remote.secrets, modules, m.uploads.ingest, m.blobs, m.events, m.clock, m.goproxyPreset ?? (() => undefined), limits)
    : undefined;
  const d: GoDeps = {
    modules, blobs: m.blobs, events: m.events, clock: m.clock, defaultLocation: m.defaultLocation,
    ...(remote ? { remote } : {}),
    virtual: new GoVirtual(m.meta, m.virtualAccess, modules, remote),
    ...(m.downloadRules ? { downloadRules: m.downloadRules } : {}),
  };
  return {
    id: 'go',
    repositoryFormat: 'GO',
    clientAgent: /^Go-http-client\//,
    repositoryPaths: true,
    routes: goRoutes(proxyHandlers(d)),
    denialWording: 'registry',
    events: ['artifact.pushed', 'artifact.pulled', 'artifact.deleted', 'cache.hit', 'cache.miss', 'upstream.failed'],
    inventory: createGoInventory(modules, m.blobs, m.events, m.clock),
    uploadKinds: [goModulesUploadKind(modules, m.blobs, m.events, m.clock, limits)],
    access: goAccess(m.defaultLocation),
    renderError: renderGoError,
    *referencedBlobs() {
      for (const shard of modules.all()) {
        for (const [, v] of shard.entries<VersionRecord>(T.versions)) {
          yield v.mod.digest;
          if (v.zip) yield v.zip.digest;
        }
        // remote repositories' cached upstream lists
        for (const [, u] of shard.entries<UpstreamRecord>(T.upstream)) if (u.list) yield u.list.digest;
      }
    },
  };
}
