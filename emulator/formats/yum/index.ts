// The YUM format module: dnf's view of a repository under `/projects/PROJECT/REPO/` (repodata/ and Packages/),
// `.rpm` uploads through the control plane's `yumArtifacts:create` (control/upload/) and `yumArtifacts:import`
// (gs:// sources resolved to local files), an inventory of packages, versions and files, and repodata signed
// with the location's key (content/repo-signing.ts). docs/formats/yum.md.
import type { DownloadRules } from '../../core/download-rules.js';
import { createReadStream } from 'node:fs';
import type { Clock } from '../../core/clock.js';
import { EmulatorError, ERRORS } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { ImportKind } from '../../core/import-kind.js';
import type { RepositoryRef } from '../../core/names.js';
import type { UploadKind } from '../../core/upload-kind.js';
import type { FormatModule } from '../../http/format-module.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { MetaStore } from '../../storage/meta-store.js';
import type { UploadSessions } from '../../storage/uploads.js';
import { renderYumError, yumChallenge } from './errors.js';
import { refOf, yumHandlers } from './handlers.js';
import { createYumInventory } from './inventory.js';
import { yumRoutes } from './routes.js';
import { YumService, yumArtifact, type BlobWriter, type YumSigner } from './service.js';
import { YumRemote, remoteReferencedBlobs } from './remote.js';
import { YumStore } from './store.js';
import type { SecretResolver, Upstream } from '../../content/upstream.js';

/** The largest .rpm accepted (Artifact Registry documents none; [U]). */
export const MAX_RPM_BYTES = 4 * 1024 ** 3;

export interface YumModuleDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  meta: MetaStore;
  blobs: BlobStore;
  uploads: UploadSessions;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  /** signs repomd.xml (absent: no repomd.xml.asc) */
  repoSigner?: YumSigner & { publicKeyArmored(location: string): Promise<string> };
  maxFileBytes?: number;
  /** the upstream client and secrets of remote repositories (absent: a REMOTE repository serves only its cache) */
  remote?: { client: Upstream; secrets: SecretResolver };
}

/** google.rpc.Code numbers of the statuses an import reports per file */
const RPC_CODE: Record<string, number> = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, FAILED_PRECONDITION: 9, OUT_OF_RANGE: 11, INTERNAL: 13 };

export function createYumModule(m: YumModuleDeps): FormatModule {
  const store = new YumStore(m.meta);
  const maxBytes = m.maxFileBytes ?? MAX_RPM_BYTES;
  const writeBlob: BlobWriter = (source, then, limit) =>
    m.uploads.ingest.ingest(source, limit ? { limit: { bytes: limit, code: 'UNAVAILABLE' } } : {}, (b) => then({ digest: b.digest, size: b.size }));
  const service = new YumService(store, m.blobs, writeBlob, m.events, m.clock, m.repoSigner);
  const remote = m.remote ? new YumRemote(m.remote.client, m.remote.secrets, m.blobs, writeBlob, m.events, m.clock, maxBytes, m.repoSigner) : undefined;

  const yumArtifacts: UploadKind = {
    kind: 'yumArtifacts',
    responseType: 'UploadYumArtifactResponse',
    metadataType: 'UploadYumArtifactMetadata',
    // UploadYumArtifactRequest has no fields besides the parent: a media upload needs no metadata
    metadataFromQuery: () => ({}),
    prepare(repo: RepositoryRef) {
      const t = store.writable(repo);
      return {
        maxBytes,
        async commit(blob) {
          const f = await service.addRpm(t, blob);
          return { yumArtifacts: [yumArtifact(t, f)] };
        },
      };
    },
  };

  const importKind: ImportKind = {
    kind: 'yumArtifacts',
    format: 'YUM',
    responseType: 'ImportYumArtifactsResponse',
    metadataType: 'ImportYumArtifactsMetadata',
    async run(repo, sources) {
      const t = store.writable(repo);
      const artifacts: Array<Record<string, unknown>> = [];
      const errors: Array<Record<string, unknown>> = [];
      const fail = (uri: string, code: string, message: string) =>
        errors.push({ gcsSource: { uris: [uri] }, error: { code: RPC_CODE[ERRORS[code as keyof typeof ERRORS]?.googleStatus ?? 'INTERNAL'] ?? 13, message } });
      for (const s of sources) {
        if ('error' in s) {
          fail(s.uri, 'NOT_FOUND', s.error);
          continue;
        }
        try {
          const f = await m.uploads.ingest.ingest(createReadStream(s.path), { algorithms: ['md5'], limit: { bytes: maxBytes, code: 'INVALID_ARGUMENT' } }, (blob) => service.addRpm(t, blob));
          artifacts.push(yumArtifact(t, f));
        } catch (err) {
          if (!(err instanceof EmulatorError)) throw err;
          fail(s.uri, err.code, err.message);
        }
      }
      return { yumArtifacts: artifacts, errors };
    },
  };

  return {
    id: 'yum',
    repositoryFormat: 'YUM',
    projectPaths: true,
    clientAgent: /^libdnf|^librepo|^dnf\//i,
    routes: yumRoutes(yumHandlers({
      service, blobs: m.blobs, events: m.events, defaultLocation: m.defaultLocation, ...(remote ? { remote } : {}),
      ...(m.repoSigner ? { publicKeyArmored: (l: string) => m.repoSigner!.publicKeyArmored(l) } : {}),
      ...(m.downloadRules ? { downloadRules: m.downloadRules } : {}),
    })),
    renderError: renderYumError,
    denialWording: 'registry',
    challenge: yumChallenge,
    events: ['artifact.pushed', 'artifact.pulled', 'artifact.deleted', 'cache.hit', 'cache.miss', 'upstream.failed'],
    inventory: createYumInventory(store, m.blobs, m.events, m.clock),
    uploadKinds: [yumArtifacts],
    importKinds: [importKind],
    access(_route, params, ctx) {
      const repository = refOf(params, ctx, m.defaultLocation);
      return { operation: 'yum.download', project: repository.project, repository };
    },
    *referencedBlobs() {
      yield* service.referencedBlobs();
      yield* remoteReferencedBlobs(store.all());
    },
  };
}
