// In-memory indexes over one repository shard: package → versions, package → tags (sorted), tag → version
// and version → tags. Derived from the shard (built on first use) and kept exact by its commit hook, so
// that listing costs O(result) and no request scans a whole table. Knows tables only through a ContentSchema.
import type { MetaShard, ShardOp } from '../storage/meta-store.js';
import { SortedStrings } from './sorted-strings.js';

/** How a format's tables map onto packages, versions and tags (the format supplies it). */
export interface ContentSchema {
  /** table of versions; `parse` names the version a record key stands for */
  versions: { table: string; parse(key: string): { pkg: string; version: string } | undefined };
  /** table of tags; `parse` names the tag a record key stands for, `versionOf` the version a record points at */
  tags: { table: string; parse(key: string): { pkg: string; tag: string } | undefined; versionOf(value: unknown): string | undefined };
}

interface PackageIndex {
  /** version id → its record, in insertion order */
  versions: Map<string, unknown>;
  /** tag ids, sorted by code unit */
  tagIds: SortedStrings;
  /** tag → version */
  tagTarget: Map<string, string>;
  /** version → its tags, sorted */
  versionTags: Map<string, SortedStrings>;
}

export class ContentIndex {
  private readonly packages = new Map<string, PackageIndex>();
  /** index entries visited by reads since creation (the regression tests' O(result) probe) */
  visited = 0;

  constructor(
    shard: MetaShard,
    private readonly schema: ContentSchema,
  ) {
    for (const [key, value] of shard.entries(schema.versions.table)) this.putVersion(key, value);
    for (const [key, value] of shard.entries(schema.tags.table)) this.putTag(key, value);
    shard.onCommit((ops) => this.apply(ops));
  }

  /** Version ids of a package, in the order they were first stored. */
  versionsOf(pkg: string): string[] {
    const ids = [...(this.packages.get(pkg)?.versions.keys() ?? [])];
    this.visited += ids.length;
    return ids;
  }

  /** Version records of a package, in the order they were first stored. Do not mutate them. */
  versionRecords<T>(pkg: string): T[] {
    const records = [...(this.packages.get(pkg)?.versions.values() ?? [])] as T[];
    this.visited += records.length;
    return records;
  }

  hasVersion(pkg: string, version: string): boolean {
    this.visited++;
    return this.packages.get(pkg)?.versions.has(version) ?? false;
  }

  /** Tag ids of a package in code-unit order. */
  tagsOfPackage(pkg: string): string[] {
    const ids = this.packages.get(pkg)?.tagIds.values() ?? [];
    this.visited += ids.length;
    return ids;
  }

  /** The version a tag points at. */
  tagTarget(pkg: string, tag: string): string | undefined {
    this.visited++;
    return this.packages.get(pkg)?.tagTarget.get(tag);
  }

  /** Tags pointing at a version, in code-unit order. */
  tagsOfVersion(pkg: string, version: string): string[] {
    const ids = this.packages.get(pkg)?.versionTags.get(version)?.values() ?? [];
    this.visited += ids.length + 1;
    return ids;
  }

  private apply(ops: readonly ShardOp[]): void {
    for (const op of ops) {
      if (op[1] === this.schema.versions.table) {
        if (op[0] === 'p') this.putVersion(op[2], op[3]);
        else this.deleteVersion(op[2]);
      } else if (op[1] === this.schema.tags.table) {
        this.deleteTag(op[2]);
        if (op[0] === 'p') this.putTag(op[2], op[3]);
      }
    }
  }

  private pkg(id: string): PackageIndex {
    let p = this.packages.get(id);
    if (!p) this.packages.set(id, (p = { versions: new Map(), tagIds: new SortedStrings(), tagTarget: new Map(), versionTags: new Map() }));
    return p;
  }

  private putVersion(key: string, value: unknown): void {
    const v = this.schema.versions.parse(key);
    if (v) this.pkg(v.pkg).versions.set(v.version, value);
  }

  private deleteVersion(key: string): void {
    const v = this.schema.versions.parse(key);
    if (v) this.packages.get(v.pkg)?.versions.delete(v.version);
  }

  private putTag(key: string, value: unknown): void {
    const t = this.schema.tags.parse(key);
    const version = this.schema.tags.versionOf(value);
    if (!t || version === undefined) return;
    const p = this.pkg(t.pkg);
    p.tagIds.add(t.tag);
    p.tagTarget.set(t.tag, version);
    let tags = p.versionTags.get(version);
    if (!tags) p.versionTags.set(version, (tags = new SortedStrings()));
    tags.add(t.tag);
  }

  /** Removes whatever the tag record under `key` pointed at (the index, not the op, knows the old target). */
  private deleteTag(key: string): void {
    const t = this.schema.tags.parse(key);
    const p = t ? this.packages.get(t.pkg) : undefined;
    if (!t || !p) return;
    const old = p.tagTarget.get(t.tag);
    if (old === undefined) return;
    p.tagTarget.delete(t.tag);
    p.tagIds.delete(t.tag);
    const tags = p.versionTags.get(old);
    tags?.delete(t.tag);
    if (tags?.size === 0) p.versionTags.delete(old);
  }
}
