// Python format semantics over a repository shard: resolving the repository, adding a file (a file name is
// never replaced), reading a project's files through the content index, and deleting files, versions and
// projects (the control plane's inventory and the simple index see the same tables).
import { ContentLayer, type RepositoryContent } from '../../../content/content-layer.js';
import { EmulatorError } from '../../../core/errors.js';
import { repositoryName, type RepositoryRef } from '../../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../../core/repository.js';
import type { MetaShard, MetaStore, ShardTx } from '../../../storage/meta-store.js';
import { PYTHON_CONTENT, T, versionKey, type FileRecord, type ProjectRecord, type VersionRecord } from './tables.js';

export interface PythonTarget {
  ref: RepositoryRef;
  /** full resource name */
  repository: string;
  shard: MetaShard;
  record: RepositoryRecord;
  content: RepositoryContent;
}

/** PyPI's words for a file name that was taken (warehouse forklift/legacy.py; twine --skip-existing matches "already exist"). */
export function fileExists(file: FileRecord): EmulatorError {
  return new EmulatorError(
    'ALREADY_EXISTS',
    `File already exists ('${file.filename}', with blake2_256 hash '${file.blake2_256}'). See https://pypi.org/help/#file-name-reuse for more information.`,
  );
}

export class PythonPackages {
  readonly content = new ContentLayer(PYTHON_CONTENT);

  constructor(private readonly meta: MetaStore) {}

  /** The PYTHON repository `ref` names (dispatch checked that it exists and is one); NOT_FOUND otherwise. */
  target(ref: RepositoryRef): PythonTarget {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record || record.format !== 'PYTHON') throw new EmulatorError('REPOSITORY_NOT_FOUND', `Repository "${ref.repository}" not found`);
    return { ref, repository: repositoryName(ref), shard, record, content: this.content.open(shard, record) };
  }

  /** A virtual repository's member (content/virtual.ts membersOf resolved it) as a target. */
  ofMember(m: { ref: RepositoryRef; repository: string; shard: MetaShard; record: RepositoryRecord }): PythonTarget {
    return { ref: m.ref, repository: m.repository, shard: m.shard, record: m.record, content: this.content.open(m.shard, m.record) };
  }

  /** Every PYTHON repository shard (garbage collection, warm-up). */
  all(): Array<{ shard: MetaShard; record: RepositoryRecord }> {
    return this.meta
      .list(['repos'])
      .map((shard) => ({ shard, record: shard.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY) }))
      .filter((x): x is { shard: MetaShard; record: RepositoryRecord } => x.record?.format === 'PYTHON');
  }

  async warmIndexes(): Promise<void> {
    for (const { shard, record } of this.all()) {
      if (record.mode === 'STANDARD_REPOSITORY') this.content.indexOf(shard);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  file(t: PythonTarget, filename: string): FileRecord | undefined {
    return t.shard.get<FileRecord>(T.files, filename);
  }

  project(t: PythonTarget, project: string): ProjectRecord | undefined {
    return t.shard.get<ProjectRecord>(T.projects, project);
  }

  /** Projects by normalized name, in name order. */
  projects(t: PythonTarget): Array<[string, ProjectRecord]> {
    return [...t.shard.entries<ProjectRecord>(T.projects)].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  versions(t: PythonTarget, project: string): VersionRecord[] {
    return t.content.versionRecords<VersionRecord>(project);
  }

  /** A project's files, version by version in upload order: O(files of the project). */
  filesOf(t: PythonTarget, project: string): FileRecord[] {
    const out: FileRecord[] = [];
    for (const v of this.versions(t, project)) {
      for (const name of v.files) {
        const f = this.file(t, name);
        if (f) out.push(f);
      }
    }
    return out;
  }

  /** Records a new file (and its project and version); ALREADY_EXISTS when the file name is taken. */
  async addFile(t: PythonTarget, file: FileRecord, displayName: string, summary: string | undefined): Promise<void> {
    await t.shard.transact((tx) => {
      const taken = tx.get<FileRecord>(T.files, file.filename);
      if (taken) throw fileExists(taken);
      const now = file.uploadTime;
      const project = tx.get<ProjectRecord>(T.projects, file.project);
      tx.put(T.projects, file.project, { name: project?.name ?? displayName, createTime: project?.createTime ?? now, updateTime: now } satisfies ProjectRecord);
      const key = versionKey(file.project, file.version);
      const version = tx.get<VersionRecord>(T.versions, key);
      tx.put(T.versions, key, {
        project: file.project,
        version: file.version,
        files: [...(version?.files ?? []), file.filename],
        ...((summary ?? version?.summary) !== undefined ? { summary: summary ?? version?.summary } : {}),
        createTime: version?.createTime ?? now,
        updateTime: now,
      } satisfies VersionRecord);
      tx.put(T.files, file.filename, file);
    });
  }

  /** Deletes one file; its version goes with its last file, its project with its last version. */
  async deleteFile(t: PythonTarget, filename: string, now: string): Promise<FileRecord> {
    return t.shard.transact((tx) => {
      const file = tx.get<FileRecord>(T.files, filename);
      if (!file) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      if (removeFile(tx, file, now)) dropProjectIfEmpty(tx, t, file.project, file.version);
      return file;
    });
  }

  async deleteVersion(t: PythonTarget, project: string, version: string, now: string): Promise<FileRecord[]> {
    return t.shard.transact((tx) => {
      const v = tx.get<VersionRecord>(T.versions, versionKey(project, version));
      if (!v) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      const files = v.files.flatMap((f) => tx.get<FileRecord>(T.files, f) ?? []);
      for (const f of files) removeFile(tx, f, now);
      tx.delete(T.versions, versionKey(project, version));
      dropProjectIfEmpty(tx, t, project, version);
      return files;
    });
  }

  async deleteProject(t: PythonTarget, project: string): Promise<void> {
    await t.shard.transact((tx) => {
      if (!tx.get(T.projects, project)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      for (const v of t.content.versionRecords<VersionRecord>(project)) {
        for (const f of v.files) tx.delete(T.files, f);
        tx.delete(T.versions, versionKey(project, v.version));
      }
      tx.delete(T.projects, project);
    });
  }
}

/** Removes a file from its version; true when that was the version's last file (the version is gone too). */
function removeFile(tx: ShardTx, file: FileRecord, now: string): boolean {
  tx.delete(T.files, file.filename);
  const key = versionKey(file.project, file.version);
  const v = tx.get<VersionRecord>(T.versions, key);
  if (!v) return false;
  const files = v.files.filter((f) => f !== file.filename);
  if (files.length) tx.put(T.versions, key, { ...v, files, updateTime: now });
  else tx.delete(T.versions, key);
  return files.length === 0;
}

/** Deletes the project record when no version other than `gone` (deleted in this transaction) is left. */
function dropProjectIfEmpty(tx: ShardTx, t: PythonTarget, project: string, gone: string): void {
  const left = t.content.versionsOf(project).filter((v) => v !== gone && tx.get(T.versions, versionKey(project, v)) !== undefined);
  if (left.length === 0) tx.delete(T.projects, project);
}
