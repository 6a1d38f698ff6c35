// The Docker/OCI format module: wires services, handlers, routes and the OCI error renderer.
import type { Clock } from '../../core/clock.js';
import type { ContentPolicy } from '../../content/content-layer.js';
import type { EventBus } from '../../core/events.js';
import type { RepositoryLocator } from '../../http/dispatch.js';
import type { FormatModule } from '../../http/format-module.js';
import type { Routes } from '../../http/routes.js';
import { EmulatorError } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { MetaStore } from '../../storage/meta-store.js';
import type { UploadSessions } from '../../storage/uploads.js';
import { renderOciError } from './errors.js';
import { checkVersion } from './handlers/base.js';
import { blobUploadHandlers } from './handlers/blob-uploads.js';
import { blobHandlers } from './handlers/blobs.js';
import type { DockerDeps, GcrHosts } from './handlers/deps.js';
import { manifestHandlers } from './handlers/manifests.js';
import { referrerHandlers } from './handlers/referrers.js';
import { tagHandlers } from './handlers/tags.js';
import { dockerPreloadKind } from './preload.js';
import { dockerRoutes } from './routes.js';
import { dockerAccess } from './access.js';
import { tokenHandlers, type DockerAuth } from './handlers/token.js';
import { createDockerInventory } from './inventory.js';
import { createDockerImageReader } from './image-reader.js';
import { BlobService } from './service/blobs.js';
import { ManifestService } from './service/manifests.js';
import { DockerTargets } from './service/target.js';
import { T, isLive, type BlobLink, type ManifestRecord } from './service/tables.js';
import { DockerRemote } from './service/remote.js';
import type { SecretResolver, Upstream } from '../../content/upstream.js';
import { ALLOW_ALL_VIRTUAL, type VirtualAccess } from '../../content/virtual.js';
import { DockerVirtual } from './service/virtual.js';
import type { AttestationWriter, PullPolicy } from '../../core/pull-policy.js';
import type { DownloadRules } from '../../core/download-rules.js';
import { Readable } from 'node:stream';
import { digestOf, parseDigest } from '../../core/digests.js';
import { OCI_EMPTY_CONFIG, OCI_MANIFEST } from './media-types.js';
import { manifestKey } from './service/tables.js';
import { ociReferrers } from './referrers.js';

export interface DockerModuleDeps {
  meta: MetaStore;
  /** immutability (and later other policies) checked under the shard lock before a tag moves or a version goes */
  contentPolicy?: ContentPolicy;
  blobs: BlobStore;
  uploads: UploadSessions;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  /** token issuing for /v2/token (IAM) */
  auth: DockerAuth;
  /** the location rule of data-plane paths (absent: the Host's location, else always the default one) */
  locateRepository?: RepositoryLocator;
  /** the upstream client and secrets of remote repositories (absent: REMOTE repositories serve only their cache) */
  remote?: { client: Upstream; secrets: SecretResolver };
  /** may a virtual repository read a member (the service agent's readViaVirtualRepository); absent: always */
  virtualAccess?: VirtualAccess;
  /** the deploy policy manifest GET/HEAD pass (docs/deploy-policy.md); absent: every pull goes on */
  pullPolicy?: PullPolicy;
  /** the download rules (rule.proto) manifest GET/HEAD pass; absent: every download goes on */
  downloadRules?: DownloadRules;
  /** Container Registry hosts: the projects' redirection state and create-on-push (absent: served, never created) */
  gcr?: GcrHosts;
}

/** The registry name a failed request was about, best effort (the name itself may be what failed). */
function pushTarget(path: string): { package?: string } {
  const m = /^\/v2\/(.+?)\/(?:blobs|manifests)\//.exec(path);
  return m ? { package: m[1]!.slice(0, 200) } : {};
}

/**
 * The registry's answer to a caller without valid credentials: a Bearer challenge naming the token endpoint and
 * the scope the request needs (https://distribution.github.io/distribution/spec/auth/token/).
 */
