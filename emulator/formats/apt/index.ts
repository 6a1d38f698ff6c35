// The APT format module: apt-get's view of repositories under `/projects/PROJECT/dists/REPO/` and
// `/projects/PROJECT/pool/REPO/`, the location's signing key at `/doc/repo-signing-key.gpg`, `.deb` uploads through
// the control plane's `aptArtifacts:create` (control/upload/) and `aptArtifacts:import` (gs:// sources resolved to
// local files), an inventory of packages, versions and files, indexes signed with the location's key
// (content/repo-signing.ts), and remote repositories over a Debian suite (remote.ts). docs/formats/apt.md.
import type { DownloadRules } from '../../core/download-rules.js';
import { createReadStream } from 'node:fs';
import type { SecretResolver, Upstream } from '../../content/upstream.js';
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
import { aptChallenge, renderAptError } from './errors.js';
import { aptHandlers, refOf, type AptKeys } from './handlers.js';
import { createAptInventory } from './inventory.js';
import { aptRoutes } from './routes.js';
import { AptService, aptArtifact, type AptSigner } from './service.js';
import { AptRemote, remoteReferencedBlobs, type BlobWriter } from './remote.js';
import { AptStore } from './store.js';

/** The largest .deb accepted (Artifact Registry documents none; [U]). */
export const MAX_DEB_BYTES = 4 * 1024 ** 3;

export interface AptModuleDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  meta: MetaStore;
  blobs: BlobStore;
  uploads: UploadSessions;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  /** signs Release (absent: no InRelease, no Release.gpg, no key) */
  repoSigner?: AptSigner & AptKeys;
  maxFileBytes?: number;
  /** the upstream client and secrets of remote repositories (absent: a REMOTE repository serves nothing) */
  remote?: { client: Upstream; secrets: SecretResolver };
}

/** google.rpc.Code numbers of the statuses an import reports per file */
const RPC_CODE: Record<string, number> = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, FAILED_PRECONDITION: 9, OUT_OF_RANGE: 11, INTERNAL: 13 };

/** The module and its service (tests read the service's work counters). */
export function createAptModule(m: AptModuleDeps): FormatModule & { service: AptService } {
  const store = new AptStore(m.meta);
  const maxBytes = m.maxFileBytes ?? MAX_DEB_BYTES;
  const service = new AptService(store, m.blobs, m.events, m.clock, m.repoSigner);
  const writeBlob: BlobWriter = (source, then, limit) =>
    m.uploads.ingest.ingest(source, limit ? { limit: { bytes: limit, code: 'UNAVAILABLE' } } : {}, (b) => then({ digest: b.digest, size: b.size }));
  const remote = m.remote ? new AptRemote(m.remote.client, m.remote.secrets, m.blobs, writeBlob, m.events, m.clock, maxBytes, m.repoSigner) : undefined;

  const aptArtifacts: UploadKind = {
    kind: 'aptArtifacts',
    responseType: 'UploadAptArtifactResponse',
    metadataType: 'UploadAptArtifactMetadata',
    // UploadAptArtifactRequest has no fields besides the parent: a media upload needs no metadata
    metadataFromQuery: () => ({}),
    prepare(repo: RepositoryRef) {
      const t = store.writable(repo);
      return {
        maxBytes,
        async commit(blob) {
          const { key, file } = await service.addDeb(t, blob);
          return { aptArtifacts: [aptArtifact(t, key, file)] };
        },
      };
    },
  };

  const importKind: ImportKind = {
    kind: 'aptArtifacts',
    format: 'APT',
    responseType: 'ImportAptArtifactsResponse',
    metadataType: 'ImportAptArtifactsMetadata',
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
          const added = await m.uploads.ingest.ingest(createReadStream(s.path), { algorithms: ['md5'], limit: { bytes: maxBytes, code: 'INVALID_ARGUMENT' } }, (blob) => service.addDeb(t, blob));
          artifacts.push(aptArtifact(t, added.key, added.file));
        } catch (err) {
          if (!(err instanceof EmulatorError)) throw err;
          fail(s.uri, err.code, err.message);
        }
      }
      return { aptArtifacts: artifacts, errors };
    },
  };

  return {
    id: 'apt',
    repositoryFormat: 'APT',
    projectPaths: true,
    // the one signing key per location, for Apt and Yum alike (the Yum module does not claim it)
    prefixes: ['/doc/'],
    clientAgent: /^Debian APT-HTTP\//,
    routes: aptRoutes(aptHandlers({ service, blobs: m.blobs, events: m.events, defaultLocation: m.defaultLocation, ...(m.repoSigner ? { keys: m.repoSigner } : {}), ...(remote ? { remote } : {}), ...(m.downloadRules ? { downloadRules: m.downloadRules } : {}) })),
    renderError: renderAptError,
    denialWording: 'registry',
    challenge: aptChallenge,
    events: ['artifact.pushed', 'artifact.pulled', 'artifact.deleted'],
    inventory: createAptInventory(store, m.blobs, m.events, m.clock),
    uploadKinds: [aptArtifacts],
    importKinds: [importKind],
    access(route, params, ctx) {
      // the signing key is public (install scripts fetch it before any credential exists)
      if (route === 'apt.signingKey.get') return undefined;
      const repository = refOf(params, ctx, m.defaultLocation);
      return { operation: 'apt.download', project: repository.project, repository };
    },
    *referencedBlobs() {
      yield* service.referencedBlobs();
      yield* remoteReferencedBlobs(store.all());
    },
    service,
  };
}
