// What every Docker handler needs, and the helpers they share.
import type { ParsedDigest } from '../../../core/digests.js';
import { parseDigest } from '../../../core/digests.js';
import { decodePercent } from '../../../core/decode-percent.js';
import type { AppContext, RouteParams } from '../../../http/context.js';
import type { Routes } from '../../../http/routes.js';
import type { BlobService } from '../service/blobs.js';
import type { ManifestService } from '../service/manifests.js';
import type { DockerTarget, DockerTargets } from '../service/target.js';
import type { DockerAuth } from './token.js';

export interface DockerDeps {
  targets: DockerTargets;
  blobs: BlobService;
  manifests: ManifestService;
  /** the route table, for Location and Link headers (set once routes are built) */
  routes: () => Routes;
  defaultLocation: string;
  /** IAM decisions a handler makes beyond its route's check: mount sources, the catalog, tag moves */
  access: Pick<DockerAuth, 'allows' | 'require'>;
}

export function targetOf(deps: DockerDeps, ctx: AppContext, params: RouteParams): DockerTarget {
  return deps.targets.resolve(params.name!, ctx.state.hostLocation ?? deps.defaultLocation);
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