function bearerChallenge(ctx: AppContext, err: EmulatorError): EmulatorError {
  const host = ctx.host;
  const name = ctx.path.match(/^\/v2\/(.+?)\/(?:blobs|manifests|tags|referrers)\//)?.[1];
  const actions = ctx.method === 'GET' || ctx.method === 'HEAD' ? 'pull' : 'pull,push';
  const header = `Bearer realm="${ctx.protocol}://${host}/v2/token",service="${host}"${name ? `,scope="repository:${name}:${actions}"` : ''}`;
  return new EmulatorError(err.code, err.message, err.detail, { headers: { ...(err.headers ?? {}), 'WWW-Authenticate': header } });
}

export function createDockerModule(d: DockerModuleDeps): FormatModule {
  const targets = new DockerTargets(d.meta, d.contentPolicy ?? {}, { defaultLocation: d.defaultLocation, locateRepository: d.locateRepository });
  const manifests = new ManifestService(d.blobs, d.events, d.clock);
  const remote = d.remote ? new DockerRemote(d.remote.client, d.remote.secrets, d.uploads.ingest, manifests, d.events, d.clock) : undefined;
  const deps: DockerDeps = {
    targets,
    blobs: new BlobService(d.blobs, d.uploads, d.events, d.clock),
    manifests,
    ...(remote ? { remote } : {}),
    virtual: new DockerVirtual(d.meta, targets, d.virtualAccess ?? ALLOW_ALL_VIRTUAL, d.events, remote, d.clock),
    routes: () => routes,
    access: d.auth,
    pinned: new WeakMap(),
    ...(d.pullPolicy ? { pullPolicy: d.pullPolicy } : {}),
    ...(d.downloadRules ? { downloadRules: d.downloadRules } : {}),
    ...(d.gcr ? { gcr: d.gcr } : {}),
  };
  const routes: Routes = dockerRoutes({
    checkVersion,
    ...tagHandlers(deps),
    ...manifestHandlers(deps),
    ...blobUploadHandlers(deps),
    ...blobHandlers(deps),
    ...referrerHandlers(deps),
    ...tokenHandlers(deps, d.auth),
  });
  return {
    id: 'docker',
    repositoryFormat: 'DOCKER',
    prefixes: ['/v2/'],
    routes,
    errorStripHeaders: ['Docker-Content-Digest'],
    denialWording: 'registry',
    challenge: bearerChallenge,
    events: ['artifact.pushed', 'artifact.pulled', 'artifact.deleted', 'tag.updated', 'tag.deleted', 'push.failed', 'cache.hit', 'cache.miss', 'upstream.failed', 'virtual.shadowing'],
    inventory: { ...createDockerInventory(targets, deps.manifests, d.blobs), images: createDockerImageReader(targets, d.blobs), attestations: attestationWriter(deps), referrers: ociReferrers(deps, d.meta) },
    access: dockerAccess(deps),
    preloadKind: dockerPreloadKind(deps),
    renderError(err, ctx) {
      renderOciError(err, ctx);
      // A failed write is a failed push: the tray and the feed show it (reads that miss are not news).
      if (ctx.method === 'PUT' || ctx.method === 'POST' || ctx.method === 'PATCH') {
        d.events.emit('push.failed', { format: 'DOCKER', code: err.code, message: err.message, ...pushTarget(ctx.path) });
      }
    },
    warmUp: () => targets.warmIndexes(),
    *referencedBlobs() {
      for (const { shard } of targets.all()) {
        for (const [key, link] of shard.entries<BlobLink>(T.blobs)) if (isLive(link)) yield key.slice(key.lastIndexOf('@') + 1);
        for (const [, m] of shard.entries<ManifestRecord>(T.manifests)) yield m.digest;
      }
    },
  };
}

/**
 * Attestations the deploy policy's API is given, stored as OCI referrers of the image (docs/deploy-policy.md): the
 * payload as the one layer of an artifact manifest (empty config) whose subject is the image, in its repository.
 */
function attestationWriter(deps: DockerDeps): AttestationWriter {
  return {
    async attach(repo, image, subject, artifact) {
      const t = deps.targets.resolve(`${repo.project}/${repo.repository}/${image}`, repo.location);
      const target = t.shard.get<ManifestRecord>(T.manifests, manifestKey(t.image, subject));
      if (!target) throw new EmulatorError('NOT_FOUND', `Image ${t.name}@${subject} is not stored.`);
      const put = async (bytes: Buffer) => {
        const digest = digestOf(bytes, 'sha256');
        await deps.blobs.uploadWhole(t, Readable.from([bytes]), parseDigest(digest), { length: bytes.length });
        return { digest, size: bytes.length };
      };
      const config = await put(Buffer.from('{}'));
      const layer = await put(artifact.payload);
      const body = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: artifact.artifactType,
        config: { mediaType: OCI_EMPTY_CONFIG, ...config },
        layers: [{ mediaType: artifact.artifactType, ...layer }],
        subject: { mediaType: target.mediaType, digest: target.digest, size: target.size },
        annotations: artifact.annotations,
      }));
      return (await deps.manifests.put(t, digestOf(body, 'sha256'), body, OCI_MANIFEST)).digest;
    },
  };
}
