// npm registry wire shapes and the pure functions that read and build them: the publish document
// (libnpmpublish's PUT body), the full and the abbreviated packument, the search result.
// https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md
import { EmulatorError } from '../../core/errors.js';
import { clip } from '../../core/names.js';
import type { ExpectedDigest } from '../../storage/ingest.js';
import { checkDistTag, checkPackageName, checkVersion, integrityDigests } from './names.js';
import type { PackageRecord, VersionRecord } from './service/tables.js';

export const ABBREVIATED_TYPE = 'application/vnd.npm.install-v1+json';

/** Fields of a version document that the registry owns (rebuilt on every read, never taken from the client). */
const REGISTRY_FIELDS = ['_id', 'dist', 'deprecated', '_attachments', '_rev', '_npmUser', '_nodeVersion', '_npmVersion'];
/** The most a version document may hold once stored; its readme is dropped first. */
const MANIFEST_MAX_BYTES = 512 << 10;
export const README_MAX_CHARS = 64 << 10;

/** The abbreviated ("corgi") document keeps these fields of each version (the spec's list plus cpu/os/libc). */
export const ABBREVIATED_FIELDS = [
  'name', 'version', 'dependencies', 'optionalDependencies', 'devDependencies', 'bundleDependencies', 'bundledDependencies',
  'peerDependencies', 'peerDependenciesMeta', 'acceptDependencies', 'bin', 'directories', 'engines', '_hasShrinkwrap',
  'cpu', 'os', 'libc', 'funding', 'license',
];

export interface NpmPublish {
  kind: 'publish';
  name: string;
  version: string;
  manifest: Record<string, unknown>;
  /** dist-tags the publish sets (`latest`, or the `--tag`) */
  tags: string[];
  description?: string;
  readme?: string;
  /** base64 tarball, its declared length, and the digests dist.integrity and dist.shasum assert */
  attachment: { data: string; length?: number };
  expected: ExpectedDigest[];
}

export interface NpmMetadataUpdate {
  kind: 'update';
  name: string;
  /** the versions the document still lists, with their `deprecated` message ('' or absent: not deprecated) */
  versions: Map<string, { deprecated?: string }>;
  distTags: Record<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(message: string, field?: string): EmulatorError {
  return new EmulatorError('INVALID_ARGUMENT', message, field ? { field } : undefined);
}

/**
 * Reads a packument PUT: a publish when it carries `_attachments`, otherwise a metadata update (npm deprecate,
 * npm unpublish of one version). The name in the document must be the one in the URL.
 */
export function parsePackumentPut(doc: unknown, urlName: string): NpmPublish | NpmMetadataUpdate {
  if (!isObject(doc)) throw invalid('The request body must be a JSON packument object');
  if (doc.name !== undefined && doc.name !== urlName) throw invalid(`The packument's name "${clip(String(doc.name))}" does not match the URL's "${clip(urlName)}"`, 'name');
  const versions = isObject(doc.versions) ? doc.versions : {};
  const distTags = isObject(doc['dist-tags']) ? doc['dist-tags'] : {};
  const attachments = isObject(doc._attachments) ? doc._attachments : undefined;
  if (!attachments || Object.keys(attachments).length === 0) {
    const out = new Map<string, { deprecated?: string }>();
    for (const [v, body] of Object.entries(versions)) {
      const deprecated = isObject(body) && typeof body.deprecated === 'string' ? body.deprecated : undefined;
      out.set(v, deprecated ? { deprecated } : {});
    }
    const tags: Record<string, string> = {};
    for (const [t, v] of Object.entries(distTags)) if (typeof v === 'string') tags[t] = v;
    return { kind: 'update', name: urlName, versions: out, distTags: tags };
  }
  return parsePublish(urlName, versions, distTags, attachments, doc);
}

function parsePublish(name: string, versions: Record<string, unknown>, distTags: Record<string, unknown>, attachments: Record<string, unknown>, doc: Record<string, unknown>): NpmPublish {
  checkPackageName(name, true);
  const ids = Object.keys(versions);
  if (ids.length !== 1) throw invalid(`A publish must carry exactly one version, not ${ids.length}`, 'versions');
  const version = checkVersion(ids[0], name);
  const body = versions[version];
  if (!isObject(body)) throw invalid(`versions["${clip(version)}"] must be an object`, 'versions');
  if (body.name !== undefined && body.name !== name) throw invalid(`versions["${clip(version)}"].name does not match the package name`, 'versions');
  if (body.version !== undefined && body.version !== version) throw invalid(`versions["${clip(version)}"].version does not match its key`, 'versions');

  const file = `${name}-${version}.tgz`;
  const keys = Object.keys(attachments);
  if (keys.length !== 1) throw invalid(`A publish must attach exactly one tarball (${file}); provenance bundles are not supported by this emulator`, '_attachments');
  if (keys[0] !== file) throw invalid(`Invalid attachment name "${clip(keys[0]!)}": expected "${clip(file)}"`, '_attachments');
  const att = attachments[file];
  if (!isObject(att) || typeof att.data !== 'string' || !att.data) throw invalid(`_attachments["${clip(file)}"].data must be the base64 tarball`, '_attachments');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(att.data.slice(-4096)) || att.data.length % 4 === 1) throw invalid(`_attachments["${clip(file)}"].data is not base64`, '_attachments');
  if (att.length !== undefined && (typeof att.length !== 'number' || !Number.isSafeInteger(att.length) || att.length < 0)) {
    throw invalid(`_attachments["${clip(file)}"].length must be a byte count`, '_attachments');
  }

