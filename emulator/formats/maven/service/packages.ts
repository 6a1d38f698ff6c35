// Maven format semantics over a repository shard: resolving the repository, recording a deployed (or fetched)
// file with its version and artifact, and deleting files, versions and artifacts (the control plane's inventory
// and the generated maven-metadata.xml see the same tables).
import { EmulatorError } from '../../../core/errors.js';
import { repositoryName, type RepositoryRef } from '../../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../../core/repository.js';
import type { MetaShard, MetaStore, ShardTx } from '../../../storage/meta-store.js';
import { checkOverwrite } from './policy.js';
import { packageKey, T, versionKey, type ArtifactRecord, type FileRecord, type VersionRecord } from './tables.js';

/** The most files one version may hold (its record lists their names and stays well under MetaStore's record cap). */
export const MAX_FILES_PER_VERSION = 2000;

export interface MavenTarget {
  ref: RepositoryRef;
  /** full resource name */
  repository: string;
  shard: MetaShard;
  record: RepositoryRecord;
}

export class MavenPackages {
  constructor(private readonly meta: MetaStore) {}

  /** The MAVEN repository `ref` names; REPOSITORY_NOT_FOUND otherwise. */
  target(ref: RepositoryRef): MavenTarget {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record || record.format !== 'MAVEN') throw new EmulatorError('REPOSITORY_NOT_FOUND', `Repository "${ref.repository}" not found`);
    return { ref, repository: repositoryName(ref), shard, record };
  }

  ofMember(m: { ref: RepositoryRef; repository: string; shard: MetaShard; record: RepositoryRecord }): MavenTarget {
    return { ref: m.ref, repository: m.repository, shard: m.shard, record: m.record };
  }

  /** Every MAVEN repository shard (garbage collection). */
  all(): Array<{ shard: MetaShard; record: RepositoryRecord }> {
    return this.meta
      .list(['repos'])
      .map((shard) => ({ shard, record: shard.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY) }))
      .filter((x): x is { shard: MetaShard; record: RepositoryRecord } => x.record?.format === 'MAVEN');
  }

  file(t: MavenTarget, path: string): FileRecord | undefined {
    return t.shard.get<FileRecord>(T.files, path);
  }

  artifacts(t: MavenTarget): Array<[string, ArtifactRecord]> {
    return [...t.shard.entries<ArtifactRecord>(T.artifacts)].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  artifact(t: MavenTarget, groupId: string, artifactId: string): ArtifactRecord | undefined {
    return t.shard.get<ArtifactRecord>(T.artifacts, packageKey(groupId, artifactId));
  }

  version(t: MavenTarget, groupId: string, artifactId: string, version: string): VersionRecord | undefined {
    return t.shard.get<VersionRecord>(T.versions, versionKey(groupId, artifactId, version));
  }

  /** The versions of `GROUP:ARTIFACT` in first-deploy order. */
  versions(t: MavenTarget, pkg: string): VersionRecord[] {
    const prefix = `${pkg}:`;
    const out: VersionRecord[] = [];
    for (const [key, v] of t.shard.entries<VersionRecord>(T.versions)) if (key.startsWith(prefix) && !key.slice(prefix.length).includes(':')) out.push(v);
    return out.sort((a, b) => (a.createTime < b.createTime ? -1 : a.createTime > b.createTime ? 1 : 0));
  }

  filesOf(t: MavenTarget, v: VersionRecord): FileRecord[] {
    const dir = `${v.groupId.replace(/\./g, '/')}/${v.artifactId}/${v.version}/`;
    return v.files.flatMap((f) => t.shard.get<FileRecord>(T.files, dir + f) ?? []);
  }

  /** Records a file; an existing one at the path is replaced only when `checkOverwrite` allows it (`replace: 'never'`: the first one wins). */
  async addFile(t: MavenTarget, file: FileRecord, replace: 'policy' | 'never' = 'policy'): Promise<FileRecord> {
    return t.shard.transact((tx) => {
      const taken = tx.get<FileRecord>(T.files, file.path);
      if (taken && replace === 'never') return taken;
      if (taken) checkOverwrite(t.record, file.version, file.path);
      const now = file.updateTime;
      const ak = packageKey(file.groupId, file.artifactId);
      const a = tx.get<ArtifactRecord>(T.artifacts, ak);
      tx.put(T.artifacts, ak, { groupId: file.groupId, artifactId: file.artifactId, createTime: a?.createTime ?? now, updateTime: now } satisfies ArtifactRecord);
      const vk = versionKey(file.groupId, file.artifactId, file.version);
      const v = tx.get<VersionRecord>(T.versions, vk);
      if (v && !v.files.includes(file.filename) && v.files.length >= MAX_FILES_PER_VERSION) {
        throw new EmulatorError('RESOURCE_EXHAUSTED', `Version ${file.groupId}:${file.artifactId}:${file.version} already holds ${MAX_FILES_PER_VERSION} files; delete old SNAPSHOT builds first.`);
      }
      const files = v?.files.includes(file.filename) ? v.files : [...(v?.files ?? []), file.filename];
      tx.put(T.versions, vk, { groupId: file.groupId, artifactId: file.artifactId, version: file.version, files, createTime: v?.createTime ?? now, updateTime: now } satisfies VersionRecord);
      const stored = taken ? { ...file, uploadTime: taken.uploadTime } : file;
      tx.put(T.files, file.path, stored);
      return stored;
    });
  }

  async deleteVersion(t: MavenTarget, pkg: string, version: string): Promise<FileRecord[]> {
    return t.shard.transact((tx) => {
      const v = tx.get<VersionRecord>(T.versions, `${pkg}:${version}`);
      if (!v) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      const files = dropVersion(tx, v);
      if (!this.versions(t, pkg).some((x) => x.version !== version)) tx.delete(T.artifacts, pkg);
      return files;
    });
  }

  async deletePackage(t: MavenTarget, pkg: string): Promise<void> {
    await t.shard.transact((tx) => {
      if (!tx.get(T.artifacts, pkg)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      for (const v of this.versions(t, pkg)) dropVersion(tx, v);
      tx.delete(T.artifacts, pkg);
    });
  }
}

function dropVersion(tx: ShardTx, v: VersionRecord): FileRecord[] {
  const dir = `${v.groupId.replace(/\./g, '/')}/${v.artifactId}/${v.version}/`;
  const out: FileRecord[] = [];
  for (const f of v.files) {
    const rec = tx.get<FileRecord>(T.files, dir + f);
    if (rec) out.push(rec);
    tx.delete(T.files, dir + f);
  }
  tx.delete(T.versions, versionKey(v.groupId, v.artifactId, v.version));
  return out;
}
