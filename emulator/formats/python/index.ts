// The Python format module: twine's legacy upload API and pip's simple repository API at /PROJECT/REPO/…
// (as on LOCATION-python.pkg.dev), wired from the shared stores; PyPI-dialect errors; Basic auth challenge.
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
import { pythonAccess } from './access.js';
import { renderPypiError } from './errors.js';
import type { PythonDeps } from './handlers/deps.js';
import { fileHandlers } from './handlers/files.js';
import { simpleHandlers } from './handlers/simple.js';
import { uploadHandlers } from './handlers/upload.js';
import { createPythonInventory } from './inventory.js';
import { pythonPreloadKind } from './preload.js';
import { pythonRoutes } from './routes.js';
import { PythonPackages } from './service/packages.js';
import { PythonRemote } from './service/remote.js';
import { T, type CachedPageRecord, type FileRecord } from './service/tables.js';
import { PythonVirtual } from './service/virtual.js';
import type { SecretResolver, Upstream } from '../../content/upstream.js';
import type { VirtualAccess } from '../../content/virtual.js';

/** The largest distribution file accepted (PyPI's default is 100 MB; Artifact Registry documents none). */
export const MAX_PYTHON_FILE_BYTES = 1 << 30;

export interface PythonModuleDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  meta: MetaStore;
  blobs: BlobStore;
  uploads: UploadSessions;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  maxFileBytes?: number;
  /** the upstream client and secrets of remote repositories (absent: REMOTE repositories serve only their cache) */
  remote?: { client: Upstream; secrets: SecretResolver };
  /** the IAM check a virtual repository makes before reading a member (absent: always allowed) */
  virtualAccess?: VirtualAccess;
}

/** pip and twine send credentials after a Basic challenge (pip asks for them or reads the keyring / .netrc). */
function basicChallenge(ctx: AppContext, err: EmulatorError): EmulatorError {
  return new EmulatorError(err.code, err.message, err.detail, { headers: { ...(err.headers ?? {}), 'WWW-Authenticate': `Basic realm="${ctx.protocol}://${ctx.host}/"` } });
}

export function createPythonModule(m: PythonModuleDeps): FormatModule {
  const packages = new PythonPackages(m.meta);
  const maxFileBytes = m.maxFileBytes ?? MAX_PYTHON_FILE_BYTES;
  const remote = m.remote ? new PythonRemote(m.remote.client, m.remote.secrets, packages, m.uploads.ingest, m.blobs, m.events, m.clock, maxFileBytes) : undefined;
  const d: PythonDeps = {
    packages, ingest: m.uploads.ingest, blobs: m.blobs, events: m.events, clock: m.clock,
    defaultLocation: m.defaultLocation, maxFileBytes,
    ...(remote ? { remote } : {}),
    virtual: new PythonVirtual(m.meta, m.virtualAccess, packages, remote, m.events, m.clock),
    ...(m.downloadRules ? { downloadRules: m.downloadRules } : {}),
  };
  return {
    id: 'python',
    repositoryFormat: 'PYTHON',
    clientAgent: /^(?:pip|twine)\//i,
    repositoryPaths: true,
    routes: pythonRoutes({ ...uploadHandlers(d), ...simpleHandlers(d), ...fileHandlers(d) }),
    denialWording: 'registry',
    challenge: basicChallenge,
    events: ['artifact.pushed', 'artifact.pulled', 'artifact.deleted', 'push.failed', 'cache.hit', 'cache.miss', 'upstream.failed', 'virtual.shadowing'],
    inventory: createPythonInventory(packages, m.blobs, m.events, m.clock),
    preloadKind: pythonPreloadKind(d),
    access: pythonAccess(m.defaultLocation),
    renderError(err, ctx) {
      renderPypiError(err, ctx);
      if (ctx.method === 'POST') {
        // a failed upload is a failed push: the tray and the feed show it
        const at = /^\/([^/]+)\/([^/]+)\/?$/.exec(ctx.path);
        const repository = at && ctx.state.hostLocation ? { repository: repositoryName({ project: at[1]!, location: ctx.state.hostLocation, repository: at[2]! }) } : {};
        m.events.emit('push.failed', { format: 'PYTHON', code: err.code, message: err.message, ...repository });
      }
    },
    warmUp: () => packages.warmIndexes(),
    *referencedBlobs() {
      for (const { shard } of packages.all()) {
        for (const [, f] of shard.entries<FileRecord>(T.files)) {
          yield f.digest;
          if (f.metadata) yield f.metadata.digest;
        }
        // remote repositories' cached upstream pages
        for (const [, p] of shard.entries<CachedPageRecord>(T.pages)) yield p.digest;
      }
    },
  };
}
