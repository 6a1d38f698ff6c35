// npm semantics over the repository shard: publish (a version once published is immutable), metadata updates
// (deprecate, unpublish of a version), unpublish of a package, dist-tags. Writes run in one shard transaction;
// events are emitted after the commit. Knows nothing of HTTP.
import { Readable } from 'node:stream';
import type { Clock } from '../../../core/clock.js';
import { EmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { clip } from '../../../core/names.js';
import type { BlobIngest } from '../../../storage/ingest.js';
import type { ShardTx } from '../../../storage/meta-store.js';
import { checkDistTag, semverLib, sriOf, tarballFileName } from '../names.js';
import type { NpmMetadataUpdate, NpmPublish } from '../wire.js';
import { T, tagKey, versionKey, type DistTagRecord, type PackageRecord, type VersionRecord } from './tables.js';
import type { NpmTarget } from './target.js';

export interface PackageView {
  pkg: PackageRecord;
  versions: VersionRecord[];
  distTags: Record<string, string>;
}

/** npm's registry text for a republish (403), as npm prints it. */
export function republishMessage(version: string): string {
  return `You cannot publish over the previously published versions: ${version}.`;
}

export class NpmPackages {
  constructor(
    private readonly ingest: BlobIngest,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /** The package with its versions (publish order) and dist-tags, from the content index; NOT_FOUND if absent. */
  view(t: NpmTarget, name: string): PackageView {
    const pkg = t.shard.get<PackageRecord>(T.packages, name);
    if (!pkg) throw notFound(name);
    return { pkg, versions: t.content.versionRecords<VersionRecord>(name), distTags: this.distTags(t, name) };
  }

  distTags(t: NpmTarget, name: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const tag of t.content.tagsOf(name)) out[tag] = t.content.tagTarget(name, tag)!;
    return out;
  }

  version(t: NpmTarget, name: string, version: string): VersionRecord | undefined {
    return t.shard.get<VersionRecord>(T.versions, versionKey(name, version));
  }

  /** Stores the tarball (digests verified in the same pass) and links the version and its tags. */
  async publish(t: NpmTarget, p: NpmPublish, principal: string | undefined): Promise<VersionRecord> {
    if (t.content.hasVersion(p.name, p.version)) throw new EmulatorError('ALREADY_EXISTS', republishMessage(p.version));
    const bytes = Buffer.from(p.attachment.data, 'base64');
    const id = `${p.name}@${p.version}`;
    const moved: Array<{ tag: string; from?: string }> = [];
    let record: VersionRecord;
    try {
      record = await this.ingest.ingest(
        Readable.from([bytes]),
        { address: 'sha512', algorithms: ['sha1', 'sha256'], expected: p.expected, ...(p.attachment.length !== undefined ? { length: p.attachment.length } : {}) },
        (blob) => t.shard.transact((tx) => {
          if (tx.get(T.versions, versionKey(p.name, p.version))) throw new EmulatorError('ALREADY_EXISTS', republishMessage(p.version));
          const now = this.clock.now().toISOString();
          const old = tx.get<PackageRecord>(T.packages, p.name);
          tx.put(T.packages, p.name, {
            createTime: old?.createTime ?? now, updateTime: now, rev: (old?.rev ?? 0) + 1,
            ...(p.description !== undefined ? { description: p.description } : old?.description !== undefined ? { description: old.description } : {}),
            ...(p.readme !== undefined ? { readme: p.readme } : old?.readme !== undefined ? { readme: old.readme } : {}),
          } satisfies PackageRecord);
          const v: VersionRecord = {
            name: p.name, version: p.version, manifest: p.manifest, createTime: now, updateTime: now,
            ...(principal ? { publisher: principal } : {}),
            tarball: {
              file: tarballFileName(p.name, p.version), digest: blob.digest, size: blob.size,
              sha1: blob.digests.sha1!, sha256: blob.digests.sha256!, integrity: sriOf(blob.digests.sha512!),
            },
          };
          tx.put(T.versions, versionKey(p.name, p.version), v);
          // a package always has `latest` (npm install NAME resolves it): a first publish with --tag sets it too
          const tags = tx.get(T.tags, tagKey(p.name, 'latest')) || p.tags.includes('latest') ? p.tags : [...p.tags, 'latest'];
          for (const tag of tags) {
            const from = tx.get<DistTagRecord>(T.tags, tagKey(p.name, tag))?.version;
            tx.put(T.tags, tagKey(p.name, tag), { version: p.version, updateTime: now } satisfies DistTagRecord);
            moved.push({ tag, ...(from !== undefined ? { from } : {}) });
          }
          return v;
        }),
      );
    } catch (err) {
      if (err instanceof EmulatorError && err.code === 'DIGEST_MISMATCH') {
        throw new EmulatorError('DIGEST_MISMATCH', `Integrity check failed for ${clip(id)}: the attached tarball does not match dist.integrity / dist.shasum`, err.detail);
      }
      if (err instanceof EmulatorError && err.code === 'SIZE_MISMATCH') {
        throw new EmulatorError('SIZE_MISMATCH', `The attached tarball of ${clip(id)} is ${bytes.length} bytes, but its length says ${p.attachment.length}`);
      }
      throw err;
    }
    const base = { repository: t.repository, format: 'NPM', package: p.name, version: p.version, ...(principal ? { principal } : {}) };
    this.events.emit('artifact.pushed', { ...base, kind: 'version', sizeBytes: record.tarball.size, tags: moved.map((m) => m.tag), action: `npm publish ${id}` });
    for (const m of moved) this.events.emit('tag.updated', { ...base, tag: m.tag, ...(m.from !== undefined ? { previousVersion: m.from } : {}), action: m.tag === 'latest' ? `npm publish ${id}` : `npm publish ${id} --tag ${m.tag}` });
    return record;
  }

  /**
   * A packument PUT without attachments: `deprecated` of listed versions is taken (npm deprecate). With
   * `allowRemoval` (the `/-rev/` form npm unpublish sends) versions missing from the document are unpublished
   * and its dist-tags are taken. Nothing else of a published version changes.
   */
  async update(t: NpmTarget, u: NpmMetadataUpdate, allowRemoval: boolean, principal: string | undefined): Promise<void> {
    const removed: string[] = [];
    const tagChanges: Array<{ tag: string; to?: string; from?: string }> = [];
    const deprecations: Array<{ version: string; message?: string }> = [];
    let packageGone = false;
    await t.shard.transact((tx) => {
      const pkg = tx.get<PackageRecord>(T.packages, u.name);
      if (!pkg) throw notFound(u.name);
      const existing = t.content.versionsOf(u.name);
      for (const v of u.versions.keys()) {
        if (!existing.includes(v)) throw new EmulatorError('INVALID_ARGUMENT', `Version ${clip(v)} of ${clip(u.name)} was never published here: publish it with its tarball`);
      }
      const now = this.clock.now().toISOString();
      for (const v of existing) {
        const rec = tx.get<VersionRecord>(T.versions, versionKey(u.name, v))!;
        const listed = u.versions.get(v);
        if (!listed) {
          if (!allowRemoval) continue;
          tx.delete(T.versions, versionKey(u.name, v));
          removed.push(v);
          continue;
        }
        if ((listed.deprecated ?? '') !== (rec.deprecated ?? '')) {
          const { deprecated: _old, ...rest } = rec;
          tx.put(T.versions, versionKey(u.name, v), { ...rest, updateTime: now, ...(listed.deprecated ? { deprecated: listed.deprecated } : {}) } satisfies VersionRecord);
          deprecations.push({ version: v, ...(listed.deprecated ? { message: listed.deprecated } : {}) });
        }
      }
      const remaining = existing.filter((v) => !removed.includes(v));
      if (allowRemoval) applyTags(tx, t, u, remaining, now, tagChanges);
      else for (const v of removed) dropTagsOf(tx, t, u.name, v, tagChanges);
      if (remaining.length === 0) {
        tx.delete(T.packages, u.name);
        packageGone = true;
      } else if (removed.length || deprecations.length || tagChanges.length) {
        tx.put(T.packages, u.name, { ...pkg, updateTime: now, rev: pkg.rev + 1 } satisfies PackageRecord);
      }
    });
    const base = { repository: t.repository, format: 'NPM', package: u.name, ...(principal ? { principal } : {}) };
    for (const v of removed) this.events.emit('artifact.deleted', { ...base, version: v, kind: 'version', action: `npm unpublish ${u.name}@${v}` });
    for (const c of tagChanges) {
      if (c.to === undefined) this.events.emit('tag.deleted', { ...base, tag: c.tag, action: `npm dist-tag rm ${u.name} ${c.tag}` });
      else this.events.emit('tag.updated', { ...base, version: c.to, tag: c.tag, ...(c.from !== undefined ? { previousVersion: c.from } : {}), action: `npm dist-tag add ${u.name}@${c.to} ${c.tag}` });
    }
    if (packageGone) this.events.emit('artifact.deleted', { ...base, kind: 'version', action: `npm unpublish ${u.name}` });
  }

  /** npm unpublish of the whole package (`DELETE /NAME/-rev/REV`): every version, tag and the package go. */
  async unpublishPackage(t: NpmTarget, name: string, principal: string | undefined, action: string | undefined = `npm unpublish ${name} --force`): Promise<void> {
    const versions: string[] = [];
    await t.shard.transact((tx) => {
      if (!tx.get(T.packages, name)) throw notFound(name);
      for (const v of t.content.versionsOf(name)) {
        tx.delete(T.versions, versionKey(name, v));
        versions.push(v);
      }
      for (const tag of t.content.tagsOf(name)) tx.delete(T.tags, tagKey(name, tag));
      tx.delete(T.packages, name);
    });
    const base = { repository: t.repository, format: 'NPM', package: name, ...(principal ? { principal } : {}) };
    for (const v of versions) this.events.emit('artifact.deleted', { ...base, version: v, kind: 'version', ...(action ? { action } : {}) });
  }

  /**
   * npm unpublish's last step (`DELETE /NAME/-/FILE/-rev/REV`): the version is already gone from the packument,
   * so its blob is left to garbage collection. A tarball whose version still exists unpublishes that version.
   */
  async deleteTarball(t: NpmTarget, name: string, version: string, principal: string | undefined): Promise<void> {
    if (!t.content.hasVersion(name, version)) return;
    await this.deleteVersion(t, name, version, principal, `npm unpublish ${name}@${version}`);
  }

  /** Removes one version (and the tags on it; the package too when it was the last). */
  async deleteVersion(t: NpmTarget, name: string, version: string, principal: string | undefined, action?: string): Promise<void> {
    const tagChanges: Array<{ tag: string; to?: string; from?: string }> = [];
    let packageGone = false;
    await t.shard.transact((tx) => {
      const pkg = tx.get<PackageRecord>(T.packages, name);
      if (!pkg || !tx.get(T.versions, versionKey(name, version))) throw new EmulatorError('NOT_FOUND', `${clip(name)}@${clip(version)} is not in this registry`);
      tx.delete(T.versions, versionKey(name, version));
      dropTagsOf(tx, t, name, version, tagChanges);
      const now = this.clock.now().toISOString();
      const remaining = t.content.versionsOf(name).filter((v) => v !== version);
      if (remaining.length === 0) {
        tx.delete(T.packages, name);
        packageGone = true;
      } else {
        tx.put(T.packages, name, { ...pkg, updateTime: now, rev: pkg.rev + 1 } satisfies PackageRecord);
        // as npm unpublish does: `latest` moves to the highest remaining version rather than vanish
        if (tagChanges.some((c) => c.tag === 'latest')) {
          const to = remaining.sort(semverLib().compareLoose).pop()!;
          tx.put(T.tags, tagKey(name, 'latest'), { version: to, updateTime: now } satisfies DistTagRecord);
          tagChanges.push({ tag: 'latest', to, from: version });
        }
      }
    });
    const base = { repository: t.repository, format: 'NPM', package: name, ...(principal ? { principal } : {}) };
    this.events.emit('artifact.deleted', { ...base, version, kind: 'version', ...(action ? { action } : {}) });
    for (const c of tagChanges) {
      if (c.to === undefined) {
        if (!tagChanges.some((o) => o.tag === c.tag && o.to !== undefined)) this.events.emit('tag.deleted', { ...base, tag: c.tag, action: `npm dist-tag rm ${name} ${c.tag}` });
      } else this.events.emit('tag.updated', { ...base, version: c.to, tag: c.tag, ...(c.from !== undefined ? { previousVersion: c.from } : {}), action: `npm dist-tag add ${name}@${c.to} ${c.tag}` });
    }
    if (packageGone) this.events.emit('artifact.deleted', { ...base, kind: 'version', action: `npm unpublish ${name}` });
  }

  /** npm dist-tag add: the version must exist. */
  async setTag(t: NpmTarget, name: string, tag: string, version: string, principal: string | undefined): Promise<void> {
    checkDistTag(tag);
    let from: string | undefined;
    await t.shard.transact((tx) => {
      const pkg = tx.get<PackageRecord>(T.packages, name);
      if (!pkg) throw notFound(name);
      if (!tx.get(T.versions, versionKey(name, version))) throw new EmulatorError('NOT_FOUND', `${clip(name)}@${clip(version)} is not in this registry`);
      from = tx.get<DistTagRecord>(T.tags, tagKey(name, tag))?.version;
      if (from === version) return;
      const now = this.clock.now().toISOString();
      tx.put(T.tags, tagKey(name, tag), { version, updateTime: now } satisfies DistTagRecord);
      tx.put(T.packages, name, { ...pkg, updateTime: now, rev: pkg.rev + 1 } satisfies PackageRecord);
    });
    if (from === version) return;
    this.events.emit('tag.updated', {
      repository: t.repository, format: 'NPM', package: name, version, tag, ...(from !== undefined ? { previousVersion: from } : {}),
      ...(principal ? { principal } : {}), action: `npm dist-tag add ${name}@${version} ${tag}`,
    });
  }

  /** npm dist-tag rm. `latest` stays: without it `npm install NAME` has nothing to resolve (unconfirmed rule). */
  async deleteTag(t: NpmTarget, name: string, tag: string, principal: string | undefined): Promise<void> {
    if (tag === 'latest') throw new EmulatorError('FAILED_PRECONDITION', `The "latest" dist-tag of ${clip(name)} cannot be removed; point it at another version instead`);
    await t.shard.transact((tx) => {
      const pkg = tx.get<PackageRecord>(T.packages, name);
      if (!pkg) throw notFound(name);
      if (!tx.get(T.tags, tagKey(name, tag))) throw new EmulatorError('NOT_FOUND', `${clip(name)} has no dist-tag "${clip(tag)}"`);
      const now = this.clock.now().toISOString();
      tx.delete(T.tags, tagKey(name, tag));
      tx.put(T.packages, name, { ...pkg, updateTime: now, rev: pkg.rev + 1 } satisfies PackageRecord);
    });
    this.events.emit('tag.deleted', { repository: t.repository, format: 'NPM', package: name, tag, ...(principal ? { principal } : {}), action: `npm dist-tag rm ${name} ${tag}` });
  }

  recordPull(t: NpmTarget, v: VersionRecord, principal: string | undefined): void {
    this.events.emit('artifact.pulled', {
      repository: t.repository, format: 'NPM', package: v.name, version: v.version, kind: 'file', sizeBytes: v.tarball.size,
      reference: v.tarball.file, ...(principal ? { principal } : {}), action: `npm install ${v.name}@${v.version}`,
    });
  }
}

export function notFound(name: string): EmulatorError {
  return new EmulatorError('NOT_FOUND', `package "${clip(name)}" is not in this registry`);
}

function dropTagsOf(tx: ShardTx, t: NpmTarget, name: string, version: string, changes: Array<{ tag: string; to?: string }>): void {
  for (const tag of t.content.tagsOfVersion(name, version)) {
    if (tx.get(T.tags, tagKey(name, tag))) {
      tx.delete(T.tags, tagKey(name, tag));
      changes.push({ tag });
    }
  }
}

/** The unpublish document's dist-tags replace the stored ones (each must point at a remaining version). */
function applyTags(tx: ShardTx, t: NpmTarget, u: NpmMetadataUpdate, remaining: string[], now: string, changes: Array<{ tag: string; to?: string; from?: string }>): void {
  const current = new Map(t.content.tagsOf(u.name).map((tag) => [tag, t.content.tagTarget(u.name, tag)!]));
  for (const [tag, version] of Object.entries(u.distTags)) {
    checkDistTag(tag);
    if (!remaining.includes(version)) throw new EmulatorError('INVALID_ARGUMENT', `dist-tag "${clip(tag)}" points at ${clip(version)}, which is not a version of ${clip(u.name)}`);
  }
  for (const tag of current.keys()) {
    if (u.distTags[tag] === undefined) {
      tx.delete(T.tags, tagKey(u.name, tag));
      changes.push({ tag });
    }
  }
  for (const [tag, version] of Object.entries(u.distTags)) {
    const from = current.get(tag);
    if (from === version) continue;
    tx.put(T.tags, tagKey(u.name, tag), { version, updateTime: now } satisfies DistTagRecord);
    changes.push({ tag, to: version, ...(from !== undefined ? { from } : {}) });
  }
}
