// Records → control-plane resources in canonical proto3 JSON (enum names, int64 as strings, RFC 3339,
// defaults omitted). Names come from core/names.ts.
import type { DockerImageInfo, FileInfo, PackageInfo, TagInfo, VersionInfo } from '../core/inventory.js';
import { dockerImageName, fileName, packageName, repositoryName, tagName, versionName, type RepositoryRef } from '../core/names.js';
import type { RepositoryRecord } from '../core/repository.js';
import type { Json } from './api.js';

export function repositoryResource(r: RepositoryRecord, registryHost: string, sizeBytes: number): Json {
  const out: Json = { name: repositoryName(r), format: r.format, mode: r.mode, createTime: r.createTime, updateTime: r.updateTime };
  if (r.description) out.description = r.description;
  if (r.labels && Object.keys(r.labels).length) out.labels = r.labels;
  if (r.dockerConfig?.immutableTags) out.dockerConfig = { immutableTags: true };
  if (r.cleanupPolicies && Object.keys(r.cleanupPolicies).length) out.cleanupPolicies = r.cleanupPolicies;
  if (r.cleanupPolicyDryRun) out.cleanupPolicyDryRun = true;
  if (sizeBytes > 0) out.sizeBytes = String(sizeBytes);
  if (r.format === 'DOCKER') out.registryUri = `${registryHost}/${r.project}/${r.repository}`;
  return out;
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
  if (annotations && Object.keys(annotations).length) out.annotations = annotations;
  return out;
}

export function dockerImageResource(ref: RepositoryRef, d: DockerImageInfo, registryHost: string): Json {
  const out: Json = {
    name: dockerImageName(ref, d.image, d.digest),
    uri: `${registryHost}/${ref.project}/${ref.repository}/${d.image}@${d.digest}`,
    imageSizeBytes: String(d.imageSizeBytes),
    uploadTime: d.uploadTime,
    mediaType: d.mediaType,
    updateTime: d.updateTime,
  };
  if (d.tags.length) out.tags = d.tags;
  if (d.artifactType) out.artifactType = d.artifactType;
  if (d.imageManifests?.length) out.imageManifests = d.imageManifests;
  return out;
}
