// The APT format's tables in a repository shard. One record per .deb (`apt.files`, keyed by its file name
// `NAME_VERSION_ARCH.deb`) holding its blob and its pre-rendered Packages stanza (bounded: the control file is at
// most 64 KiB); packages by name; `apt.index` holds one generation per (component, architecture) Packages index and
// one for the Release file, each bumped in the same transaction as the change that affects it, plus the indexes
// and the signed Release built for them (and each index's previous build, served by hash). A change bumps only the
// indexes it touches; the components and architectures a repository lists are those that ever had a generation.
import { EmulatorError } from '../../core/errors.js';
import { repositoryName, type RepositoryRef } from '../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../core/repository.js';
import type { MetaShard, MetaStore, ShardTx } from '../../storage/meta-store.js';

export const T = { packages: 'apt.packages', files: 'apt.files', index: 'apt.index' } as const;
/** The architectures every repository lists, besides those its packages bring [U: what the real service lists]. */
export const DEFAULT_ARCHITECTURES = ['amd64', 'arm64'] as const;
export const DEFAULT_COMPONENT = 'main';
const RELEASE_GEN = 'release:generation';
const RELEASE_BUILT = 'release:built';

export interface PackageRecord { createTime: string; updateTime: string }

export interface FileRecord {
  package: string;
  version: string;
  architecture: string;
  component: string;
  /** relative to the archive root `/projects/PROJECT/`: `pool/REPO/h/hello/hello_1.0_amd64.deb` [U] */
  filename: string;
  digest: string;
  size: number;
  sha256: string;
  md5: string;
  /** the Packages stanza, ending in a newline (the control fields, then Filename, Size, hashes) */
  stanza: string;
  createTime: string;
}

export interface GenerationRecord { generation: number }

export interface IndexFile { name: 'Packages' | 'Packages.gz' | 'Packages.xz'; digest: string; size: number; md5: string; sha256: string }

/** One (component, architecture) Packages index in its three encodings, for one generation. */
export interface BuiltIndex { generation: number; files: IndexFile[] }

export interface BuiltRelease { generation: number; release: string; inRelease?: string; releaseGpg?: string }

export interface AptTarget { ref: RepositoryRef; repository: string; shard: MetaShard; record: RepositoryRecord }

/** `main/binary-amd64` */
export const indexKey = (component: string, arch: string) => `${component}/binary-${arch}`;

export class AptStore {
  constructor(private readonly meta: MetaStore) {}

