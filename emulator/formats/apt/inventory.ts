// The APT format's ArtifactInventory: packages are Debian package names, versions their `[EPOCH:]VERSION`, files
// the .deb files (`NAME_VERSION_ARCH.deb`, served at their `pool/REPO/…` Filename). No tags. Deleting a version or
// a package removes its files and bumps the indexes they were in (the next read rebuilds only those).
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { ArtifactInventory, FileInfo, VersionInfo } from '../../core/inventory.js';
import type { RepositoryRef } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { debFileName } from './control.js';
import { T, type FileRecord, type PackageRecord, type AptStore, type AptTarget } from './store.js';

const NOT_FOUND = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
const NO_TAGS = () => new EmulatorError('FAILED_PRECONDITION', 'Apt packages have no tags.');
const byTime = (a: { createTime: string }, b: { createTime: string }) => (a.createTime < b.createTime ? -1 : a.createTime > b.createTime ? 1 : 0);

export function createAptInventory(store: AptStore, blobs: BlobStore, events: EventBus, _clock: Clock): ArtifactInventory {
  const target = (repo: RepositoryRef): AptTarget => {
    try {
      return store.target(repo);
    } catch {
      throw NOT_FOUND();
    }
  };
  const filesOf = (t: AptTarget, pkg: string, version?: string) =>
    store.files(t).filter((f) => f.package === pkg && (version === undefined || f.version === version)).sort(byTime);
  const versionInfo = (files: FileRecord[]): VersionInfo => ({
    id: files[0]!.version,
    createTime: files[0]!.createTime,
    updateTime: files[files.length - 1]!.createTime,
    tags: [],
    metadata: { files: files.map(debFileName), architectures: [...new Set(files.map((f) => f.architecture))], components: [...new Set(files.map((f) => f.component))] },
  });
  const fileInfo = (f: FileRecord): FileInfo => ({
    id: debFileName(f),
    sizeBytes: f.size,
    hashes: [{ type: 'SHA256', hex: f.sha256 }, ...(f.md5 ? [{ type: 'MD5' as const, hex: f.md5 }] : [])],
    createTime: f.createTime,
    updateTime: f.createTime,
    owner: { package: f.package, version: f.version },
    path: f.filename,
  });
  const fileOf = (t: AptTarget, id: string) => t.shard.get<FileRecord>(T.files, id);
  const remove = async (repo: RepositoryRef, pkg: string, version?: string) => {
    const t = target(repo);
    await store.deleteFiles(t, pkg, version);
    events.emit('artifact.deleted', { repository: t.repository, format: 'APT', package: pkg, ...(version ? { version } : {}), kind: 'version' });
  };

  return {
    format: 'APT',
    listPackages(repo) {
      return [...target(repo).shard.entries<PackageRecord>(T.packages)].map(([id, p]) => ({ id, createTime: p.createTime, updateTime: p.updateTime })).sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    getPackage(repo, pkg) {
      const p = target(repo).shard.get<PackageRecord>(T.packages, pkg);
      return p ? { id: pkg, createTime: p.createTime, updateTime: p.updateTime } : undefined;
    },
    deletePackage: (repo, pkg) => remove(repo, pkg),
    listVersions(repo, pkg) {
      const groups = new Map<string, FileRecord[]>();
      for (const f of filesOf(target(repo), pkg)) groups.set(f.version, [...(groups.get(f.version) ?? []), f]);
      return [...groups.values()].map((files) => () => versionInfo(files));
    },
    getVersion(repo, pkg, version) {
      const files = filesOf(target(repo), pkg, version);
      return files.length ? versionInfo(files) : undefined;
    },
    deleteVersion: (repo, pkg, version) => remove(repo, pkg, version),
    listTags: () => [],
    getTag: () => undefined,
    setTag: () => Promise.reject(NO_TAGS()),
    deleteTag: () => Promise.reject(NOT_FOUND()),
    listFiles(repo) {
      return store.files(target(repo)).map(fileInfo).sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    getFile(repo, id) {
      const f = fileOf(target(repo), id);
      return f ? fileInfo(f) : undefined;
    },
    async openFile(repo, id) {
      const f = fileOf(target(repo), id);
      if (!f) throw NOT_FOUND();
      return blobs.open(f.digest);
    },
    async openFileRange(repo, id, span) {
      const f = fileOf(target(repo), id);
      if (!f) throw NOT_FOUND();
      return blobs.open(f.digest, span);
    },
    sizeBytes(repo) {
      let total = 0;
      for (const f of store.files(target(repo))) total += f.size;
      return total;
    },
  };
}
