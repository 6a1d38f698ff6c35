// The YUM format's tables in a repository shard. One record per .rpm (`yum.files`, keyed by its file name
// `NAME-VERSION-RELEASE.ARCH.rpm`) holding the blob of the file and the blobs of its three pre-rendered repodata
// fragments; packages by rpm name; `yum.index` holds the generation (bumped by every change, in the same
// transaction) and the repodata built for the latest generations. Records stay small: file lists and changelogs
// live in the fragment blobs, never in metadata.
import { EmulatorError } from '../../core/errors.js';
import { repositoryName, type RepositoryRef } from '../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../core/repository.js';
import type { MetaShard, MetaStore, ShardTx } from '../../storage/meta-store.js';
import type { RepodataType, RepomdEntry } from './xml.js';

export const T = { packages: 'yum.packages', files: 'yum.files', index: 'yum.index' } as const;
export const GENERATION_KEY = 'generation';
export const BUILT_KEYS = ['current', 'previous'] as const;

export interface PackageRecord { createTime: string; updateTime: string }

export interface FileRecord {
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  /** `[EPOCH:]VERSION-RELEASE` */
  versionId: string;
  packageType: 'BINARY' | 'SOURCE';
  /** relative to the repository's base URL: `Packages/h/hello-1.0-1.noarch.rpm` */
  href: string;
  /** the .rpm's content address */
  digest: string;
  size: number;
  sha256: string;
  md5: string;
  /** content addresses of the package's primary, filelists and other XML fragments */
  fragments: Record<RepodataType, string>;
  createTime: string;
}

export interface GenerationRecord { generation: number }

/** The repodata of one generation: its compressed files (blobs) and the signed repomd.xml. */
export interface BuiltRepodata {
  generation: number;
  files: Array<RepomdEntry & { digest: string }>;
  repomd: string;
  /** armored detached signature of `repomd` (absent without a signer) */
  asc?: string;
}

export interface YumTarget { ref: RepositoryRef; repository: string; shard: MetaShard; record: RepositoryRecord }

export class YumStore {
  constructor(private readonly meta: MetaStore) {}

  /** The YUM repository `ref` names (any mode: reads of a repository without uploads see an empty index). */
  target(ref: RepositoryRef): YumTarget {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record) throw new EmulatorError('NOT_FOUND', `Repository "${repositoryName(ref)}" was not found.`);
    if (record.format !== 'YUM') {
      throw new EmulatorError('FAILED_PRECONDITION', `Repository "${repositoryName(ref)}" is a ${record.format} repository; rpm packages can only be uploaded to YUM repositories.`);
    }
    return { ref, repository: repositoryName(ref), shard, record };
  }

  /** … and one that takes uploads: a standard repository. */
  writable(ref: RepositoryRef): YumTarget {
    const t = this.target(ref);
    if (t.record.mode && t.record.mode !== 'STANDARD_REPOSITORY') {
      throw new EmulatorError('FAILED_PRECONDITION', `Repository "${t.repository}" is a ${t.record.mode}; artifacts can only be uploaded to standard repositories.`);
    }
    return t;
  }

  all(): MetaShard[] {
    return this.meta.list(['repos']).filter((s) => s.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY)?.format === 'YUM');
  }

  generation(t: YumTarget): number {
    return t.shard.get<GenerationRecord>(T.index, GENERATION_KEY)?.generation ?? 0;
  }

  /** Records the file (and its package), bumping the generation; ALREADY_EXISTS when its file name is taken. */
  async addFile(t: YumTarget, file: FileRecord): Promise<void> {
    await t.shard.transact((tx) => {
      const key = fileKey(file);
      if (tx.get(T.files, key)) throw alreadyExists(t, file);
      const p = tx.get<PackageRecord>(T.packages, file.name);
      tx.put(T.packages, file.name, { createTime: p?.createTime ?? file.createTime, updateTime: file.createTime } satisfies PackageRecord);
      tx.put(T.files, key, file);
      bump(tx);
    });
  }

  /** Deletes the files of a package (`version` absent: all of them); NOT_FOUND when nothing matched. */
  async deleteFiles(t: YumTarget, pkg: string, version?: string): Promise<FileRecord[]> {
    return t.shard.transact((tx) => {
      const gone: FileRecord[] = [];
      let left = 0;
      for (const [key, f] of t.shard.entries<FileRecord>(T.files)) {
        if (f.name !== pkg || !tx.get(T.files, key)) continue;
        if (version === undefined || f.versionId === version) {
          tx.delete(T.files, key);
          gone.push(f);
        } else left++;
      }
      if (!gone.length) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      if (!left) tx.delete(T.packages, pkg);
      bump(tx);
      return gone;
    });
  }

  files(t: YumTarget): FileRecord[] {
    return [...t.shard.entries<FileRecord>(T.files)].map(([, f]) => f);
  }

  built(t: YumTarget): BuiltRepodata[] {
    return BUILT_KEYS.map((k) => t.shard.get<BuiltRepodata>(T.index, k)).filter((b): b is BuiltRepodata => !!b);
  }

  /**
   * Keeps `b` as the current repodata (the one it replaces stays as the previous: a client between fetches) and
   * answers the current one: `b`, or a newer build that was saved first.
   */
  async saveBuilt(t: YumTarget, b: BuiltRepodata): Promise<BuiltRepodata> {
    return t.shard.transact((tx) => {
      const current = tx.get<BuiltRepodata>(T.index, 'current');
      if (current && current.generation >= b.generation) return current;
      if (current) tx.put(T.index, 'previous', current);
      tx.put(T.index, 'current', b);
      return b;
    });
  }
}

export const fileKey = (f: Pick<FileRecord, 'name' | 'version' | 'release' | 'arch'>) => `${f.name}-${f.version}-${f.release}.${f.arch}.rpm`;

export function alreadyExists(t: YumTarget, f: Pick<FileRecord, 'name' | 'version' | 'release' | 'arch'>): EmulatorError {
  // gcloud's --skip-existing looks for "already exists" in the message (spec §1.6)
  return new EmulatorError('ALREADY_EXISTS', `Package ${fileKey(f)} already exists in ${t.repository}.`);
}

function bump(tx: ShardTx): void {
  const g = tx.get<GenerationRecord>(T.index, GENERATION_KEY)?.generation ?? 0;
  tx.put(T.index, GENERATION_KEY, { generation: g + 1 } satisfies GenerationRecord);
}
