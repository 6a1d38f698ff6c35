// What every Docker handler needs, and the helpers they share.
import type { ParsedDigest } from '../../../core/digests.js';
import { parseDigest } from '../../../core/digests.js';
import type { AppContext, RouteParams } from '../../../http/context.js';
import type { RouteTable } from '../../../http/route-table.js';
import type { BlobService } from '../service/blobs.js';
import type { ManifestService } from '../service/manifests.js';
import type { DockerTarget, DockerTargets } from '../service/target.js';

export interface DockerDeps {
  targets: DockerTargets;
  blobs: BlobService;
  manifests: ManifestService;
  /** the route table, for Location and Link headers (set once routes are built) */
  routes: () => RouteTable;
  defaultLocation: string;
}

export function targetOf(deps: DockerDeps, ctx: AppContext, params: RouteParams): DockerTarget {
  return deps.targets.resolve(params.name!, ctx.state.hostLocation ?? deps.defaultLocation);
}

export function digestParam(params: RouteParams, key = 'digest'): ParsedDigest {
  return parseDigest(decodeURIComponent(params[key]!));
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
