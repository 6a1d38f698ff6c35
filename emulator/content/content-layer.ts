// The content layer: what services read about a repository's packages, versions and tags goes through a
// RepositoryContent chosen by the repository's mode. STANDARD reads the repository's own shard through
// ContentIndex; REMOTE reads its cache, kept in its own shard the same way; VIRTUAL reads its own (empty)
// shard: its formats resolve reads through its members (content/virtual.ts). One ContentLayer per format instance: no module-level state (STYLE F.9).
import type { RepositoryRecord } from '../core/repository.js';
import type { MetaShard } from '../storage/meta-store.js';
import { ContentIndex, type ContentSchema } from './content-index.js';

/** A change to a tag, as a policy sees it before it is committed (under the shard lock). */
export interface TagChange {
  repository: RepositoryRecord;
  pkg: string;
  tag: string;
  /** the version the tag points at now (absent for a new tag) */
  from?: string;
  /** the version it will point at (absent when the tag is deleted) */
  to?: string;
}

/**
 * Where immutability and cleanup hook in: called under the shard lock before a tag moves or goes, or a
 * version goes; throwing refuses the change. The default allows everything.
 */
export interface ContentPolicy {
  checkTagChange?(change: TagChange): void;
  checkVersionDelete?(change: { repository: RepositoryRecord; pkg: string; version: string; tags: readonly string[] }): void;
}

/** The read side of a repository's content, whatever its mode. */
export interface RepositoryContent {
  readonly mode: RepositoryRecord['mode'];
  readonly policy: ContentPolicy;
  /** Version ids of a package, in the order they were first stored. */
  versionsOf(pkg: string): string[];
  /** Version records of a package, in the order they were first stored. Do not mutate them. */
  versionRecords<T>(pkg: string): T[];
  hasVersion(pkg: string, version: string): boolean;
  /** Tag ids of a package in code-unit order. */
  tagsOf(pkg: string): string[];
  /** The version a tag points at. */
  tagTarget(pkg: string, tag: string): string | undefined;
  /** Tags pointing at a version, in code-unit order. */
  tagsOfVersion(pkg: string, version: string): string[];
}

/**
 * STANDARD: the repository's own shard. REMOTE: the same reads over the repository's cache, which is kept in its
 * own shard too (the format's remote service fills it from the upstream before reading: emulator/remote/).
 * VIRTUAL: its own shard, always empty (docs/virtual.md: listings of a virtual repository are empty).
 */
class LocalContent implements RepositoryContent {
  constructor(
    private readonly index: ContentIndex,
    readonly policy: ContentPolicy,
    readonly mode: RepositoryRecord['mode'] = 'STANDARD_REPOSITORY',
  ) {}

  versionsOf(pkg: string): string[] {
    return this.index.versionsOf(pkg);
  }

  versionRecords<T>(pkg: string): T[] {
    return this.index.versionRecords<T>(pkg);
  }

  hasVersion(pkg: string, version: string): boolean {
    return this.index.hasVersion(pkg, version);
  }

  tagsOf(pkg: string): string[] {
    return this.index.tagsOfPackage(pkg);
  }

  tagTarget(pkg: string, tag: string): string | undefined {
    return this.index.tagTarget(pkg, tag);
  }

  tagsOfVersion(pkg: string, version: string): string[] {
    return this.index.tagsOfVersion(pkg, version);
  }
}

export class ContentLayer {
  /** one index per shard object: a repository deleted and created again gets a new shard, hence a new index */
  private readonly indexes = new WeakMap<MetaShard, ContentIndex>();

  constructor(
    private readonly schema: ContentSchema,
    private readonly policy: ContentPolicy = {},
  ) {}

  /** The content of the repository kept in `shard`, for its mode. */
  open(shard: MetaShard, record: RepositoryRecord): RepositoryContent {
    if (record.mode === 'REMOTE_REPOSITORY') return new LocalContent(this.indexOf(shard), this.policy, 'REMOTE_REPOSITORY');
    // VIRTUAL: its own shard, which holds nothing (a virtual repository stores no content of its own), so the
    // control plane lists nothing for it; its formats' read paths resolve through its members (content/virtual.ts).
    if (record.mode === 'VIRTUAL_REPOSITORY') return new LocalContent(this.indexOf(shard), this.policy, 'VIRTUAL_REPOSITORY');
    return new LocalContent(this.indexOf(shard), this.policy);
  }

  /** The index of a shard (built on first use); exposed for the O(result) regression tests. */
  indexOf(shard: MetaShard): ContentIndex {
    let index = this.indexes.get(shard);
    if (!index) this.indexes.set(shard, (index = new ContentIndex(shard, this.schema)));
    return index;
  }
}
