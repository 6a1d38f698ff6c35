// The GENERIC format's tables in a repository shard: packages by id, versions by `PACKAGE:VERSION` (each listing
// its file names) and files by `PACKAGE:VERSION:FILENAME` (their blob). A file is never replaced (ALREADY_EXISTS);
// a version goes with its last file, a package with its last version.
import { EmulatorError } from '../../core/errors.js';
import { repositoryName, type RepositoryRef } from '../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../core/repository.js';
import type { MetaShard, MetaStore, ShardTx } from '../../storage/meta-store.js';
import { fileId, type GenericIds } from './names.js';

export const T = { packages: 'generic.packages', versions: 'generic.versions', files: 'generic.files' } as const;

export interface PackageRecord { createTime: string; updateTime: string }
export interface VersionRecord { package: string; version: string; files: string[]; createTime: string; updateTime: string }
export interface FileRecord extends GenericIds {
  /** content address, `sha256:<hex>` */
  digest: string;
  size: number;
  sha256: string;
  md5: string;
  createTime: string;
}

export interface GenericTarget { ref: RepositoryRef; repository: string; shard: MetaShard; record: RepositoryRecord }

const notFound = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
export const versionKey = (pkg: string, version: string) => `${pkg}:${version}`;

export class GenericStore {
  constructor(private readonly meta: MetaStore) {}

  /** The repository `ref` names: NOT_FOUND when missing, FAILED_PRECONDITION when it is not a standard GENERIC one. */
  target(ref: RepositoryRef): GenericTarget {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record) throw new EmulatorError('NOT_FOUND', `Repository "${repositoryName(ref)}" was not found.`);
    if (record.format !== 'GENERIC') {
      throw new EmulatorError('FAILED_PRECONDITION', `Repository "${repositoryName(ref)}" is a ${record.format} repository; generic artifacts can only be uploaded to GENERIC repositories.`);
    }
    if (record.mode && record.mode !== 'STANDARD_REPOSITORY') {
      throw new EmulatorError('FAILED_PRECONDITION', `Repository "${repositoryName(ref)}" is a ${record.mode}; artifacts can only be uploaded to standard repositories.`);
    }
    return { ref, repository: repositoryName(ref), shard, record };
  }

  /** Every GENERIC repository shard (garbage collection). */
  all(): MetaShard[] {
    return this.meta.list(['repos']).filter((s) => s.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY)?.format === 'GENERIC');
  }

  /** Records the file (and its package and version); ALREADY_EXISTS when `PACKAGE:VERSION:FILENAME` is taken. */
  async addFile(t: GenericTarget, file: FileRecord): Promise<void> {
    await t.shard.transact((tx) => {
      const id = fileId(file);
      if (tx.get(T.files, id)) throw alreadyExists(t, id);
      const now = file.createTime;
      const p = tx.get<PackageRecord>(T.packages, file.packageId);
      tx.put(T.packages, file.packageId, { createTime: p?.createTime ?? now, updateTime: now } satisfies PackageRecord);
      const key = versionKey(file.packageId, file.versionId);
      const v = tx.get<VersionRecord>(T.versions, key);
      tx.put(T.versions, key, { package: file.packageId, version: file.versionId, files: [...(v?.files ?? []), id], createTime: v?.createTime ?? now, updateTime: now } satisfies VersionRecord);
      tx.put(T.files, id, file);
    });
  }

  async deleteFile(t: GenericTarget, id: string, now: string): Promise<FileRecord> {
    return t.shard.transact((tx) => {
      const f = tx.get<FileRecord>(T.files, id);
      if (!f) throw notFound();
      removeFile(tx, f, now);
      if (!tx.get(T.versions, versionKey(f.packageId, f.versionId))) dropPackageIfEmpty(tx, t, f.packageId, f.versionId);
      return f;
    });
  }

  async deleteVersion(t: GenericTarget, pkg: string, version: string, now: string): Promise<void> {
    await t.shard.transact((tx) => {
      const v = tx.get<VersionRecord>(T.versions, versionKey(pkg, version));
      if (!v) throw notFound();
      for (const id of v.files) {
        const f = tx.get<FileRecord>(T.files, id);
        if (f) removeFile(tx, f, now);
      }
      // removeFile dropped the version (and the package) with the last file; a version without files goes too
      tx.delete(T.versions, versionKey(pkg, version));
      dropPackageIfEmpty(tx, t, pkg, version);
    });
  }

  async deletePackage(t: GenericTarget, pkg: string): Promise<void> {
    await t.shard.transact((tx) => {
      if (!tx.get(T.packages, pkg)) throw notFound();
      for (const [key, v] of t.shard.entries<VersionRecord>(T.versions)) {
        if (v.package !== pkg) continue;
        for (const id of v.files) tx.delete(T.files, id);
        tx.delete(T.versions, key);
      }
      tx.delete(T.packages, pkg);
    });
  }
}

export function alreadyExists(t: GenericTarget, id: string): EmulatorError {
  // gcloud's --skip-existing looks for "already exists" in the message (spec §1.6)
  return new EmulatorError('ALREADY_EXISTS', `File ${t.repository}/files/${id} already exists.`);
}

function removeFile(tx: ShardTx, f: FileRecord, now: string): void {
  const id = fileId(f);
  tx.delete(T.files, id);
  const key = versionKey(f.packageId, f.versionId);
  const v = tx.get<VersionRecord>(T.versions, key);
  if (!v) return;
  const files = v.files.filter((x) => x !== id);
  if (files.length) tx.put(T.versions, key, { ...v, files, updateTime: now });
  else tx.delete(T.versions, key);
}

function dropPackageIfEmpty(tx: ShardTx, t: GenericTarget, pkg: string, deletedVersion: string): void {
  for (const [key, v] of t.shard.entries<VersionRecord>(T.versions)) {
    if (v.package === pkg && key !== versionKey(pkg, deletedVersion) && tx.get(T.versions, key)) return;
  }
  tx.delete(T.packages, pkg);
}