  const dist = isObject(body.dist) ? body.dist : {};
  const expected: ExpectedDigest[] = [];
  if (dist.integrity !== undefined) {
    if (typeof dist.integrity !== 'string') throw invalid('dist.integrity must be an SRI string', 'dist.integrity');
    expected.push(...integrityDigests(dist.integrity));
  }
  if (dist.shasum !== undefined) {
    if (typeof dist.shasum !== 'string' || !/^[0-9a-fA-F]{40}$/.test(dist.shasum)) throw invalid('dist.shasum must be a hex sha1', 'dist.shasum');
    if (!expected.some((e) => e.algorithm === 'sha1')) expected.push({ algorithm: 'sha1', hex: dist.shasum.toLowerCase() });
  }

  const tags = Object.entries(distTags).filter(([, v]) => v === version).map(([t]) => checkDistTag(t));
  if (Object.keys(distTags).length !== tags.length) throw invalid('dist-tags of a publish must point at the version being published', 'dist-tags');
  const manifest = storedManifest(body);
  const readme = typeof body.readme === 'string' ? body.readme : typeof doc.readme === 'string' ? doc.readme : undefined;
  const description = typeof doc.description === 'string' ? doc.description : typeof body.description === 'string' ? body.description : undefined;
  return {
    kind: 'publish', name, version, manifest, tags: tags.length ? tags : ['latest'],
    ...(description !== undefined ? { description: description.slice(0, 4096) } : {}),
    ...(readme !== undefined ? { readme: readme.slice(0, README_MAX_CHARS) } : {}),
    attachment: { data: att.data, ...(att.length !== undefined ? { length: att.length } : {}) },
    expected,
  };
}

/**
 * An upstream's version document as a remote repository keeps it: the registry's own fields dropped, the readme
 * too when it is large; undefined when even that is too large to keep.
 */
export function upstreamManifest(body: Record<string, unknown>): Record<string, unknown> | undefined {
  try {
    return storedManifest(body);
  } catch {
    return undefined;
  }
}

/** The version document as kept: the client's fields minus the registry's own, its readme dropped if too large. */
function storedManifest(body: Record<string, unknown>): Record<string, unknown> {
  const manifest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!REGISTRY_FIELDS.includes(k)) manifest[k] = v;
  if (JSON.stringify(manifest).length > MANIFEST_MAX_BYTES) delete manifest.readme;
  if (JSON.stringify(manifest).length > MANIFEST_MAX_BYTES) throw invalid(`The version document is larger than ${MANIFEST_MAX_BYTES} bytes`, 'versions');
  return manifest;
}

export interface PackumentInput {
  name: string;
  pkg: PackageRecord;
  /** in publish order */
  versions: readonly VersionRecord[];
  distTags: Record<string, string>;
  /** the absolute tarball URL of a version (built from the request's Host) */
  tarballUrl(v: VersionRecord): string;
}

