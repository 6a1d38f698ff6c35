// The Maven format module: the Maven repository layout at /PROJECT/REPO/… (as on LOCATION-maven.pkg.dev) for
// standard, remote and virtual repositories, wired from the shared stores; errors as status + reason phrase; a
// Basic challenge on 401 (Maven retries a GET with credentials only after one). docs/formats/maven.md.
import type { DownloadRules } from '../../core/download-rules.js';
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import { repositoryName } from '../../core/names.js';
import type { AppContext } from '../../http/context.js';
import type { FormatModule } from '../../http/format-module.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { MetaStore } from '../../storage/meta-store.js';
import type { UploadSessions } from '../../storage/uploads.js';
import type { SecretResolver, Upstream } from '../../content/upstream.js';
import type { VirtualAccess } from '../../content/virtual.js';
import { mavenAccess } from './access.js';
import { renderMavenError } from './errors.js';
import { fileHandlers } from './handlers/files.js';
import { createMavenInventory } from './inventory.js';
import type { MavenDeps } from './handlers/deps.js';
import { mavenPreloadKind } from './preload.js';
import { mavenRoutes } from './routes.js';
import { MavenPackages } from './service/packages.js';
import { normalizeMavenConfig } from './service/policy.js';
import { MavenReads } from './service/reads.js';
import { MavenRemote } from './service/remote.js';
import { T, type CachedMetadataRecord, type FileRecord } from './service/tables.js';

/** The largest file accepted (Artifact Registry documents none). */
export const MAX_MAVEN_FILE_BYTES = 1 << 30;
/** The environment variable that gives the MAVEN_CENTRAL preset's URL (never written in code). */
export const MAVEN_CENTRAL_URL_VAR = 'AR_EMULATOR_MAVEN_CENTRAL_URL';

export interface MavenModuleDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  meta: MetaStore;
  blobs: BlobStore;
  uploads: UploadSessions;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  maxFileBytes?: number;
  remote?: { client: Upstream; secrets: SecretResolver };
  /** the MAVEN_CENTRAL preset's URL (createEmulator reads AR_EMULATOR_MAVEN_CENTRAL_URL); absent: the preset has none */
  mavenCentralUrl?: () => string | undefined;
  virtualAccess?: VirtualAccess;
}

function basicChallenge(ctx: AppContext, err: EmulatorError): EmulatorError {
  return new EmulatorError(err.code, err.message, err.detail, { headers: { ...(err.headers ?? {}), 'WWW-Authenticate': `Basic realm="${ctx.protocol}://${ctx.host}/"` } });
}

export function createMavenModule(m: MavenModuleDeps): FormatModule {
  const packages = new MavenPackages(m.meta);
  const maxFileBytes = m.maxFileBytes ?? MAX_MAVEN_FILE_BYTES;
  const central = m.mavenCentralUrl ?? (() => undefined);
  const remote = m.remote ? new MavenRemote(m.remote.client, m.remote.secrets, central, packages, m.uploads.ingest, m.blobs, m.events, m.clock, maxFileBytes) : undefined;
  const reads = new MavenReads(m.meta, packages, remote, m.virtualAccess);
  const deps: MavenDeps = { packages, reads, ingest: m.uploads.ingest, blobs: m.blobs, events: m.events, clock: m.clock, defaultLocation: m.defaultLocation, maxFileBytes, ...(m.downloadRules ? { downloadRules: m.downloadRules } : {}) };
  return {
    id: 'maven',
    repositoryFormat: 'MAVEN',
    clientAgent: /Apache-Maven|maven-resolver|Gradle|Aether/i,
    repositoryPaths: true,
    routes: mavenRoutes(fileHandlers(deps)),
    preloadKind: mavenPreloadKind(deps),
    denialWording: 'registry',
    challenge: basicChallenge,
    events: ['artifact.pushed', 'artifact.pulled', 'artifact.deleted', 'push.failed', 'cache.hit', 'cache.miss', 'upstream.failed'],
    inventory: createMavenInventory(packages, m.blobs, m.events),
    access: mavenAccess(m.defaultLocation),
    validateRepositoryConfig(config) {
      normalizeMavenConfig(config);
    },
    renderError(err, ctx) {
      renderMavenError(err, ctx);
      if (ctx.method === 'PUT') {
        const at = /^\/([^/]+)\/([^/]+)\//.exec(ctx.path);
        const repository = at && ctx.state.hostLocation ? { repository: repositoryName({ project: at[1]!, location: ctx.state.hostLocation, repository: at[2]! }) } : {};
        m.events.emit('push.failed', { format: 'MAVEN', code: err.code, message: err.message, ...repository });
      }
    },
    *referencedBlobs() {
      for (const { shard } of packages.all()) {
        for (const [, f] of shard.entries<FileRecord>(T.files)) yield f.digest;
        for (const [, c] of shard.entries<CachedMetadataRecord>(T.metadata)) yield c.digest;
      }
    },
  };
}
