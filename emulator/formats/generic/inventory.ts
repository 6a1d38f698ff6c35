// The GENERIC format's ArtifactInventory: packages, versions and files (`PACKAGE:VERSION:FILENAME`) as uploaded
// through genericArtifacts:create; generic artifacts have no tags. Files can be deleted one by one (files.delete).
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { ArtifactKind, EventBus } from '../../core/events.js';
import type { ArtifactInventory, FileInfo, VersionInfo } from '../../core/inventory.js';
import type { RepositoryRef } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { T, versionKey, type FileRecord, type GenericStore, type GenericTarget, type PackageRecord, type VersionRecord } from './store.js';
import { fileId } from './names.js';

const NOT_FOUND = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
const NO_TAGS = () => new EmulatorError('FAILED_PRECONDITION', 'Generic artifacts have no tags.');

export function createGenericInventory(store: GenericStore, blobs: BlobStore, events: EventBus, clock: Clock): ArtifactInventory {
  const target = (repo: RepositoryRef): GenericTarget => {
    try {
      return store.target(repo);
    } catch {
      throw NOT_FOUND();
    }
  };
  const version = (v: VersionRecord): VersionInfo => ({ id: v.version, createTime: v.createTime, updateTime: v.updateTime, tags: [], metadata: { files: v.files } });
  const fileInfo = (f: FileRecord): FileInfo => ({
    id: fileId(f),
    sizeBytes: f.size,
    hashes: [{ type: 'SHA256', hex: f.sha256 }, { type: 'MD5', hex: f.md5 }],
    createTime: f.createTime,
    updateTime: f.createTime,
    owner: { package: f.packageId, version: f.versionId },
    path: `${f.packageId}/${f.versionId}/${f.filename}`,
  });
  const versionsOf = (t: GenericTarget, pkg: string) =>
    [...t.shard.entries<VersionRecord>(T.versions)].map(([, v]) => v).filter((v) => v.package === pkg).sort((a, b) => (a.createTime < b.createTime ? -1 : a.createTime > b.createTime ? 1 : 0));
  const deleted = (t: GenericTarget, pkg: string, v?: string, kind: ArtifactKind = 'version') =>
    events.emit('artifact.deleted', { repository: t.repository, format: 'GENERIC', package: pkg, ...(v ? { version: v } : {}), kind });

  return {
    format: 'GENERIC',
    listPackages(repo) {
      return [...target(repo).shard.entries<PackageRecord>(T.packages)].map(([id, p]) => ({ id, createTime: p.createTime, updateTime: p.updateTime })).sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    getPackage(repo, pkg) {
      const p = target(repo).shard.get<PackageRecord>(T.packages, pkg);
      return p ? { id: pkg, createTime: p.createTime, updateTime: p.updateTime } : undefined;
    },
    async deletePackage(repo, pkg) {
      const t = target(repo);
      await store.deletePackage(t, pkg);
      deleted(t, pkg);
    },
    listVersions(repo, pkg) {
      return versionsOf(target(repo), pkg).map((v) => () => version(v));
    },
    getVersion(repo, pkg, v) {
      const rec = target(repo).shard.get<VersionRecord>(T.versions, versionKey(pkg, v));
      return rec ? version(rec) : undefined;
    },
    async deleteVersion(repo, pkg, v) {
      const t = target(repo);
      await store.deleteVersion(t, pkg, v, clock.now().toISOString());
      deleted(t, pkg, v);
    },
    listTags: () => [],
    getTag: () => undefined,
    setTag: () => Promise.reject(NO_TAGS()),
    deleteTag: () => Promise.reject(NOT_FOUND()),
    listFiles(repo) {
      return [...target(repo).shard.entries<FileRecord>(T.files)].map(([, f]) => fileInfo(f)).sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    getFile(repo, file) {
      const f = target(repo).shard.get<FileRecord>(T.files, file);
      return f ? fileInfo(f) : undefined;
    },
    async openFile(repo, file) {
      const f = target(repo).shard.get<FileRecord>(T.files, file);
      if (!f) throw NOT_FOUND();
      return blobs.open(f.digest);
    },
    async openFileRange(repo, file, span) {
      const f = target(repo).shard.get<FileRecord>(T.files, file);
      if (!f) throw NOT_FOUND();
      return blobs.open(f.digest, span);
    },
    async deleteFile(repo, file) {
      const t = target(repo);
      const f = await store.deleteFile(t, file, clock.now().toISOString());
      deleted(t, f.packageId, f.versionId, 'file');
    },
    sizeBytes(repo) {
      let total = 0;
      for (const [, f] of target(repo).shard.entries<FileRecord>(T.files)) total += f.size;
      return total;
    },
  };
}
