// The Python format's ArtifactInventory: projects (PEP 503 normalized names) as packages, PEP 440 versions,
// distribution files by file name; Python has no tags. Deleting here deletes what the simple index shows.
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { ArtifactInventory, FileInfo, VersionInfo } from '../../core/inventory.js';
import type { RepositoryRef } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { PythonPackages, PythonTarget } from './service/packages.js';
import { T, type FileRecord, type ProjectRecord, type VersionRecord } from './service/tables.js';

const NOT_FOUND = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
const NO_TAGS = () => new EmulatorError('FAILED_PRECONDITION', 'Python packages have no tags.');

export function createPythonInventory(packages: PythonPackages, blobs: BlobStore, events: EventBus, clock: Clock): ArtifactInventory {
  const target = (repo: RepositoryRef): PythonTarget => {
    try {
      return packages.target(repo);
    } catch {
      throw NOT_FOUND();
    }
  };
  const version = (v: VersionRecord): VersionInfo => ({
    id: v.version,
    createTime: v.createTime,
    updateTime: v.updateTime,
    ...(v.summary ? { description: v.summary } : {}),
    tags: [],
    metadata: { files: v.files },
  });
  const fileInfo = (f: FileRecord): FileInfo => ({
    id: f.filename,
    sizeBytes: f.size,
    hashes: [{ type: 'SHA256', hex: f.sha256 }, { type: 'MD5', hex: f.md5 }],
    createTime: f.uploadTime,
    updateTime: f.uploadTime,
    owner: { package: f.project, version: f.version },
    path: `packages/${f.project}/${f.filename}`,
    ...(f.fetchTime ? { fetchTime: f.fetchTime } : {}),
  });
  const deleted = (t: PythonTarget, pkg: string, v?: string) =>
    events.emit('artifact.deleted', { repository: t.repository, format: 'PYTHON', package: pkg, ...(v ? { version: v } : {}), kind: 'version' });

  return {
    format: 'PYTHON',

    listPackages(repo) {
      return packages.projects(target(repo)).map(([id, p]) => ({ id, createTime: p.createTime, updateTime: p.updateTime }));
    },

    getPackage(repo, pkg) {
      const p = target(repo).shard.get<ProjectRecord>(T.projects, pkg);
      return p ? { id: pkg, createTime: p.createTime, updateTime: p.updateTime } : undefined;
    },

    async deletePackage(repo, pkg) {
      const t = target(repo);
      await packages.deleteProject(t, pkg);
      deleted(t, pkg);
    },

    listVersions(repo, pkg) {
      return packages.versions(target(repo), pkg).map((v) => () => version(v));
    },

    getVersion(repo, pkg, v) {
      const rec = target(repo).content.hasVersion(pkg, v) ? packages.versions(target(repo), pkg).find((x) => x.version === v) : undefined;
      return rec ? version(rec) : undefined;
    },

    async deleteVersion(repo, pkg, v) {
      const t = target(repo);
      await packages.deleteVersion(t, pkg, v, clock.now().toISOString());
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
      for (const [, f] of target(repo).shard.entries<FileRecord>(T.files)) total += f.size + (f.metadata?.size ?? 0);
      return total;
    },
  };
}
