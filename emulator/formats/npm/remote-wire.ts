// What a remote npm repository serves as a packument: the upstream's document (full or abbreviated, as the
// client asked) with every tarball URL pointing at this emulator, and each version whose tarball is cached
// replaced by the cached version (its metadata and digests never change afterwards, and it stays listed when it
// vanishes upstream). Pure: no I/O. https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md
import { semverLib, tarballFileName } from './names.js';
import type { VersionRecord } from './service/tables.js';
import { ABBREVIATED_FIELDS, hasInstallScript } from './wire.js';

export type PackumentKind = 'full' | 'abbreviated';

export const UPSTREAM_ACCEPT: Record<PackumentKind, string> = {
  abbreviated: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*',
  full: 'application/json',
};

export type NpmDocument = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RemotePackumentInput {
  name: string;
  kind: PackumentKind;
  /** the upstream's document; undefined when the upstream does not have the package (any more) */
  upstream: NpmDocument | undefined;
  /** the cached versions of the package (tarball cached), in the order they were cached */
  cached: readonly VersionRecord[];
  /** the tarball URL on this emulator of `name@version` (file is `tarballFileName`) */
  tarballUrl(version: string, file: string): string;
}

/** The version documents of an upstream packument (an object of objects; anything else is dropped). */
export function upstreamVersions(doc: NpmDocument | undefined): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (!doc || !isObject(doc.versions)) return out;
  for (const [v, body] of Object.entries(doc.versions)) if (isObject(body)) out[v] = body;
  return out;
}

function cachedDist(v: VersionRecord, url: string) {
  return { integrity: v.tarball.integrity, shasum: v.tarball.sha1, tarball: url };
}

/** A cached version as the full packument shows it. */
function fullCached(name: string, v: VersionRecord, url: string): Record<string, unknown> {
  return { ...v.manifest, name, version: v.version, _id: `${name}@${v.version}`, dist: cachedDist(v, url), ...(v.deprecated ? { deprecated: v.deprecated } : {}) };
}

/** A cached version as the abbreviated packument shows it. */
function abbreviatedCached(name: string, v: VersionRecord, url: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ABBREVIATED_FIELDS) if (v.manifest[f] !== undefined) out[f] = v.manifest[f];
  out.name = name;
  out.version = v.version;
  out.dist = cachedDist(v, url);
  if (v.manifest.hasInstallScript === true || hasInstallScript(v.manifest)) out.hasInstallScript = true;
  if (v.deprecated) out.deprecated = v.deprecated;
  return out;
}

/** The packument a remote repository serves (see the file header). */
export function remotePackument(p: RemotePackumentInput): NpmDocument {
  const up = p.upstream ?? {};
  const versions: Record<string, unknown> = {};
  const url = (version: string) => p.tarballUrl(version, tarballFileName(p.name, version));
  for (const [version, body] of Object.entries(upstreamVersions(p.upstream))) {
    const dist = isObject(body.dist) ? body.dist : {};
    // a version whose tarball cannot be named by this registry's URLs keeps the upstream's (it is never cached)
    const clean = semverLib().valid(version) === version;
    versions[version] = { ...body, dist: { ...dist, ...(clean ? { tarball: url(version) } : {}) } };
  }
  for (const v of p.cached) versions[v.version] = p.kind === 'full' ? fullCached(p.name, v, url(v.version)) : abbreviatedCached(p.name, v, url(v.version));
  const tags: Record<string, string> = {};
  if (isObject(up['dist-tags'])) for (const [tag, v] of Object.entries(up['dist-tags'])) if (typeof v === 'string' && versions[v] !== undefined) tags[tag] = v;
  if (tags.latest === undefined && p.cached.length > 0) {
    const cachedVersions = p.cached.map((v) => v.version).sort(semverLib().compareLoose);
    tags.latest = cachedVersions[cachedVersions.length - 1]!;
  }
  const out: NpmDocument = { ...up, name: p.name, 'dist-tags': tags, versions };
  delete out._attachments;
  if (p.kind === 'full') {
    const time: Record<string, unknown> = isObject(up.time) ? { ...up.time } : {};
    for (const v of p.cached) if (time[v.version] === undefined) time[v.version] = v.createTime;
    if (Object.keys(time).length) out.time = time;
    if (out._id === undefined) out._id = p.name;
  } else if (out.modified === undefined && p.cached.length) {
    out.modified = p.cached[p.cached.length - 1]!.updateTime;
  }
  return out;
}

/** The version document of `version` in an upstream packument, if listed. */
export function upstreamVersion(doc: NpmDocument | undefined, version: string): Record<string, unknown> | undefined {
  return upstreamVersions(doc)[version];
}
