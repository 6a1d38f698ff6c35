// The Maven format's ArtifactInventory: artifacts as packages (`GROUP:ARTIFACT`), their versions, and files by
// repository path (`com/example/lib/1.0/lib-1.0.jar`, as Artifact Registry names Maven files). Maven has no tags.
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { ArtifactInventory, FileInfo, VersionInfo } from '../../core/inventory.js';
import type { RepositoryRef } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { MavenPackages, MavenTarget } from './service/packages.js';
import { T, type ArtifactRecord, type FileRecord, type VersionRecord } from './service/tables.js';

const NOT_FOUND = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
const NO_TAGS = () => new EmulatorError('FAILED_PRECONDITION', 'Maven artifacts have no tags.');

export function createMavenInventory(packages: MavenPackages, blobs: BlobStore, events: EventBus): ArtifactInventory {
  const target = (repo: RepositoryRef): MavenTarget => {
    try {
      return packages.target(repo);
    } catch {
      throw NOT_FOUND();
    }
  };
  const version = (v: VersionRecord): VersionInfo => ({ id: v.version, createTime: v.createTime, updateTime: v.updateTime, tags: [], metadata: { files: v.files } });
  const fileInfo = (f: FileRecord): FileInfo => ({
    id: f.path,
    sizeBytes: f.size,
    hashes: [{ type: 'SHA256', hex: f.sha256 }, { type: 'MD5', hex: f.md5 }],
    createTime: f.uploadTime,
    updateTime: f.updateTime,
    owner: { package: `${f.groupId}:${f.artifactId}`, version: f.version },
    path: f.path,
    ...(f.fetchTime ? { fetchTime: f.fetchTime } : {}),
  });
  const deleted = (t: MavenTarget, pkg: string, v?: string) =>
    events.emit('artifact.deleted', { repository: t.repository, format: 'MAVEN', package: pkg, ...(v ? { version: v } : {}), kind: 'version' });

  return {
    format: 'MAVEN',
    listPackages: (repo) => packages.artifacts(target(repo)).map(([id, a]) => ({ id, createTime: a.createTime, updateTime: a.updateTime })),
    getPackage(repo, pkg) {
      const a = target(repo).shard.get<ArtifactRecord>(T.artifacts, pkg);
      return a ? { id: pkg, createTime: a.createTime, updateTime: a.updateTime } : undefined;
    },
    async deletePackage(repo, pkg) {
      const t = target(repo);
      await packages.deletePackage(t, pkg);
      deleted(t, pkg);
    },
    listVersions: (repo, pkg) => packages.versions(target(repo), pkg).map((v) => () => version(v)),
    getVersion(repo, pkg, v) {
      const rec = target(repo).shard.get<VersionRecord>(T.versions, `${pkg}:${v}`);
      return rec ? version(rec) : undefined;
    },
    async deleteVersion(repo, pkg, v) {
      const t = target(repo);
      await packages.deleteVersion(t, pkg, v);
      deleted(t, pkg, v);
    },
    listTags: () => [],
    getTag: () => undefined,
    setTag: () => Promise.reject(NO_TAGS()),
    deleteTag: () => Promise.reject(NOT_FOUND()),
    listFiles(repo) {
      const out: FileInfo[] = [];
      for (const [, f] of target(repo).shard.entries<FileRecord>(T.files)) out.push(fileInfo(f));
      return out.sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    getFile(repo, file) {
      const f = packages.file(target(repo), file);
      return f ? fileInfo(f) : undefined;
    },
    async openFile(repo, file) {
      const f = packages.file(target(repo), file);
      if (!f) throw NOT_FOUND();
      return blobs.open(f.digest);
    },
    sizeBytes(repo) {
      let total = 0;
      for (const [, f] of target(repo).shard.entries<FileRecord>(T.files)) total += f.size;
      return total;
    },
  };
}
