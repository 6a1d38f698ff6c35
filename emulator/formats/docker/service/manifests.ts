// Manifest semantics: validation against the repository's blobs and manifests, tags, referrers (OCI 1.1
// `subject`), reads and deletes. Manifest bytes live in the BlobStore; their records in the repository
// shard. https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
import type { Clock } from '../../../core/clock.js';
import { digestOf, isDigestLike, parseDigest } from '../../../core/digests.js';
import { EmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { isValidTag } from '../../../core/names.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import type { ShardTx } from '../../../storage/meta-store.js';
import { isNonDistributable } from '../media-types.js';
import { parseManifest, type OciDescriptor, type ParsedManifest } from '../wire.js';
import { T, blobKey, isLive, manifestKey, tagKey, type BlobLink, type ImageRecord, type ManifestRecord, type ReferrerList, type TagRecord } from './tables.js';
import type { DockerTarget } from './target.js';

export class ManifestService {
  constructor(
    private readonly blobs: BlobStore,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /** The manifest a tag or digest names, or MANIFEST_UNKNOWN with the real service's text. */
  resolve(t: DockerTarget, reference: string): ManifestRecord {
    let digest: string | undefined;
    if (isDigestLike(reference)) {
      digest = parseDigest(reference).value;
    } else if (isValidTag(reference)) {
      digest = t.shard.get<TagRecord>(T.tags, tagKey(t.image, reference))?.digest;
    }
    // A malformed tag names nothing: 404 on reads, as distribution and the conformance suite expect.
    const record = digest ? t.shard.get<ManifestRecord>(T.manifests, manifestKey(t.image, digest)) : undefined;
    if (!record) {
      throw new EmulatorError('MANIFEST_UNKNOWN', `Failed to fetch "${reference}" from request "/v2/${t.name}/manifests/${reference}".`);
    }
    return record;
  }

  async read(t: DockerTarget, reference: string): Promise<{ record: ManifestRecord; body: Buffer }> {
    const record = this.resolve(t, reference);
    return { record, body: await this.blobs.read(record.digest) };
  }

  recordPull(t: DockerTarget, record: ManifestRecord, reference: string): void {
    this.events.emit('artifact.pulled', {
      repository: t.repository, format: 'DOCKER', package: t.image, version: record.digest, kind: 'manifest',
      mediaType: record.mediaType, sizeBytes: record.imageSizeBytes, reference,
    });
  }

  /**
   * Stores a manifest and points its tags at it: the reference when it is a tag, plus `opts.tags` (the OCI 1.1
   * `?tag=` parameters of a push by digest, distribution-spec "Pushing Manifests with Tags"). A digest reference
   * keeps its algorithm (a sha512 push stays sha512). Every tag is validated and checked as a push by that tag
   * would be (immutable tags, `onTagMove`). `onTagMove` runs under the shard lock for each tag that exists and
   * points at another digest, so the caller's tag-update check cannot race a concurrent tag creation; it throws
   * to refuse the move, and then nothing is stored.
   */
  async put(
    t: DockerTarget,
    reference: string,
    body: Buffer,
    contentType: string | undefined,
    opts: { onTagMove?: (tag: string) => void; tags?: readonly string[] } = {},
  ): Promise<ManifestRecord> {
    const parsed = parseManifest(body, contentType);
    let digest: string;
    const tags: string[] = [];
    if (isDigestLike(reference)) {
      const expected = parseDigest(reference);
      digest = digestOf(body, expected.algorithm);
      if (digest !== expected.value) throw new EmulatorError('DIGEST_INVALID', `manifest digest ${digest} does not match the reference ${expected.value}`);
    } else {
      tags.push(reference);
      digest = digestOf(body, 'sha256');
    }
    for (const tag of opts.tags ?? []) if (!tags.includes(tag)) tags.push(tag);
    for (const tag of tags) {
      if (!isValidTag(tag)) throw new EmulatorError('TAG_INVALID', `invalid tag "${tag.slice(0, 130)}": tags match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`);
    }
    const now = this.clock.now().toISOString();
    const record = manifestRecord(t.image, digest, body.length, now, parsed);
    // Checked before the manifest blob is written (a manifest that cannot be accepted leaves nothing) …
    if (parsed.kind === 'image') checkBlobs(t.shard, t.image, parsed.blobs);
    else checkChildren(t.shard, t.image, parsed.manifests);
    const buildTime = parsed.kind === 'image' ? await this.configCreated(parsed.blobs[0]) : newestChildBuildTime(t.shard, t.image, parsed.manifests);
    if (buildTime) record.buildTime = buildTime;
    // … and again inside the transaction, so a blob or manifest deleted concurrently cannot slip between
    // check and commit. Held: the garbage collector cannot take the manifest blob before the commit.
    const previous = await this.blobs.hold([digest], async () => {
      await this.blobs.put(body, digest);
      return t.shard.transact((tx) => {
        record.imageSizeBytes = parsed.kind === 'image' ? checkBlobs(tx, t.image, parsed.blobs) : checkChildren(tx, t.image, parsed.manifests);
        // every tag is checked before anything is written: one refused tag refuses the whole push
        const olds = tags.map((tag) => tx.get<TagRecord>(T.tags, tagKey(t.image, tag)));
        tags.forEach((tag, i) => {
          const old = olds[i];
          if (old && old.digest !== digest) opts.onTagMove?.(tag);
          if (old?.digest !== digest) t.content.policy.checkTagChange?.({ repository: t.record, pkg: t.image, tag, ...(old ? { from: old.digest } : {}), to: digest });
        });
        const existing = tx.get<ManifestRecord>(T.manifests, manifestKey(t.image, digest));
        if (!existing) {
          tx.put(T.manifests, manifestKey(t.image, digest), record);
          if (record.subject) addReferrer(tx, t.image, record.subject, digest);
        }
        const image = tx.get<ImageRecord>(T.images, t.image);
        tx.put(T.images, t.image, { createTime: image?.createTime ?? now, updateTime: now } satisfies ImageRecord);
        tags.forEach((tag, i) => {
          if (olds[i]?.digest !== digest) tx.put(T.tags, tagKey(t.image, tag), { digest, updateTime: now } satisfies TagRecord);
        });
        return olds;
      });
    });
    const stored = t.shard.get<ManifestRecord>(T.manifests, manifestKey(t.image, digest)) ?? record;
    const base = { repository: t.repository, format: 'DOCKER', package: t.image, version: digest };
    this.events.emit('artifact.pushed', { ...base, kind: 'manifest', mediaType: stored.mediaType, sizeBytes: stored.imageSizeBytes, ...(tags.length ? { tags } : {}) });
    tags.forEach((tag, i) => {
      const old = previous[i];
      if (old?.digest !== digest) this.events.emit('tag.updated', { ...base, tag, ...(old ? { previousVersion: old.digest } : {}) });
    });
    return stored;
  }

  /**
   * Stores a manifest a remote repository fetched from its upstream (the digest already verified): unlike a
   * push, its blobs need not be cached yet (they are fetched when pulled). A digest once cached never changes;
   * `tag` (if any) is pointed at it and its `fetchTime` set, which the tag TTL is measured from.
   */
  async cacheFromUpstream(t: DockerTarget, tag: string | undefined, body: Buffer, contentType: string | undefined, digest: string): Promise<ManifestRecord> {
    const parsed = parseManifest(body, contentType);
    const now = this.clock.now().toISOString();
    const record = manifestRecord(t.image, digest, body.length, now, parsed);
    record.fetchTime = now;
    record.imageSizeBytes = (parsed.kind === 'image' ? parsed.blobs : parsed.manifests).reduce((n, d) => n + (d.size ?? 0), 0);
    const previous = await this.blobs.hold([digest], async () => {
      await this.blobs.put(body, digest);
      return t.shard.transact((tx) => {
        if (!tx.get<ManifestRecord>(T.manifests, manifestKey(t.image, digest))) {
          tx.put(T.manifests, manifestKey(t.image, digest), record);
          if (record.subject) addReferrer(tx, t.image, record.subject, digest);
        }
        const image = tx.get<ImageRecord>(T.images, t.image);
        tx.put(T.images, t.image, { createTime: image?.createTime ?? now, updateTime: now } satisfies ImageRecord);
        if (!tag) return undefined;
        const old = tx.get<TagRecord>(T.tags, tagKey(t.image, tag));
        tx.put(T.tags, tagKey(t.image, tag), { digest, updateTime: old?.digest === digest ? old.updateTime : now, fetchTime: now } satisfies TagRecord);
        return old;
      });
    });
    if (tag && previous?.digest !== digest) {
      this.events.emit('tag.updated', { repository: t.repository, format: 'DOCKER', package: t.image, version: digest, tag, ...(previous ? { previousVersion: previous.digest } : {}) });
    }
    return t.shard.get<ManifestRecord>(T.manifests, manifestKey(t.image, digest)) ?? record;
  }

  /** A cached tag found still current upstream: its TTL starts again. */
  async touchTag(t: DockerTarget, tag: string): Promise<void> {
    const now = this.clock.now().toISOString();
    await t.shard.transact((tx) => {
      const old = tx.get<TagRecord>(T.tags, tagKey(t.image, tag));
      if (old) tx.put(T.tags, tagKey(t.image, tag), { ...old, fetchTime: now });
    });
  }

  /** DELETE by digest removes the manifest and its tags; DELETE by tag removes only the tag (OCI 1.1). */
  async delete(t: DockerTarget, reference: string): Promise<void> {
    const record = this.resolve(t, reference);
    const base = { repository: t.repository, format: 'DOCKER', package: t.image, version: record.digest };
    if (!isDigestLike(reference)) {
      await t.shard.transact((tx) => {
        t.content.policy.checkTagChange?.({ repository: t.record, pkg: t.image, tag: reference, from: record.digest });
        tx.delete(T.tags, tagKey(t.image, reference));
      });
      this.events.emit('tag.deleted', { ...base, tag: reference });
      return;
    }
    const removedTags = await t.shard.transact((tx) => {
      if (!tx.get(T.manifests, manifestKey(t.image, record.digest))) return [];
      tx.delete(T.manifests, manifestKey(t.image, record.digest));
      if (record.subject) removeReferrer(tx, t.image, record.subject, record.digest);
      const tags = this.tagsOf(t, record.digest);
      t.content.policy.checkVersionDelete?.({ repository: t.record, pkg: t.image, version: record.digest, tags });
      for (const tag of tags) tx.delete(T.tags, tagKey(t.image, tag));
      orphanUnusedLinks(tx, t, record);
      return tags;
    });
    for (const tag of removedTags) this.events.emit('tag.deleted', { ...base, tag });
    this.events.emit('artifact.deleted', { ...base, kind: 'manifest' });
  }

  /** Points `tag` at an existing manifest (the control plane's tags.create / tags.patch). */
  async setTag(t: DockerTarget, tag: string, digest: string): Promise<void> {
    if (!isValidTag(tag)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid tag id "${tag.slice(0, 130)}": tags match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}.`, { field: 'tag_id' });
    const now = this.clock.now().toISOString();
    const previous = await t.shard.transact((tx) => {
      if (!tx.get(T.manifests, manifestKey(t.image, digest))) throw new EmulatorError('NOT_FOUND', `Version "${digest}" was not found.`);
      const old = tx.get<TagRecord>(T.tags, tagKey(t.image, tag));
      if (old?.digest !== digest) {
        t.content.policy.checkTagChange?.({ repository: t.record, pkg: t.image, tag, ...(old ? { from: old.digest } : {}), to: digest });
        tx.put(T.tags, tagKey(t.image, tag), { digest, updateTime: now } satisfies TagRecord);
      }
      return old;
    });
    if (previous?.digest !== digest) {
      this.events.emit('tag.updated', { repository: t.repository, format: 'DOCKER', package: t.image, version: digest, tag, ...(previous ? { previousVersion: previous.digest } : {}) });
    }
  }

  /** Removes the image and everything in it: manifests, tags, blob links, referrer entries. */
  async deleteImage(t: DockerTarget): Promise<void> {
    const prefixAt = `${t.image}@`;
    const prefixColon = `${t.image}:`;
    const removed = await t.shard.transact((tx) => {
      if (!tx.get(T.images, t.image)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      // a package holding tagged versions cannot go in an immutable repository (each tagged version would)
      for (const digest of t.content.versionsOf(t.image)) {
        const tags = this.tagsOf(t, digest);
        if (tags.length) t.content.policy.checkVersionDelete?.({ repository: t.record, pkg: t.image, version: digest, tags });
      }
      const digests: string[] = [];
      for (const table of [T.manifests, T.blobs, T.referrers]) {
        for (const [key] of t.shard.entries(table)) {
          if (!key.startsWith(prefixAt)) continue;
          if (table === T.manifests) digests.push(key.slice(prefixAt.length));
          tx.delete(table, key);
        }
      }
      for (const [key] of t.shard.entries(T.tags)) if (key.startsWith(prefixColon)) tx.delete(T.tags, key);
      tx.delete(T.images, t.image);
      return digests;
    });
    for (const digest of removed) {
      this.events.emit('artifact.deleted', { repository: t.repository, format: 'DOCKER', package: t.image, version: digest, kind: 'manifest' });
    }
  }

  /** Tags of the image in code-unit order (an image without tags, or never pushed, has none): from the content index. */
  listTags(t: DockerTarget): string[] {
    return t.content.tagsOf(t.image);
  }

  /** Tags pointing at `digest`, in code-unit order: O(those tags), from the content index. */
  tagsOf(t: DockerTarget, digest: string): string[] {
    return t.content.tagsOfVersion(t.image, digest);
  }

  /**
   * Descriptors of the manifests whose subject is `subject`, optionally filtered by artifactType. Each
   * carries its manifest's annotations (spec: "listing referrers"), read from the manifest blob: metadata
   * keeps only a flag, since the blob store already holds them.
   */
  async referrers(t: DockerTarget, subject: string, artifactType?: string): Promise<OciDescriptor[]> {
    const digests = t.shard.get<ReferrerList>(T.referrers, blobKey(t.image, subject)) ?? [];
    const records = digests.map((d) => t.shard.get<ManifestRecord>(T.manifests, manifestKey(t.image, d))).filter((m): m is ManifestRecord => !!m);
    const out: Array<OciDescriptor | undefined> = new Array(records.length);
    // a few manifest reads at a time: each may be up to 4 MiB
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < records.length; i = next++) {
        const m = records[i]!;
        let type = m.artifactType ?? m.configMediaType;
        let annotations: Record<string, string> | undefined;
        if (m.hasAnnotations || m.annotations || m.clipped) {
          const fromBlob = await this.fromBlob(m);
          annotations = fromBlob.annotations;
          type = fromBlob.artifactType ?? fromBlob.configMediaType;
        }
        if (artifactType !== undefined && type !== artifactType) continue;
        out[i] = { mediaType: m.mediaType, digest: m.digest, size: m.size, ...(type ? { artifactType: type } : {}), ...(annotations ? { annotations } : {}) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, records.length) }, worker));
    return out.filter((d): d is OciDescriptor => !!d);
  }

  /**
   * The `created` time of an image config (OCI image-spec config.md; Docker's image JSON has the same field),
   * normalised to RFC 3339 in UTC; undefined for artifacts (other config types), configs over 1 MiB, unreadable
   * or malformed ones. The config is small and already stored: checkBlobs has just seen it.
   */
  private async configCreated(config: OciDescriptor | undefined): Promise<string | undefined> {
    if (!config || !IMAGE_CONFIG_TYPES.has(config.mediaType) || config.size > MAX_CONFIG_BYTES) return undefined;
    try {
      const created = (JSON.parse((await this.blobs.read(config.digest)).toString('utf8')) as { created?: unknown }).created;
      if (typeof created !== 'string' || !RFC3339.test(created)) return undefined;
      const time = new Date(created);
      return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
    } catch {
      return undefined; // a config that is not JSON, or a damaged blob: the image simply has no build time
    }
  }

  /** What a record leaves to the manifest blob (annotations, and details too large for the record). */
  private async fromBlob(m: ManifestRecord): Promise<{ annotations?: Record<string, string>; artifactType?: string; configMediaType?: string }> {
    try {
      const parsed = parseManifest(await this.blobs.read(m.digest), m.mediaType);
      return { ...(parsed.annotations ? { annotations: parsed.annotations } : {}), ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}), ...(parsed.configMediaType ? { configMediaType: parsed.configMediaType } : {}) };
    } catch (err) {
      // a manifest blob lost to damage: the record still answers, without what only the blob held
      if (err instanceof EmulatorError && err.code === 'BLOB_UNKNOWN') return { ...(m.annotations ? { annotations: m.annotations } : {}) };
      throw err;
    }
  }
}

/**
 * What one manifest record may take in the repository shard: well under the metadata store's record cap
 * (MAX_RECORD_BYTES, 1 MiB) for any valid manifest up to the 4 MiB limit. Annotations are never copied (issue
 * 8: copying them once made a journal the emulator could not read back); references and platforms beyond the
 * budget, and type strings longer than a media type can be (RFC 6838: 127 + 1 + 127), stay only in the blob,
 * and the record says so (`clipped`).
 */
const RECORD_BUDGET_BYTES = 256 << 10;
const IMAGE_CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);
const MAX_CONFIG_BYTES = 1 << 20;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** An index's build time [U, the emulator's choice]: the newest of its children's (docs/formats/docker.md). */
function newestChildBuildTime(tx: Pick<ShardTx, 'get'>, image: string, children: OciDescriptor[]): string | undefined {
  let newest: string | undefined;
  for (const d of children) {
    const time = tx.get<ManifestRecord>(T.manifests, manifestKey(image, d.digest))?.buildTime;
    if (time && (!newest || time > newest)) newest = time;
  }
  return newest;
}
const MAX_TYPE_CHARS = 255;

function manifestRecord(image: string, digest: string, size: number, now: string, parsed: ParsedManifest): ManifestRecord {
  const record: ManifestRecord = { image, digest, mediaType: parsed.mediaType, size, imageSizeBytes: 0, createTime: now, references: [] };
  let clipped = false;
  const typeField = (value: string | undefined): string | undefined => {
    if (value !== undefined && value.length > MAX_TYPE_CHARS) clipped = true;
    return value && value.length <= MAX_TYPE_CHARS ? value : undefined;
  };
  const artifactType = typeField(parsed.artifactType);
  const configMediaType = typeField(parsed.configMediaType);
  if (artifactType) record.artifactType = artifactType;
  if (configMediaType) record.configMediaType = configMediaType;
  if (parsed.annotations) record.hasAnnotations = true;
  if (parsed.subject) record.subject = parsed.subject.digest;
  let budget = RECORD_BUDGET_BYTES - Buffer.byteLength(JSON.stringify(record));
  const descriptors = parsed.kind === 'image' ? parsed.blobs : parsed.manifests;
  for (const d of descriptors) {
    budget -= d.digest.length + 3;
    if (budget < 0) break;
    record.references.push(d.digest);
  }
  if (parsed.kind === 'index') {
    record.platforms = [];
    for (const m of parsed.manifests) {
      if (m.mediaType.length > MAX_TYPE_CHARS) {
        clipped = true;
        continue;
      }
      const entry = { digest: m.digest, mediaType: m.mediaType, ...(m.platform ? { platform: m.platform } : {}) };
      budget -= Buffer.byteLength(JSON.stringify(entry)) + 1;
      if (budget < 0) break;
      record.platforms.push(entry);
    }
  }
  if (budget < 0 || clipped) record.clipped = true;
  return record;
}

/**
 * After a manifest delete: the blobs it referenced that no other manifest of the image references are unlinked
 * (tombstoned, see BlobLink.orphaned), so the version's layers stop counting in sizeBytes and garbage collection
 * reclaims them, as deleting a version does on Artifact Registry. A record whose references were clipped keeps
 * its links (it cannot say which they are without reading the manifest blob).
 */
function orphanUnusedLinks(tx: ShardTx, t: DockerTarget, deleted: ManifestRecord): void {
  if (deleted.clipped || deleted.references.length === 0) return;
  const stillUsed = new Set<string>();
  for (const digest of t.content.versionsOf(t.image)) {
    if (digest === deleted.digest) continue;
    const m = tx.get<ManifestRecord>(T.manifests, manifestKey(t.image, digest));
    if (!m) continue;
    if (m.clipped) return; // cannot know what it references: keep every link
    for (const ref of m.references) stillUsed.add(ref);
  }
  for (const ref of deleted.references) {
    if (stillUsed.has(ref)) continue;
    const link = tx.get<BlobLink>(T.blobs, blobKey(t.image, ref));
    if (isLive(link)) tx.put(T.blobs, blobKey(t.image, ref), { ...link, orphaned: true } satisfies BlobLink);
  }
}

function checkBlobs(tx: Pick<ShardTx, 'get'>, image: string, descriptors: OciDescriptor[]): number {
  let total = 0;
  for (const d of descriptors) {
    total += d.size;
    if (isNonDistributable(d.mediaType)) continue; // fetched from its `urls`, never pushed
    const link = tx.get<BlobLink>(T.blobs, blobKey(image, d.digest));
    if (!isLive(link)) throw new EmulatorError('MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${d.digest}`, { digest: d.digest });
    if (link.size !== d.size) {
      throw new EmulatorError('MANIFEST_INVALID', `descriptor of ${d.digest} says size ${d.size} but the blob has ${link.size} bytes`);
    }
  }
  return total;
}

function checkChildren(tx: Pick<ShardTx, 'get'>, image: string, descriptors: OciDescriptor[]): number {
  let total = 0;
  for (const d of descriptors) {
    const child = tx.get<ManifestRecord>(T.manifests, manifestKey(image, d.digest));
    if (!child) throw new EmulatorError('MANIFEST_BLOB_UNKNOWN', `manifest unknown to registry: ${d.digest}`, { digest: d.digest });
    total += child.imageSizeBytes;
  }
  return total;
}

function addReferrer(tx: ShardTx, image: string, subject: string, digest: string): void {
  const key = blobKey(image, subject);
  const list = tx.get<ReferrerList>(T.referrers, key) ?? [];
  if (!list.includes(digest)) tx.put(T.referrers, key, [...list, digest]);
}

function removeReferrer(tx: ShardTx, image: string, subject: string, digest: string): void {
  const key = blobKey(image, subject);
  const list = (tx.get<ReferrerList>(T.referrers, key) ?? []).filter((d) => d !== digest);
  if (list.length) tx.put(T.referrers, key, list);
  else tx.delete(T.referrers, key);
}