  /** The APT repository `ref` names (any mode). */
  target(ref: RepositoryRef): AptTarget {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record) throw new EmulatorError('NOT_FOUND', `Repository "${repositoryName(ref)}" was not found.`);
    if (record.format !== 'APT') {
      throw new EmulatorError('FAILED_PRECONDITION', `Repository "${repositoryName(ref)}" is a ${record.format} repository; Debian packages can only be uploaded to APT repositories.`);
    }
    return { ref, repository: repositoryName(ref), shard, record };
  }

  /** … and one that takes uploads: a standard repository. */
  writable(ref: RepositoryRef): AptTarget {
    const t = this.target(ref);
    if (t.record.mode && t.record.mode !== 'STANDARD_REPOSITORY') {
      throw new EmulatorError('FAILED_PRECONDITION', `Repository "${t.repository}" is a ${t.record.mode}; artifacts can only be uploaded to standard repositories.`);
    }
    return t;
  }

  all(): MetaShard[] {
    return this.meta.list(['repos']).filter((s) => s.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY)?.format === 'APT');
  }

  files(t: AptTarget): FileRecord[] {
    return [...t.shard.entries<FileRecord>(T.files)].map(([, f]) => f);
  }

  /**
   * The repository's components and (concrete) architectures: the defaults and those packages ever brought, read
   * from the index generations (a few records, never the files), so a request costs nothing per package.
   */
  layout(t: AptTarget): { components: string[]; architectures: string[] } {
    const components = new Set<string>([DEFAULT_COMPONENT]);
    const architectures = new Set<string>(DEFAULT_ARCHITECTURES);
    for (const [key] of t.shard.entries<GenerationRecord>(T.index)) {
      const m = /^gen:([^/]+)\/binary-(.+)$/.exec(key);
      if (!m) continue;
      components.add(m[1]!);
      if (m[2] !== 'all') architectures.add(m[2]!);
    }
    return { components: [...components].sort(), architectures: [...architectures].sort() };
  }

  generation(t: AptTarget, key: string): number {
    return t.shard.get<GenerationRecord>(T.index, `gen:${key}`)?.generation ?? 0;
  }

  releaseGeneration(t: AptTarget): number {
    return t.shard.get<GenerationRecord>(T.index, RELEASE_GEN)?.generation ?? 0;
  }

  /** Records the file (and its package), bumping the indexes it appears in; ALREADY_EXISTS when its name is taken. */
  async addFile(t: AptTarget, key: string, file: FileRecord): Promise<void> {
    const arches = this.layout(t).architectures;
    await t.shard.transact((tx) => {
      if (tx.get(T.files, key)) throw alreadyExists(t, key);
      const p = tx.get<PackageRecord>(T.packages, file.package);
      tx.put(T.packages, file.package, { createTime: p?.createTime ?? file.createTime, updateTime: file.createTime } satisfies PackageRecord);
      tx.put(T.files, key, file);
      bumpFor(tx, file, arches);
    });
  }

  /** Deletes the files of a package (`version` absent: all of them); NOT_FOUND when nothing matched. */
  async deleteFiles(t: AptTarget, pkg: string, version?: string): Promise<FileRecord[]> {
    const arches = this.layout(t).architectures;
    return t.shard.transact((tx) => {
      const gone: FileRecord[] = [];
      let left = 0;
      for (const [key, f] of t.shard.entries<FileRecord>(T.files)) {
        if (f.package !== pkg || !tx.get(T.files, key)) continue;
        if (version === undefined || f.version === version) {
          tx.delete(T.files, key);
          bumpFor(tx, f, arches);
          gone.push(f);
        } else left++;
      }
      if (!gone.length) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      if (!left) tx.delete(T.packages, pkg);
      return gone;
    });
  }

  builtIndex(t: AptTarget, key: string): BuiltIndex | undefined {
    return t.shard.get<BuiltIndex>(T.index, `built:${key}`);
  }

  async saveIndex(t: AptTarget, key: string, b: BuiltIndex): Promise<BuiltIndex> {
    return t.shard.transact((tx) => {
      const current = tx.get<BuiltIndex>(T.index, `built:${key}`);
      if (current && current.generation >= b.generation) return current;
      // the index it replaces stays reachable by hash (a client that read the older Release fetches it next)
      if (current) tx.put(T.index, `previous:${key}`, current);
      tx.put(T.index, `built:${key}`, b);
      return b;
    });
  }

  /** The index file of the current or the previous build of `key` whose SHA256 is `sha256` (by-hash fetches). */
  indexByHash(t: AptTarget, key: string, sha256: string): IndexFile | undefined {
    for (const k of [`built:${key}`, `previous:${key}`]) {
      const f = t.shard.get<BuiltIndex>(T.index, k)?.files.find((x) => x.sha256 === sha256);
      if (f) return f;
    }
    return undefined;
  }

  builtRelease(t: AptTarget): BuiltRelease | undefined {
    return t.shard.get<BuiltRelease>(T.index, RELEASE_BUILT);
  }

  async saveRelease(t: AptTarget, b: BuiltRelease): Promise<BuiltRelease> {
    return t.shard.transact((tx) => {
      const current = tx.get<BuiltRelease>(T.index, RELEASE_BUILT);
      if (current && current.generation >= b.generation) return current;
      tx.put(T.index, RELEASE_BUILT, b);
      return b;
    });
  }
}

export function alreadyExists(t: AptTarget, key: string): EmulatorError {
  // gcloud's --skip-existing looks for "already exists" in the message (spec §1.6)
  return new EmulatorError('ALREADY_EXISTS', `Package ${key} already exists in ${t.repository}.`);
}

/** The indexes a file appears in: its architecture's, or (Architecture: all) binary-all and every architecture's. */
export function indexesOf(f: Pick<FileRecord, 'component' | 'architecture'>, arches: readonly string[]): string[] {
  if (f.architecture !== 'all') return [indexKey(f.component, f.architecture)];
  return [indexKey(f.component, 'all'), ...arches.map((a) => indexKey(f.component, a))];
}

function bumpFor(tx: ShardTx, f: FileRecord, arches: readonly string[]): void {
  for (const key of [...indexesOf(f, arches), 'release']) {
    const k = key === 'release' ? RELEASE_GEN : `gen:${key}`;
    const g = tx.get<GenerationRecord>(T.index, k)?.generation ?? 0;
    tx.put(T.index, k, { generation: g + 1 } satisfies GenerationRecord);
  }
}