/** `_rev` as CouchDB-style `<n>-<hex>`: changes whenever the package does. */
export function packumentRev(name: string, pkg: PackageRecord): string {
  let h = 0x811c9dc5;
  for (const c of `${name}\u0000${pkg.updateTime}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return `${pkg.rev}-${h.toString(16).padStart(8, '0')}`;
}

/** `user:ada@example.com` → npm's `{name, email}` (npm view prints `published … by NAME <EMAIL>`). */
function npmUser(principal: string): { name: string; email: string } {
  const id = principal.slice(principal.indexOf(':') + 1);
  return { name: id, email: id };
}

function dist(v: VersionRecord, url: string) {
  return { integrity: v.tarball.integrity, shasum: v.tarball.sha1, tarball: url };
}

export function hasInstallScript(manifest: Record<string, unknown>): boolean {
  const scripts = isObject(manifest.scripts) ? manifest.scripts : {};
  return ['preinstall', 'install', 'postinstall'].some((s) => typeof scripts[s] === 'string');
}

/** The full packument (`npm view`, `npm deprecate`, `npm unpublish` read it). */
export function fullPackument(p: PackumentInput): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = { created: p.pkg.createTime, modified: p.pkg.updateTime };
  for (const v of p.versions) {
    versions[v.version] = {
      ...v.manifest, name: p.name, version: v.version, _id: `${p.name}@${v.version}`,
      ...(v.publisher ? { _npmUser: npmUser(v.publisher) } : {}),
      dist: dist(v, p.tarballUrl(v)),
      ...(v.deprecated ? { deprecated: v.deprecated } : {}),
    };
    time[v.version] = v.createTime;
  }
  return {
    _id: p.name, _rev: packumentRev(p.name, p.pkg), name: p.name,
    ...(p.pkg.description !== undefined ? { description: p.pkg.description } : {}),
    'dist-tags': p.distTags, versions, time,
    ...(p.pkg.readme !== undefined ? { readme: p.pkg.readme } : {}),
  };
}

/** The abbreviated packument npm install asks for (Accept: application/vnd.npm.install-v1+json). */
export function abbreviatedPackument(p: PackumentInput): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const v of p.versions) {
    const out: Record<string, unknown> = {};
    for (const f of ABBREVIATED_FIELDS) if (v.manifest[f] !== undefined) out[f] = v.manifest[f];
    out.name = p.name;
    out.version = v.version;
    out.dist = dist(v, p.tarballUrl(v));
    if (hasInstallScript(v.manifest)) out.hasInstallScript = true;
    if (v.deprecated) out.deprecated = v.deprecated;
    versions[v.version] = out;
  }
  return { name: p.name, modified: p.pkg.updateTime, 'dist-tags': p.distTags, versions };
}

/** Whether the Accept header asks for the abbreviated document (npm install does; npm view does not). */
export function wantsAbbreviated(accept: string): boolean {
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().split(';').map((s) => s.trim());
    const q = params.find((x) => x.startsWith('q='));
    return type === ABBREVIATED_TYPE && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** One object of `/-/v1/search` (https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md#get-v1search). */
export function searchObject(name: string, pkg: PackageRecord, latest: VersionRecord | undefined): Record<string, unknown> {
  const m = latest?.manifest ?? {};
  return {
    package: {
      name, ...(name.startsWith('@') ? { scope: name.slice(1, name.indexOf('/')) } : { scope: 'unscoped' }),
      version: latest?.version, ...(pkg.description !== undefined ? { description: pkg.description } : {}),
      keywords: Array.isArray(m.keywords) ? m.keywords : [], date: pkg.updateTime, links: {},
      ...(latest?.publisher ? { publisher: { username: npmUser(latest.publisher).name, email: npmUser(latest.publisher).email } } : {}),
      maintainers: latest?.publisher ? [{ username: npmUser(latest.publisher).name, email: npmUser(latest.publisher).email }] : [],
    },
    score: { final: 1, detail: { quality: 1, popularity: 1, maintenance: 1 } },
    searchScore: 1,
  };
}
