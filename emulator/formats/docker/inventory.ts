// The Docker format's ArtifactInventory: images as packages, manifests as versions (id = digest), tags,
// blobs and manifests as files, and the dockerImages view (spec ar-fidelity §1.4, §2.1).
import { EmulatorError } from '../../core/errors.js';
import type { ArtifactInventory, DockerImageInfo, FileInfo, PackageInfo, TagInfo, VersionInfo } from '../../core/inventory.js';
import { escapePackageId, repositoryName, type RepositoryRef } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { ManifestService } from './service/manifests.js';
import { T, isLive, manifestKey, tagKey, type BlobLink, type ImageRecord, type ManifestRecord, type TagRecord } from './service/tables.js';
import type { DockerTarget, DockerTargets } from './service/target.js';

export function createDockerInventory(targets: DockerTargets, manifests: ManifestService, blobs: BlobStore): ArtifactInventory {
  const target = (repo: RepositoryRef, image = '') => targets.forImage(repo, image);

  const version = (t: DockerTarget, m: ManifestRecord, prefix = `${repositoryName(t.ref)}/dockerImages/${escapePackageId(t.image)}@`): VersionInfo => {
    const tags = manifests.tagsOf(t, m.digest);
    let updateTime = m.createTime;
    for (const tag of tags) {
      const time = t.shard.get<TagRecord>(T.tags, tagKey(t.image, tag))?.updateTime;
      if (time !== undefined && time > updateTime) updateTime = time;
    }
    return {
      id: m.digest,
      createTime: m.createTime,
      updateTime,
      tags,
      metadata: {
        name: `${prefix}${m.digest}`,
        imageSizeBytes: String(m.imageSizeBytes),
        mediaType: m.mediaType,
        ...(m.buildTime ? { buildTime: m.buildTime } : {}),
        ...(m.artifactType ? { artifactType: m.artifactType } : {}),
      },
      // No annotations: a version's annotations are the client's (versions.patch, control/service/annotations.ts);
      // a manifest's own annotations stay in its blob.
    };
  };

  /** The image's manifests, from the content index: O(versions of this image), never the whole table. */
  const manifestsOf = (t: DockerTarget) => t.content.versionRecords<ManifestRecord>(t.image);

  const files = (repo: RepositoryRef): FileInfo[] => {
    const t = target(repo);
    const out = new Map<string, FileInfo>();
    const owners = new Map<string, { package: string; version: string }>();
    for (const [, m] of t.shard.entries<ManifestRecord>(T.manifests)) {
      for (const ref of m.references) if (!owners.has(`${m.image}@${ref}`)) owners.set(`${m.image}@${ref}`, { package: m.image, version: m.digest });
      out.set(m.digest, fileInfo(m.digest, m.size, m.createTime, { package: m.image, version: m.digest }, m.fetchTime));
    }
    for (const [key, link] of t.shard.entries<BlobLink>(T.blobs)) {
      if (!isLive(link)) continue;
      const at = key.lastIndexOf('@');
      const digest = key.slice(at + 1);
      if (!out.has(digest)) out.set(digest, fileInfo(digest, link.size, link.createTime, owners.get(key) ?? { package: key.slice(0, at) }, link.fetchTime));
    }
    return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  };

  return {
    format: 'DOCKER',

    listPackages(repo) {
      const t = target(repo);
      const out: PackageInfo[] = [];
      for (const [id, rec] of t.shard.entries<ImageRecord>(T.images)) out.push({ id, createTime: rec.createTime, updateTime: rec.updateTime });
      return out.sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    getPackage(repo, pkg) {
      const rec = target(repo).shard.get<ImageRecord>(T.images, pkg);
      return rec ? { id: pkg, createTime: rec.createTime, updateTime: rec.updateTime } : undefined;
    },

    deletePackage: (repo, pkg) => manifests.deleteImage(target(repo, pkg)),

    listVersions(repo, pkg) {
      const t = target(repo, pkg);
      const prefix = `${repositoryName(t.ref)}/dockerImages/${escapePackageId(t.image)}@`;
      const records = manifestsOf(t);
      // the index keeps versions in the order they were stored, which is nearly always createTime order:
      // sort only when it is not
      const before = (a: ManifestRecord, b: ManifestRecord) => (a.createTime < b.createTime ? -1 : a.createTime > b.createTime ? 1 : a.digest < b.digest ? -1 : 1);
      for (let i = 1; i < records.length; i++) {
        if (before(records[i - 1]!, records[i]!) > 0) {
          records.sort(before);
          break;
        }
      }
      return records.map((m) => () => version(t, m, prefix));
    },

    getVersion(repo, pkg, v) {
      const t = target(repo, pkg);
      const m = t.shard.get<ManifestRecord>(T.manifests, manifestKey(pkg, v));
      return m ? version(t, m) : undefined;
    },

    async deleteVersion(repo, pkg, v, force) {
      const t = target(repo, pkg);
      if (!t.shard.get(T.manifests, manifestKey(pkg, v))) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      const tags = manifests.tagsOf(t, v);
      // an immutable repository refuses a tagged version with or without force (its own text, policy.violated)
      if (tags.length) t.content.policy.checkVersionDelete?.({ repository: t.record, pkg, version: v, tags });
      if (tags.length && !force) {
        throw new EmulatorError('FAILED_PRECONDITION', `Version ${v} is tagged (${tags.slice(0, 5).join(', ')}); delete its tags first or set force=true.`);
      }
      await manifests.delete(t, v);
    },

    listTags(repo, pkg) {
      const t = target(repo, pkg);
      const out: TagInfo[] = [];
      for (const id of t.content.tagsOf(pkg)) out.push({ id, version: t.content.tagTarget(pkg, id)! });
      return out;
    },

    getTag(repo, pkg, tag) {
      const version = target(repo, pkg).content.tagTarget(pkg, tag);
      return version === undefined ? undefined : { id: tag, version };
    },

    async setTag(repo, pkg, tag, v) {
      await manifests.setTag(target(repo, pkg), tag, v);
      return { id: tag, version: v };
    },

    async deleteTag(repo, pkg, tag) {
      const t = target(repo, pkg);
      if (t.content.tagTarget(pkg, tag) === undefined) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      await manifests.delete(t, tag);
    },

    listFiles: files,
    getFile: (repo, file) => files(repo).find((f) => f.id === file),

    async openFile(repo, file) {
      if (!files(repo).some((f) => f.id === file)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      return blobs.open(file);
    },

    sizeBytes(repo) {
      return files(repo).reduce((sum, f) => sum + f.sizeBytes, 0);
    },

    listDockerImages(repo) {
      const t = target(repo);
      const out: DockerImageInfo[] = [];
      for (const [, m] of t.shard.entries<ManifestRecord>(T.manifests)) {
        const ti = targets.forImage(repo, m.image);
        const v = version(ti, m);
        out.push({
          id: `${m.image}@${m.digest}`, image: m.image, digest: m.digest, tags: v.tags, imageSizeBytes: m.imageSizeBytes,
          uploadTime: m.createTime, updateTime: v.updateTime, mediaType: m.mediaType,
          ...(m.buildTime ? { buildTime: m.buildTime } : {}),
          ...(m.artifactType ? { artifactType: m.artifactType } : {}),
          ...(m.platforms ? { imageManifests: m.platforms.map((p) => ({ digest: p.digest, mediaType: p.mediaType, ...(p.platform ? {
            architecture: p.platform.architecture, os: p.platform.os,
            ...(p.platform.variant ? { variant: p.platform.variant } : {}),
            ...(p.platform['os.version'] ? { osVersion: p.platform['os.version'] } : {}),
            ...(p.platform['os.features'] ? { osFeatures: p.platform['os.features'] } : {}),
          } : {}) })) } : {}),
        });
      }
      return out.sort((a, b) => (a.id < b.id ? -1 : 1));
    },
  };
}

function fileInfo(digest: string, size: number, time: string, owner: { package: string; version?: string }, fetchTime?: string): FileInfo {
  const [alg, hex] = digest.split(':') as [string, string];
  // Artifact Registry's HashType knows SHA256 and MD5; a sha512-addressed blob carries no hash entry.
  return { id: digest, sizeBytes: size, hashes: alg === 'sha256' ? [{ type: 'SHA256', hex }] : [], createTime: time, updateTime: time, owner, ...(fetchTime ? { fetchTime } : {}) };
}
