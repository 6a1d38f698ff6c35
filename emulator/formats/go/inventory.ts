// The Go format's ArtifactInventory: modules (their paths) as packages, semver versions, and each version's files
// `MODULE/@v/VERSION.zip` and `.mod` (as the GOPROXY serves them); Go modules have no tags. Deleting here deletes
// what the GOPROXY endpoints serve.
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { ArtifactInventory, FileInfo, VersionInfo } from '../../core/inventory.js';
import type { RepositoryRef } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { escapeCase } from './names.js';
import { T, type BlobRef, type GoModules, type GoTarget, type VersionRecord } from './service/modules.js';

const NOT_FOUND = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
const NO_TAGS = () => new EmulatorError('FAILED_PRECONDITION', 'Go modules have no tags.');
const FILE_ID = /^(.+)\/@v\/(.+)\.(zip|mod)$/;

export function createGoInventory(modules: GoModules, blobs: BlobStore, events: EventBus, clock: Clock): ArtifactInventory {
  const target = (repo: RepositoryRef): GoTarget => {
    try {
      return modules.target(repo);
    } catch {
      throw NOT_FOUND();
    }
  };
  const version = (v: VersionRecord): VersionInfo => ({
    id: v.version,
    createTime: v.createTime,
    updateTime: v.updateTime,
    tags: [],
    metadata: { files: [fileId(v, 'mod'), ...(v.zip ? [fileId(v, 'zip')] : [])] },
  });
  const fileId = (v: VersionRecord, ext: 'zip' | 'mod') => `${v.module}/@v/${v.version}.${ext}`;
  const fileInfo = (v: VersionRecord, ext: 'zip' | 'mod', b: BlobRef): FileInfo => ({
    id: fileId(v, ext),
    sizeBytes: b.size,
    hashes: [{ type: 'SHA256', hex: b.sha256 }, ...(b.md5 ? [{ type: 'MD5' as const, hex: b.md5 }] : [])],
    createTime: v.createTime,
    updateTime: v.updateTime,
    owner: { package: v.module, version: v.version },
    path: `${escapeCase(v.module)}/@v/${escapeCase(v.version)}.${ext}`,
    ...(v.fetchTime ? { fetchTime: v.fetchTime } : {}),
  });
  const filesOf = (v: VersionRecord): FileInfo[] => [fileInfo(v, 'mod', v.mod), ...(v.zip ? [fileInfo(v, 'zip', v.zip)] : [])];
  const fileOf = (t: GoTarget, id: string): { v: VersionRecord; blob: BlobRef } | undefined => {
    const m = FILE_ID.exec(id);
    const v = m ? modules.version(t, m[1]!, m[2]!) : undefined;
    const blob = v ? (m![3] === 'zip' ? v.zip : v.mod) : undefined;
    return v && blob ? { v, blob } : undefined;
  };
  const deleted = (t: GoTarget, pkg: string, v?: string) =>
    events.emit('artifact.deleted', { repository: t.repository, format: 'GO', package: pkg, ...(v ? { version: v } : {}), kind: 'version' });

  return {
    format: 'GO',
    listPackages(repo) {
      return modules.modules(target(repo)).map(([id, m]) => ({ id, createTime: m.createTime, updateTime: m.updateTime }));
    },
    getPackage(repo, pkg) {
      const m = modules.module(target(repo), pkg);
      return m ? { id: pkg, createTime: m.createTime, updateTime: m.updateTime } : undefined;
    },
    async deletePackage(repo, pkg) {
      const t = target(repo);
      await modules.deleteModule(t, pkg);
      deleted(t, pkg);
    },
    listVersions(repo, pkg) {
      return modules
        .versions(target(repo), pkg)
        .sort((a, b) => (a.createTime < b.createTime ? -1 : a.createTime > b.createTime ? 1 : 0))
        .map((v) => () => version(v));
    },
    getVersion(repo, pkg, v) {
      const rec = modules.version(target(repo), pkg, v);
      return rec ? version(rec) : undefined;
    },
    async deleteVersion(repo, pkg, v) {
      const t = target(repo);
      await modules.deleteVersion(t, pkg, v, clock.now().toISOString());
      deleted(t, pkg, v);
    },
    listTags: () => [],
    getTag: () => undefined,
    setTag: () => Promise.reject(NO_TAGS()),
    deleteTag: () => Promise.reject(NOT_FOUND()),
    listFiles(repo) {
      const out: FileInfo[] = [];
      for (const [, v] of target(repo).shard.entries<VersionRecord>(T.versions)) out.push(...filesOf(v));
      return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    getFile(repo, file) {
      const f = fileOf(target(repo), file);
      return f ? fileInfo(f.v, file.endsWith('.zip') ? 'zip' : 'mod', f.blob) : undefined;
    },
    async openFile(repo, file) {
      const f = fileOf(target(repo), file);
      if (!f) throw NOT_FOUND();
      return blobs.open(f.blob.digest);
    },
    async openFileRange(repo, file, span) {
      const f = fileOf(target(repo), file);
      if (!f) throw NOT_FOUND();
      return blobs.open(f.blob.digest, span);
    },
    sizeBytes(repo) {
      let total = 0;
      for (const [, v] of target(repo).shard.entries<VersionRecord>(T.versions)) total += v.mod.size + (v.zip?.size ?? 0);
      return total;
    },
  };
}
