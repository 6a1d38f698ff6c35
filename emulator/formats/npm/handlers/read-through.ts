// The reads of remote and virtual repositories: the packument a client gets (the upstream's, merged with the
// cache, or the winning member's) and where a tarball comes from. Tarball URLs always name the repository the
// client asked (a virtual repository's own URL, never its members').
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AppContext, RouteParams } from '../../../http/context.js';
import { ABBREVIATED_TYPE, abbreviatedPackument, fullPackument } from '../wire.js';
import { remotePackument, type NpmDocument, type PackumentKind } from '../remote-wire.js';
import { HOPS_HEADER, hopsOf, notFound, versionNotFound, type UpstreamPackument } from '../service/remote.js';
import type { VersionRecord } from '../service/tables.js';
import type { NpmTarget } from '../service/target.js';
import type { NpmDeps } from './deps.js';

export interface ServedPackument {
  doc: NpmDocument;
  /** the upstream failed and the cache answered */
  stale: boolean;
}

function urlFor(deps: NpmDeps, ctx: AppContext, params: RouteParams, name: string, file: string): string {
  const path = deps.routes().url('npm.tarball.get', { project: params.project!, repository: params.repository!, name, file });
  return `${ctx.protocol}://${ctx.host}${path}`;
}

function standardDocument(deps: NpmDeps, ctx: AppContext, params: RouteParams, t: NpmTarget, name: string, kind: PackumentKind): NpmDocument {
  const view = deps.packages.view(t, name);
  const input = { name, ...view, tarballUrl: (v: VersionRecord) => urlFor(deps, ctx, params, v.name, v.tarball.file) };
  return kind === 'abbreviated' ? abbreviatedPackument(input) : fullPackument(input);
}

function remoteDocument(deps: NpmDeps, ctx: AppContext, params: RouteParams, t: NpmTarget, name: string, kind: PackumentKind, up: UpstreamPackument): ServedPackument {
  const cached = t.content.versionRecords<VersionRecord>(name);
  if (up.doc === undefined && cached.length === 0) throw notFound(name);
  const doc = remotePackument({ name, kind, upstream: up.doc, cached, tarballUrl: (_v, file) => urlFor(deps, ctx, params, name, file) });
  return { doc, stale: up.stale };
}

/** The packument of `name` in a remote or virtual repository, with tarball URLs at the repository asked. */
export async function readThroughPackument(deps: NpmDeps, ctx: AppContext, params: RouteParams, t: NpmTarget, name: string, kind: PackumentKind): Promise<ServedPackument> {
  const hops = hopsOf(ctx.get(HOPS_HEADER));
  if (t.record.mode === 'REMOTE_REPOSITORY') {
    if (!deps.remote) return { doc: standardDocument(deps, ctx, params, t, name, kind), stale: false };
    return remoteDocument(deps, ctx, params, t, name, kind, await deps.remote.packument(t, name, kind, true, hops));
  }
  const won = await deps.virtual.resolve(t, name, kind, hops);
  if (won.upstream) return remoteDocument(deps, ctx, params, won.target, name, kind, won.upstream);
  return { doc: standardDocument(deps, ctx, params, won.target, name, kind), stale: false };
}

/** Sends a read-through packument: JSON of the kind asked, a weak ETag of its bytes, the stale warning. */
export function sendPackument(ctx: AppContext, served: ServedPackument, kind: PackumentKind): void {
  const body = JSON.stringify(served.doc);
  const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
  ctx.set('ETag', etag);
  ctx.set('Vary', 'Accept');
  if (served.stale) ctx.set('Warning', '110 - "Response is Stale"');
  if (ctx.get('if-none-match') === etag) {
    ctx.status = 304;
    return;
  }
  ctx.type = kind === 'abbreviated' ? ABBREVIATED_TYPE : 'application/json';
  ctx.body = body;
}

export type TarballSource = { target: NpmTarget; record: VersionRecord } | { target: NpmTarget; record?: undefined; stream: Readable; length?: number };

/** Where the tarball of `name@version` in a remote or virtual repository comes from. */
export async function readThroughTarball(deps: NpmDeps, ctx: AppContext, t: NpmTarget, name: string, version: string): Promise<TarballSource> {
  const hops = hopsOf(ctx.get(HOPS_HEADER));
  let target = t;
  if (t.record.mode === 'VIRTUAL_REPOSITORY') target = (await deps.virtual.resolve(t, name, 'abbreviated', hops)).target;
  if (target.record.mode === 'REMOTE_REPOSITORY' && deps.remote) return { target, ...(await deps.remote.tarball(target, name, version, hops)) };
  const record = deps.packages.version(target, name, version);
  if (!record) throw versionNotFound(name, version);
  return { target, record };
}
