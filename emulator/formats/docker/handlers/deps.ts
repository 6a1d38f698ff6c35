// What every Docker handler needs, and the helpers they share.
import type { ParsedDigest } from '../../../core/digests.js';
import { parseDigest } from '../../../core/digests.js';
import { decodePercent } from '../../../core/decode-percent.js';
import { isEmulatorError } from '../../../core/errors.js';
import type { AppContext, RouteParams } from '../../../http/context.js';
import type { Routes } from '../../../http/routes.js';
import type { BlobService } from '../service/blobs.js';
import type { ManifestService } from '../service/manifests.js';
import type { RepositoryRef } from '../../../core/names.js';
import { splitName, type DockerTarget, type DockerTargets } from '../service/target.js';
import type { DockerAuth } from './token.js';
import type { DockerRemote } from '../service/remote.js';
import type { DockerVirtual } from '../service/virtual.js';
import type { PullPolicy } from '../../../core/pull-policy.js';
import type { DownloadRules } from '../../../core/download-rules.js';

export interface DockerDeps {
  targets: DockerTargets;
  blobs: BlobService;
  manifests: ManifestService;
  /** the route table, for Location and Link headers (set once routes are built) */
  routes: () => Routes;
  /** IAM decisions a handler makes beyond its route's check: mount sources, the catalog, tag moves */
  access: Pick<DockerAuth, 'allows' | 'require'>;
  /**
   * The location each PROJECT/REPO of a request resolved to, kept for the rest of the request: the route's IAM
   * check (access.ts) and the handler then act on the same repository even if repositories come and go between them.
   */
  pinned: WeakMap<AppContext, Map<string, string>>;
  /** pull-through of REMOTE_REPOSITORY repositories (absent: they serve only what is cached) */
  remote?: DockerRemote;
  /** reads of VIRTUAL_REPOSITORY repositories through their members (absent: they answer nothing) */
  virtual?: DockerVirtual;
  /** the deploy policy every manifest GET/HEAD passes (core/pull-policy.ts; absent: every pull goes on) */
  pullPolicy?: PullPolicy;
  /** Container Registry hosts (gcr.io, …): whether the project's redirection serves them, and create-on-push */
  gcr?: GcrHosts;
  /** the download rules (rule.proto): checked on manifest GET/HEAD once the digest is known */
  downloadRules?: DownloadRules;
}

export interface GcrHosts {
  /** Throws unless the project's `legacyRedirectionState` lets Artifact Registry serve its gcr.io hosts. */
  assertServed(project: string, hostRepository: string): void;
  /** Creates the gcr.io-domain repository (DOCKER, STANDARD); a concurrent creation of the same one is no error. */
  createOnPush(ref: RepositoryRef): Promise<void>;
}

/** The repository and image a registry name denotes for this request (validated; the location pinned). */
export function refOf(deps: DockerDeps, ctx: AppContext, name: string): { ref: RepositoryRef; image: string } {
  const { ref, image } = splitName(name, '', ctx.state.hostRepository);
  if (ctx.state.hostRepository) deps.gcr?.assertServed(ref.project, ctx.state.hostRepository);
  let pins = deps.pinned.get(ctx);
  if (!pins) deps.pinned.set(ctx, (pins = new Map()));
  const key = `${ref.project}/${ref.repository}`;
  let location = pins.get(key);
  if (location === undefined) {
    location = deps.targets.locationOf(ref.project, ref.repository, ctx.state.hostLocation);
    pins.set(key, location);
  }
  return { ref: { ...ref, location }, image };
}

export function targetOf(deps: DockerDeps, ctx: AppContext, params: RouteParams): DockerTarget {
  return deps.targets.resolve(params.name!, refOf(deps, ctx, params.name!).ref.location, ctx.state.hostRepository);
}

/**
 * The target of a push (blob upload start, manifest PUT). On a Container Registry host a missing gcr.io-domain
 * repository is created first (create-on-push, spec §5.1 createOnPushWriter), DOCKER and STANDARD in the Host's
 * multi-region, when the caller holds `artifactregistry.repositories.createOnPush` (the denial names the repository
 * in the registry's wording). `*.pkg.dev` pushes never create repositories (spec §2.1).
 */
export async function pushTargetOf(deps: DockerDeps, ctx: AppContext, params: RouteParams): Promise<DockerTarget> {
  try {
    return targetOf(deps, ctx, params);
  } catch (err) {
    if (!ctx.state.hostRepository || !deps.gcr || !isEmulatorError(err) || err.code !== 'REPOSITORY_NOT_FOUND') throw err;
    const { ref } = refOf(deps, ctx, params.name!);
    if (deps.targets.exists(ref)) throw err; // there, but not a DOCKER repository
    deps.access.require(ctx, 'docker.createOnPush', ref);
    await deps.gcr.createOnPush(ref);
    return targetOf(deps, ctx, params);
  }
}

export function digestParam(params: RouteParams, key = 'digest'): ParsedDigest {
  return parseDigest(decodePercent(params[key]!, 'digest', 'DIGEST_INVALID'));
}

/** The `{reference}` of a manifest route (a tag or a digest), decoded; TAG_INVALID when it cannot be. */
export function referenceParam(params: RouteParams): string {
  return decodePercent(params.reference!, 'reference', 'TAG_INVALID');
}

/** Sets an empty-bodied response with `status` (Koa would otherwise turn a null body into 204). */
export function emptyResponse(ctx: AppContext, status: number, headers: Record<string, string> = {}): void {
  ctx.body = null;
  ctx.status = status;
  ctx.set('Docker-Distribution-API-Version', 'registry/2.0');
  for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
  if (status !== 204) ctx.set('Content-Length', '0');
}

/** An integer header value, or undefined when absent. */
export function intHeader(ctx: AppContext, name: string): number | undefined {
  const raw = ctx.get(name);
  if (!raw) return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
}
