// Records → control-plane resources in canonical proto3 JSON (enum names, int64 as strings, RFC 3339,
// defaults omitted). Names come from core/names.ts.
import type { DockerImageInfo, FileInfo, PackageInfo, TagInfo, VersionInfo } from '../core/inventory.js';
import { dockerImageName, escapePackageId, fileName, packageName, repositoryName, tagName, versionName, type RepositoryRef } from '../core/names.js';
import { vulnerabilityScanningState, type RepositoryRecord } from '../core/repository.js';
import type { Json } from './api.js';

export function repositoryResource(r: RepositoryRecord, registryHost: string, sizeBytes: number): Json {
  const out: Json = { name: repositoryName(r), format: r.format, mode: r.mode, createTime: r.createTime, updateTime: r.updateTime };
  if (r.description) out.description = r.description;
  if (r.labels && Object.keys(r.labels).length) out.labels = r.labels;
  if (r.dockerConfig?.immutableTags) out.dockerConfig = { immutableTags: true };
  if (r.mavenConfig) out.mavenConfig = { ...r.mavenConfig };
  if (r.remoteRepositoryConfig) out.remoteRepositoryConfig = r.remoteRepositoryConfig as Json;
  if (r.virtualRepositoryConfig) out.virtualRepositoryConfig = r.virtualRepositoryConfig as Json;
  if (r.cleanupPolicies && Object.keys(r.cleanupPolicies).length) out.cleanupPolicies = r.cleanupPolicies;
  if (r.cleanupPolicyDryRun) out.cleanupPolicyDryRun = true;
  if (r.kmsKeyName) out.kmsKeyName = r.kmsKeyName;
  if (r.disallowUnspecifiedMode) out.disallowUnspecifiedMode = true;
  if (sizeBytes > 0) out.sizeBytes = String(sizeBytes);
  const scanning = vulnerabilityScanningState(r);
  out.vulnerabilityScanningConfig = {
    ...(r.vulnerabilityScanningConfig?.enablementConfig ? { enablementConfig: r.vulnerabilityScanningConfig.enablementConfig } : {}),
    ...(r.vulnerabilityScanningConfig?.lastEnableTime ? { lastEnableTime: r.vulnerabilityScanningConfig.lastEnableTime } : {}),
    enablementState: scanning.state,
    ...(scanning.reason ? { enablementStateReason: scanning.reason } : {}),
  };
  out.registryUri = registryUri(r, registryHost);
  return out;
}

/**
 * What the real service shows (`LOCATION-FORMAT.pkg.dev/PROJECT/REPO`, spec §1.3, §2) with its host swapped for
 * this emulator's: `HOST/PROJECT/REPO` for every format, except Apt and Yum, which live under
 * `HOST/projects/PROJECT/…` (apt takes `…/projects/PROJECT` plus the suite REPO, yum the base `…/projects/PROJECT/REPO`),
 * and gcr.io-domain repositories, which are `gcr.io:PORT/PROJECT` (the real `gcr.io/PROJECT` with the emulator's port).
 */
export function registryUri(r: RepositoryRef & { format: string }, registryHost: string): string {
  // a gcr.io-domain repository is addressed as `gcr.io/PROJECT` (docs/gcr.md), here with the emulator's port
  if (r.format === 'DOCKER' && /^(?:us\.|eu\.|asia\.)?gcr\.io$/.test(r.repository)) return `${r.repository}${/(:\d+)$/.exec(registryHost)?.[1] ?? ''}/${r.project}`;
  return r.format === 'APT' || r.format === 'YUM'
    ? `${registryHost}/projects/${r.project}/${r.repository}`
    : `${registryHost}/${r.project}/${r.repository}`;
}

/**
 * A Maven artifact version (artifact.proto MavenArtifact): `…/mavenArtifacts/GROUP:ARTIFACT:VERSION`; `pomUri` is where
 * its (newest) pom is served, `HOST/PROJECT/REPO/GROUP/PATH/ARTIFACT/VERSION/FILE.pom` with the emulator's host.
 */
export function mavenArtifactResource(ref: RepositoryRef, pkg: string, v: VersionInfo, registryHost: string): Json {
  const colon = pkg.indexOf(':');
  const [groupId, artifactId] = colon > 0 ? [pkg.slice(0, colon), pkg.slice(colon + 1)] : ['', pkg];
  const files = Array.isArray(v.metadata?.files) ? (v.metadata.files as unknown[]).filter((f): f is string => typeof f === 'string') : [];
  const pom = [...files].reverse().find((f) => f.endsWith('.pom'));
  const dir = `${registryHost}/${ref.project}/${ref.repository}/${groupId.replace(/\./g, '/')}/${artifactId}/${v.id}`;
  return {
    name: formatArtifactName(ref, 'mavenArtifacts', pkg, v.id),
    ...(pom ? { pomUri: `${dir}/${pom}` } : {}),
    groupId, artifactId, version: v.id, createTime: v.createTime, updateTime: v.updateTime,
  };
}

