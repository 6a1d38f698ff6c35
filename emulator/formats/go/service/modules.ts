// Go format semantics over a repository shard: resolving the repository, the module and version tables (a version
// is never replaced: ALREADY_EXISTS), the versions of a module in semver order, and deletes (the control plane's
// inventory and the GOPROXY reads see the same tables). The zip and the go.mod are blobs; records hold digests.
import { EmulatorError } from '../../../core/errors.js';
import { clip, repositoryName, type RepositoryRef } from '../../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../../core/repository.js';
import type { MetaShard, MetaStore, ShardTx } from '../../../storage/meta-store.js';
import { compareVersions } from '../names.js';

export const T = { modules: 'go.modules', versions: 'go.versions', upstream: 'go.upstream' } as const;

export interface BlobRef {
  /** content address, `sha256:<hex>` */
  digest: string;
  size: number;
  sha256: string;
  md5?: string;
}

export interface ModuleRecord {
  createTime: string;
  updateTime: string;
}

export interface VersionRecord {
  module: string;
  version: string;
  /** the `.info` Time: the upload's time, or the upstream's for a cached version */
  time: string;
  createTime: string;
  updateTime: string;
  mod: BlobRef;
  /** absent on a remote repository until the zip was fetched */
  zip?: BlobRef;
  /** remote repositories: when it was fetched from the upstream */
  fetchTime?: string;
}

/** A remote repository's cached `@v/list` (a blob) and `@latest` of one module, each with its fetch time. */
export interface UpstreamRecord {
  list?: { digest: string; size: number; fetchTime: string };
  /** `{"Version","Time"}` as the upstream answered it (bounded: parsed and rebuilt) */
  latest?: { version: string; time?: string; fetchTime: string };
  /** the upstream said the module does not exist (404/410), at this time */
  missingTime?: string;
}

export interface GoTarget {
  ref: RepositoryRef;
  /** full resource name */
  repository: string;
  shard: MetaShard;
  record: RepositoryRecord;
}

export const versionKey = (module: string, version: string) => `${module}@${version}`;

export const versionExists = (t: GoTarget, module: string, version: string) =>
  new EmulatorError('ALREADY_EXISTS', `Go module ${clip(module)}@${clip(version)} already exists in ${t.repository}.`);

export class GoModules {
  /** shard → module → its version keys, built on first use and kept current by the shard's commits (no table scan per read) */
  private readonly indexes = new WeakMap<MetaShard, Map<string, Set<string>>>();

  constructor(private readonly meta: MetaStore) {}

  private indexOf(shard: MetaShard): Map<string, Set<string>> {
    const known = this.indexes.get(shard);
    if (known) return known;
    const index = new Map<string, Set<string>>();
    const add = (key: string) => {
      const module = key.slice(0, key.indexOf('@'));
      let keys = index.get(module);
      if (!keys) index.set(module, (keys = new Set()));
      keys.add(key);
    };
    for (const [key] of shard.entries<VersionRecord>(T.versions)) add(key);
    shard.onCommit((ops) => {
      for (const op of ops) {
        if (op[1] !== T.versions) continue;
        if (op[0] === 'p') add(op[2]);
        else {
          const module = op[2].slice(0, op[2].indexOf('@'));
          index.get(module)?.delete(op[2]);
          if (index.get(module)?.size === 0) index.delete(module);
        }
      }
    });
    this.indexes.set(shard, index);
    return index;
  }

