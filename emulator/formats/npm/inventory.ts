// The npm format's ArtifactInventory: packages, versions (semver strings), dist-tags as tags, each version's
// tarball as a file (id `NAME/-/FILE.tgz`, the tarball's path under the repository URL). Deleting through it
// goes through the same service as the npm endpoints, so both always show the same thing.
import { EmulatorError } from '../../core/errors.js';
import type { ArtifactInventory, FileInfo, PackageInfo, VersionInfo } from '../../core/inventory.js';
import type { RepositoryRef } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { NpmPackages } from './service/packages.js';
import { T, type PackageRecord, type VersionRecord } from './service/tables.js';
import type { NpmTarget, NpmTargets } from './service/target.js';

const NOT_FOUND = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');

export function fileId(v: VersionRecord): string {
  return `${v.name}/-/${v.tarball.file}`;
}

export function createNpmInventory(targets: NpmTargets, packages: NpmPackages, blobs: BlobStore): ArtifactInventory {
  const target = (repo: RepositoryRef) => targets.forControl(repo);

  const versionInfo = (t: NpmTarget, v: VersionRecord): VersionInfo => ({
    id: v.version,
    createTime: v.createTime,
    updateTime: v.updateTime,
    tags: t.content.tagsOfVersion(v.name, v.version),
    metadata: {
      name: `${v.name}@${v.version}`,
      ...(v.deprecated ? { deprecated: v.deprecated } : {}),
      ...(typeof v.manifest.description === 'string' ? { description: v.manifest.description } : {}),
    },
  });

  const fileInfo = (v: VersionRecord): FileInfo => ({
    id: fileId(v),
    sizeBytes: v.tarball.size,
    hashes: [{ type: 'SHA256', hex: v.tarball.sha256 }],
    createTime: v.createTime,
    updateTime: v.createTime,
    owner: { package: v.name, version: v.version },
    // the tarball's path under the repository URL is its id
    path: fileId(v),
    // a remote repository's cached tarball: when it was fetched from the upstream
    ...(v.fetchTime ? { fetchTime: v.fetchTime } : {}),
  });

  /** The version a file id names, if it exists. */
  const fileVersion = (t: NpmTarget, id: string): VersionRecord | undefined => {
    const i = id.lastIndexOf('/-/');
    if (i <= 0) return undefined;
    const name = id.slice(0, i);
    for (const v of t.content.versionRecords<VersionRecord>(name)) if (v.tarball.file === id.slice(i + 3)) return v;
    return undefined;
  };

  const ensurePackage = (t: NpmTarget, pkg: string) => {
    if (!t.shard.get(T.packages, pkg)) throw NOT_FOUND();
  };

  return {
    format: 'NPM',

    listPackages(repo) {
      const out: PackageInfo[] = [];
      for (const [id, rec] of target(repo).shard.entries<PackageRecord>(T.packages)) out.push({ id, createTime: rec.createTime, updateTime: rec.updateTime });
      return out.sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    getPackage(repo, pkg) {
      const rec = target(repo).shard.get<PackageRecord>(T.packages, pkg);
      return rec ? { id: pkg, createTime: rec.createTime, updateTime: rec.updateTime } : undefined;
    },

    async deletePackage(repo, pkg) {
      const t = target(repo);
      ensurePackage(t, pkg);
      await packages.unpublishPackage(t, pkg, undefined, undefined);
    },

    listVersions(repo, pkg) {
      const t = target(repo);
      // publish order is createTime order (the clock only moves forward within a shard's transactions)
      return t.content.versionRecords<VersionRecord>(pkg).map((v) => () => versionInfo(t, v));
    },

    getVersion(repo, pkg, version) {
      const t = target(repo);
      const v = packages.version(t, pkg, version);
      return v ? versionInfo(t, v) : undefined;
    },

    async deleteVersion(repo, pkg, version, force) {
      const t = target(repo);
      if (!packages.version(t, pkg, version)) throw NOT_FOUND();
      const tags = t.content.tagsOfVersion(pkg, version);
      if (tags.length && !force) {
        throw new EmulatorError('FAILED_PRECONDITION', `Version ${version} is tagged (${tags.slice(0, 5).join(', ')}); delete its tags first or set force=true.`);
      }
      await packages.deleteVersion(t, pkg, version, undefined);
    },

    listTags(repo, pkg) {
      const t = target(repo);
      return t.content.tagsOf(pkg).map((id) => ({ id, version: t.content.tagTarget(pkg, id)! }));
    },

    getTag(repo, pkg, tag) {
      const version = target(repo).content.tagTarget(pkg, tag);
      return version === undefined ? undefined : { id: tag, version };
    },

    async setTag(repo, pkg, tag, version) {
      const t = target(repo);
      try {
        await packages.setTag(t, pkg, tag, version, undefined);
      } catch (err) {
        if (err instanceof EmulatorError && err.code === 'NOT_FOUND') throw NOT_FOUND();
        throw err;
      }
      return { id: tag, version };
    },

    async deleteTag(repo, pkg, tag) {
      const t = target(repo);
      if (t.content.tagTarget(pkg, tag) === undefined) throw NOT_FOUND();
      await packages.deleteTag(t, pkg, tag, undefined);
    },

    listFiles(repo) {
      const out: FileInfo[] = [];
      for (const [, v] of target(repo).shard.entries<VersionRecord>(T.versions)) out.push(fileInfo(v));
      return out.sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    getFile(repo, file) {
      const v = fileVersion(target(repo), file);
      return v ? fileInfo(v) : undefined;
    },

    async openFile(repo, file) {
      const v = fileVersion(target(repo), file);
      if (!v) throw NOT_FOUND();
      return blobs.open(v.tarball.digest);
    },

    sizeBytes(repo) {
      let sum = 0;
      for (const [, v] of target(repo).shard.entries<VersionRecord>(T.versions)) sum += v.tarball.size;
      return sum;
    },
  };
}

