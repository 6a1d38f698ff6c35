// Blob semantics of the registry: linking blobs into images, uploads (monolithic, streamed, chunked),
// cross-repository mounts, reads and deletes. Events are emitted here, after the commit.
import type { Readable } from 'node:stream';
import type { Clock } from '../../../core/clock.js';
import type { ParsedDigest } from '../../../core/digests.js';
import { EmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import type { BlobReader, BlobStore } from '../../../storage/blob-store.js';
import type { MetaShard } from '../../../storage/meta-store.js';
import type { UploadSession, UploadSessions, AppendOptions } from '../../../storage/uploads.js';
import { T, blobKey, isLive, type BlobLink } from './tables.js';
import type { DockerTarget } from './target.js';

export class BlobService {
  constructor(
    private readonly blobs: BlobStore,
    private readonly uploads: UploadSessions,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /** The link of `digest` in the target image, or BLOB_UNKNOWN. */
  stat(t: DockerTarget, digest: ParsedDigest): BlobLink {
    const link = t.shard.get<BlobLink>(T.blobs, blobKey(t.image, digest.value));
    if (!isLive(link)) throw new EmulatorError('BLOB_UNKNOWN', undefined, { digest: digest.value });
    return link;
  }

  async reader(t: DockerTarget, digest: ParsedDigest): Promise<BlobReader> {
    this.stat(t, digest);
    return this.blobs.reader(digest.value);
  }

  async delete(t: DockerTarget, digest: ParsedDigest): Promise<void> {
    await t.shard.transact((tx) => {
      if (!tx.get(T.blobs, blobKey(t.image, digest.value))) throw new EmulatorError('BLOB_UNKNOWN', undefined, { digest: digest.value });
      tx.delete(T.blobs, blobKey(t.image, digest.value));
    });
    this.events.emit('artifact.deleted', { repository: t.repository, format: 'DOCKER', package: t.image, version: digest.value, kind: 'blob' });
  }

  /**
   * Links a blob that another image already has: the `from` image, or — when the client names no source —
   * any image of any Docker repository (automatic cross-mount). False if it cannot, so the caller starts a
   * normal upload instead.
   */
  async mount(t: DockerTarget, digest: ParsedDigest, from: DockerTarget | undefined, candidates: () => Iterable<MetaShard>): Promise<boolean> {
    let link: BlobLink | undefined;
    if (from) {
      const found = from.shard.get<BlobLink>(T.blobs, blobKey(from.image, digest.value));
      if (isLive(found)) link = found;
    } else {
      const suffix = `@${digest.value}`;
      search: for (const shard of candidates()) {
        for (const [key, value] of shard.entries<BlobLink>(T.blobs)) {
          if (key.endsWith(suffix) && isLive(value)) {
            link = value;
            break search;
          }
        }
      }
    }
    if (!link) return false;
    const size = link.size;
    // Held from the check to the commit, so the garbage collector cannot take the blob in between.
    return this.blobs.hold([digest.value], async () => {
      if (!(await this.blobs.stat(digest.value))) return false;
      await this.link(t, digest.value, size);
      return true;
    });
  }

  beginUpload(t: DockerTarget): Promise<UploadSession> {
    return this.uploads.begin(scopeOf(t));
  }

  uploadStatus(t: DockerTarget, id: string): UploadSession {
    return this.uploads.get(id, scopeOf(t));
  }

  appendUpload(t: DockerTarget, id: string, body: Readable, opts: AppendOptions): Promise<UploadSession> {
    return this.uploads.append(id, scopeOf(t), body, opts);
  }

  cancelUpload(t: DockerTarget, id: string): Promise<void> {
    return this.uploads.cancel(id, scopeOf(t));
  }

  /** Verifies and commits the upload, then links the blob into the image (held from the rename to the link). */
  async completeUpload(t: DockerTarget, id: string, digest: ParsedDigest): Promise<{ digest: string; size: number }> {
    const committed = await this.uploads.commit(id, scopeOf(t), digest, (blob) => this.link(t, blob.digest, blob.size));
    this.pushed(t, committed.digest, committed.size);
    return { digest: committed.digest, size: committed.size };
  }

  /** A monolithic upload (POST ?digest=): one pass through the ingest path, no upload session. */
  async uploadWhole(t: DockerTarget, body: Readable, digest: ParsedDigest, opts: { length?: number }): Promise<{ digest: string; size: number }> {
    const committed = await this.uploads.ingest.ingest(
      body,
      { address: digest.algorithm, expected: [digest], ...opts },
      async (blob) => {
        await this.link(t, blob.digest, blob.size);
        return blob;
      },
    );
    this.pushed(t, committed.digest, committed.size);
    return { digest: committed.digest, size: committed.size };
  }

  private pushed(t: DockerTarget, digest: string, size: number): void {
    this.events.emit('artifact.pushed', { repository: t.repository, format: 'DOCKER', package: t.image, version: digest, kind: 'blob', sizeBytes: size });
  }

  private async link(t: DockerTarget, digest: string, size: number): Promise<void> {
    const key = blobKey(t.image, digest);
    if (isLive(t.shard.get<BlobLink>(T.blobs, key))) return;
    const link: BlobLink = { size, createTime: this.clock.now().toISOString() };
    await t.shard.transact((tx) => {
      if (!isLive(tx.get<BlobLink>(T.blobs, key))) tx.put(T.blobs, key, link);
    });
  }
}

function scopeOf(t: DockerTarget): string {
  return `docker|${t.repository}|${t.image}`;
}