/** An npm package version (artifact.proto NpmPackage): `…/npmPackages/PACKAGE:VERSION`, `/` of a scope escaped. */
export function npmPackageResource(ref: RepositoryRef, pkg: string, v: VersionInfo): Json {
  const out: Json = { name: formatArtifactName(ref, 'npmPackages', pkg, v.id), packageName: pkg, version: v.id };
  if (v.tags.length) out.tags = v.tags;
  return { ...out, createTime: v.createTime, updateTime: v.updateTime };
}

/**
 * A Python package version (artifact.proto PythonPackage): `…/pythonPackages/PACKAGE:VERSION`; `uri` is where its
 * first file is served: `HOST/PROJECT/REPO/` plus the file's path from the inventory, else plus `PACKAGE/FILE` as in
 * the proto's example (`LOCATION-python.pkg.dev/PROJECT/REPO/PACKAGE/FILE`), the host swapped for the emulator's.
 */
export function pythonPackageResource(ref: RepositoryRef, pkg: string, v: VersionInfo, file: FileInfo | undefined, registryHost: string): Json {
  const base = `${registryHost}/${ref.project}/${ref.repository}`;
  return {
    name: formatArtifactName(ref, 'pythonPackages', pkg, v.id),
    uri: !file ? `${base}/${pkg}` : `${base}/${file.path ?? `${pkg}/${file.id.slice(file.id.lastIndexOf('/') + 1)}`}`,
    packageName: pkg,
    version: v.id,
    createTime: v.createTime,
    updateTime: v.updateTime,
  };
}

/** `…/COLLECTION/PACKAGE:VERSION`, the package id escaped as in package names (`/` → `%2F`). */
export function formatArtifactName(ref: RepositoryRef, collection: string, pkg: string, version: string): string {
  return `${repositoryName(ref)}/${collection}/${escapePackageId(pkg)}:${version}`;
}

export function packageResource(ref: RepositoryRef, p: PackageInfo): Json {
  return { name: packageName(ref, p.id), createTime: p.createTime, updateTime: p.updateTime, ...(p.annotations ? { annotations: p.annotations } : {}) };
}

export function versionResource(ref: RepositoryRef, pkg: string, v: VersionInfo, full: boolean): Json {
  const out: Json = { name: versionName(ref, pkg, v.id), createTime: v.createTime, updateTime: v.updateTime };
  if (v.description) out.description = v.description;
  if (full && v.tags.length) out.relatedTags = v.tags.slice(0, 100).map((t) => tagResource(ref, pkg, { id: t, version: v.id }));
  if (v.metadata) out.metadata = v.metadata;
  if (v.annotations) out.annotations = v.annotations;
  return out;
}

export function tagResource(ref: RepositoryRef, pkg: string, t: TagInfo): Json {
  return { name: tagName(ref, pkg, t.id), version: versionName(ref, pkg, t.version) };
}

export function fileResource(ref: RepositoryRef, f: FileInfo, annotations?: Record<string, string>): Json {
  const out: Json = { name: fileName(ref, f.id), sizeBytes: String(f.sizeBytes), createTime: f.createTime, updateTime: f.updateTime };
  if (f.hashes.length) out.hashes = f.hashes.map((h) => ({ type: h.type, value: Buffer.from(h.hex, 'hex').toString('base64') }));
  out.owner = f.owner.version ? versionName(ref, f.owner.package, f.owner.version) : packageName(ref, f.owner.package);
  if (f.fetchTime) out.fetchTime = f.fetchTime;
  if (annotations && Object.keys(annotations).length) out.annotations = annotations;
  return out;
}

/**
 * The DockerImage resource. `uri` is where clients pull it from this emulator: `HOST:PORT/PROJECT/REPO/IMAGE@DIGEST`,
 * and for a gcr.io-domain repository `gcr.io:PORT/PROJECT/IMAGE@DIGEST` (the real service's `gcr.io/PROJECT/IMAGE@…`
 * with the emulator's port; the name must map to it, docs/gcr.md).
 */
export function dockerImageResource(ref: RepositoryRef, d: DockerImageInfo, registryHost: string): Json {
  const gcrPort = /^(?:us\.|eu\.|asia\.)?gcr\.io$/.test(ref.repository) ? /(:\d+)$/.exec(registryHost)?.[1] ?? '' : undefined;
  const out: Json = {
    name: dockerImageName(ref, d.image, d.digest),
    uri: gcrPort !== undefined ? `${ref.repository}${gcrPort}/${ref.project}/${d.image}@${d.digest}` : `${registryHost}/${ref.project}/${ref.repository}/${d.image}@${d.digest}`,
    imageSizeBytes: String(d.imageSizeBytes),
    uploadTime: d.uploadTime,
    mediaType: d.mediaType,
    ...(d.buildTime ? { buildTime: d.buildTime } : {}),
    updateTime: d.updateTime,
  };
  if (d.tags.length) out.tags = d.tags;
  if (d.artifactType) out.artifactType = d.artifactType;
  if (d.imageManifests?.length) out.imageManifests = d.imageManifests;
  return out;
}