  /** The GO repository `ref` names (dispatch checked it exists and is one); REPOSITORY_NOT_FOUND otherwise. */
  target(ref: RepositoryRef): GoTarget {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record || record.format !== 'GO') throw new EmulatorError('REPOSITORY_NOT_FOUND', `Repository "${ref.repository}" not found`);
    return { ref, repository: repositoryName(ref), shard, record };
  }

  /** The repository an upload goes to: a standard GO repository (FAILED_PRECONDITION otherwise). */
  uploadTarget(ref: RepositoryRef): GoTarget {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record) throw new EmulatorError('NOT_FOUND', `Repository "${repositoryName(ref)}" was not found.`);
    if (record.format !== 'GO') throw new EmulatorError('FAILED_PRECONDITION', `Repository "${repositoryName(ref)}" is a ${record.format} repository; Go modules can only be uploaded to GO repositories.`);
    if (record.mode && record.mode !== 'STANDARD_REPOSITORY') throw new EmulatorError('FAILED_PRECONDITION', `Repository "${repositoryName(ref)}" is a ${record.mode}; Go modules can only be uploaded to standard repositories.`);
    return { ref, repository: repositoryName(ref), shard, record };
  }

  ofMember(m: { ref: RepositoryRef; repository: string; shard: MetaShard; record: RepositoryRecord }): GoTarget {
    return { ref: m.ref, repository: m.repository, shard: m.shard, record: m.record };
  }

  /** Every GO repository shard (garbage collection). */
  all(): MetaShard[] {
    return this.meta.list(['repos']).filter((s) => s.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY)?.format === 'GO');
  }

  module(t: GoTarget, module: string): ModuleRecord | undefined {
    return t.shard.get<ModuleRecord>(T.modules, module);
  }

  modules(t: GoTarget): Array<[string, ModuleRecord]> {
    return [...t.shard.entries<ModuleRecord>(T.modules)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  version(t: GoTarget, module: string, version: string): VersionRecord | undefined {
    return t.shard.get<VersionRecord>(T.versions, versionKey(module, version));
  }

  /** The versions of `module`, in semver order. */
  versions(t: GoTarget, module: string): VersionRecord[] {
    const out: VersionRecord[] = [];
    for (const key of this.indexOf(t.shard).get(module) ?? []) {
      const v = t.shard.get<VersionRecord>(T.versions, key);
      if (v) out.push(v);
    }
    return out.sort((a, b) => compareVersions(a.version, b.version));
  }

  upstream(t: GoTarget, module: string): UpstreamRecord | undefined {
    return t.shard.get<UpstreamRecord>(T.upstream, module);
  }

  /** Records an uploaded version; ALREADY_EXISTS when it is taken. */
  async addVersion(t: GoTarget, v: VersionRecord): Promise<void> {
    await t.shard.transact((tx) => {
      if (tx.get(T.versions, versionKey(v.module, v.version))) throw versionExists(t, v.module, v.version);
      putVersion(tx, v);
    });
  }

  /** Records (or completes) a version fetched from the upstream: a stored zip is never replaced. */
  async cacheVersion(t: GoTarget, v: VersionRecord): Promise<VersionRecord> {
    return t.shard.transact((tx) => {
      const had = tx.get<VersionRecord>(T.versions, versionKey(v.module, v.version));
      const next: VersionRecord = had ? { ...had, ...(had.zip ? {} : v.zip ? { zip: v.zip, updateTime: v.updateTime } : {}) } : v;
      putVersion(tx, next);
      return next;
    });
  }

  async setUpstream(t: GoTarget, module: string, rec: UpstreamRecord): Promise<void> {
    await t.shard.transact((tx) => tx.put(T.upstream, module, rec));
  }

  async deleteVersion(t: GoTarget, module: string, version: string, now: string): Promise<void> {
    await t.shard.transact((tx) => {
      if (!tx.get(T.versions, versionKey(module, version))) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      tx.delete(T.versions, versionKey(module, version));
      const left = this.versions(t, module).some((v) => v.version !== version);
      if (left) {
        const m = tx.get<ModuleRecord>(T.modules, module);
        if (m) tx.put(T.modules, module, { ...m, updateTime: now });
      } else {
        tx.delete(T.modules, module);
      }
    });
  }

  async deleteModule(t: GoTarget, module: string): Promise<void> {
    await t.shard.transact((tx) => {
      if (!tx.get(T.modules, module)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      for (const v of this.versions(t, module)) tx.delete(T.versions, versionKey(module, v.version));
      tx.delete(T.modules, module);
      tx.delete(T.upstream, module);
    });
  }
}

function putVersion(tx: ShardTx, v: VersionRecord): void {
  const m = tx.get<ModuleRecord>(T.modules, v.module);
  tx.put(T.modules, v.module, { createTime: m?.createTime ?? v.createTime, updateTime: v.updateTime } satisfies ModuleRecord);
  tx.put(T.versions, versionKey(v.module, v.version), v);
}
