// The npm format module: wires the service, handlers, routes, IAM mapping, inventory and npm's error dialect.
// Reached at `/PROJECT/REPO/…` for NPM repositories, as on LOCATION-npm.pkg.dev/PROJECT/REPO/.
import type { DownloadRules } from '../../core/download-rules.js';
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { AppContext } from '../../http/context.js';
import type { FormatModule } from '../../http/format-module.js';
import type { Routes } from '../../http/routes.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { MetaStore } from '../../storage/meta-store.js';
import type { UploadSessions } from '../../storage/uploads.js';
import type { SecretResolver, Upstream } from '../../content/upstream.js';
import type { VirtualAccess } from '../../content/virtual.js';
import { npmAccess } from './access.js';
import { renderNpmError } from './errors.js';
import type { NpmDeps } from './handlers/deps.js';
import { distTagHandlers } from './handlers/dist-tags.js';
import { miscHandlers } from './handlers/misc.js';
import { packumentHandlers } from './handlers/packuments.js';
import { tarballHandlers } from './handlers/tarballs.js';
import { createNpmInventory } from './inventory.js';
import { npmPreloadKind } from './preload.js';
import { npmRoutes } from './routes.js';
import { NpmPackages } from './service/packages.js';
import { NpmRemote } from './service/remote.js';
import { T, type CachedPackumentRecord, type VersionRecord } from './service/tables.js';
import { NpmTargets } from './service/target.js';
import { NpmVirtual } from './service/virtual.js';

/** The default cap on a publish body (packument plus base64 tarball): 100 MiB, a tarball of about 75 MiB. */
export const DEFAULT_MAX_PUBLISH_BYTES = 100 << 20;

export interface NpmModuleDeps {
  meta: MetaStore;
  blobs: BlobStore;
  uploads: UploadSessions;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  /** cap on a publish request body (default DEFAULT_MAX_PUBLISH_BYTES) */
  maxPublishBytes?: number;
  /**
   * the upstream client and secrets of remote repositories, and the NPMJS preset's registry (npm's configured
   * one); absent: REMOTE repositories serve only their cache
   */
  remote?: { client: Upstream; secrets: SecretResolver; presets?: { npmjs?: () => Promise<string> } };
  /** IAM on a virtual repository's members (absent: every member may be read) */
  virtualAccess?: VirtualAccess;
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
}

/** The package a failed request was about, best effort (the name itself may be what failed). */
function pushTarget(path: string): { package?: string } {
  const m = /^\/[^/]+\/[^/]+\/((?:@[^/]+(?:\/|%2[fF]))?[^/]+)/.exec(path);
  return m && !m[1]!.startsWith('-') ? { package: m[1]!.replace(/%2[fF]/, '/').slice(0, 214) } : {};
}

/**
 * A caller whose credentials were refused gets a challenge naming the scheme it used, so npm prints "your
 * authentication token seems to be invalid … npm login". An anonymous caller gets none: npm then prints the
 * error text, which names the permission and repository (npm's error-message.js, E401).
 */
function challenge(ctx: AppContext, err: EmulatorError): EmulatorError {
  const sent = ctx.get('authorization');
  if (!sent) return err;
  const scheme = /^basic\s/i.test(sent) ? 'Basic' : 'Bearer';
  const realm = `${ctx.protocol}://${ctx.host}/`;
  return new EmulatorError(err.code, err.message, err.detail, { headers: { ...(err.headers ?? {}), 'WWW-Authenticate': `${scheme} realm="${realm}"` } });
}

export function createNpmModule(d: NpmModuleDeps): FormatModule {
  const targets = new NpmTargets(d.meta);
  const packages = new NpmPackages(d.uploads.ingest, d.events, d.clock);
  const remote = d.remote ? new NpmRemote(d.remote.client, d.remote.secrets, d.remote.presets?.npmjs, d.uploads.ingest, d.blobs, d.events, d.clock) : undefined;
  const deps: NpmDeps = {
    targets, packages, routes: () => routes, defaultLocation: d.defaultLocation,
    maxPublishBytes: d.maxPublishBytes ?? DEFAULT_MAX_PUBLISH_BYTES,
    ...(remote ? { remote } : {}),
    virtual: new NpmVirtual(d.meta, d.virtualAccess, targets, remote, d.events, d.clock),
    ...(d.downloadRules ? { downloadRules: d.downloadRules } : {}),
  };
  const routes: Routes = npmRoutes({
    ...miscHandlers(deps),
    ...distTagHandlers(deps),
    ...tarballHandlers(deps, d.blobs),
    ...packumentHandlers(deps),
  });
  return {
    id: 'npm',
    repositoryFormat: 'NPM',
    clientAgent: /^npm\//,
    repositoryPaths: true,
    routes,
    denialWording: 'registry',
    challenge,
    errorStripHeaders: ['ETag'],
    events: ['artifact.pushed', 'artifact.pulled', 'artifact.deleted', 'tag.updated', 'tag.deleted', 'push.failed', 'cache.hit', 'cache.miss', 'upstream.failed', 'virtual.shadowing'],
    inventory: createNpmInventory(targets, packages, d.blobs),
    preloadKind: npmPreloadKind(targets, packages, d.maxPublishBytes ?? DEFAULT_MAX_PUBLISH_BYTES),
    access: npmAccess(d.defaultLocation),
    renderError(err, ctx) {
      renderNpmError(err, ctx);
      if (ctx.method === 'PUT' || ctx.method === 'DELETE' || ctx.method === 'POST') {
        d.events.emit('push.failed', { format: 'NPM', code: err.code, message: err.message, ...pushTarget(ctx.path) });
      }
    },
    async warmUp() {
      for (const { shard, record } of targets.all()) {
        if (record.mode !== 'VIRTUAL_REPOSITORY') targets.content.indexOf(shard);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    *referencedBlobs() {
      for (const { shard } of targets.all()) {
        for (const [, v] of shard.entries<VersionRecord>(T.versions)) yield v.tarball.digest;
        // a remote repository's cached upstream packuments
        for (const [, p] of shard.entries<CachedPackumentRecord>(T.remote)) yield p.digest;
      }
    },
  };
}
