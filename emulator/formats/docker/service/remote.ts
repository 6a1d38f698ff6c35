// Docker remote repositories (mode REMOTE_REPOSITORY): manifests by tag or digest and blobs are served from the
// repository's own cache (its shard and the blob store, as for a standard repository) and fetched from the
// upstream registry when missing (a blob's first fetch streams to the client while it is stored: content/tee.ts).
// Digests are verified before anything is kept (a streamed blob that fails is cut off short); a digest once
// cached never changes; a tag is revalidated after its TTL (emulator time); when the upstream fails, the cache answers.
// docs/remote.md describes the design and the choices where the real service's behaviour is not documented.
import { digestOf, isDigestLike, parseDigest, type ParsedDigest } from '../../../core/digests.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import type { Clock } from '../../../core/clock.js';
import type { EventBus } from '../../../core/events.js';
import type { RepositoryRecord } from '../../../core/repository.js';
import { isUpstreamError, NegativeCache, remoteSourceOf, ttlSecondsOf, readAll, SingleFlight, UpstreamError, type SecretResolver, type Upstream, type UpstreamCredentials, upstreamFailureCode } from '../../../content/upstream.js';
import type { Readable } from 'node:stream';
import { storeAndServe } from '../../../content/tee.js';
import type { BlobIngest } from '../../../storage/ingest.js';
import { MANIFEST_KINDS, MAX_MANIFEST_BYTES } from '../media-types.js';
import type { ManifestService } from './manifests.js';
import { T, blobKey, isLive, manifestKey, tagKey, type BlobLink, type ManifestRecord, type TagRecord } from './tables.js';
import type { DockerTarget } from './target.js';

/** The DOCKER_HUB preset's upstream: the registry Docker Hub documents for pulls (tests never reach it). */
export const DOCKER_HUB_REGISTRY = 'https://registry-1.docker.io';
/** How long a cached tag is served before it is revalidated with the upstream, by default, and the label that changes it (content/upstream.ts). */
export { DEFAULT_TTL_SECONDS as DEFAULT_TAG_TTL_SECONDS, TTL_LABEL as TAG_TTL_LABEL } from '../../../content/upstream.js';

const ACCEPT = Object.keys(MANIFEST_KINDS).join(', ');

/** The first fetch of a blob as it streams from the upstream (its length when the upstream announced one). */
export interface StreamedBlob {
  stream: Readable;
  length?: number;
}

interface RemoteDockerConfig {
  base: string;
  hub: boolean;
  credentials?: { username: string; passwordSecretVersion: string };
}

/** The upstream a remote Docker repository's config names (custom URI, commonRepository URI or the DOCKER_HUB preset). */
export function upstreamOf(record: RepositoryRecord): RemoteDockerConfig {
  const { custom, credentials } = remoteSourceOf(record, 'dockerRepository');
  if (custom) return { base: custom, hub: false, ...(credentials ? { credentials } : {}) };
  return { base: DOCKER_HUB_REGISTRY, hub: true, ...(credentials ? { credentials } : {}) };
}

export class DockerRemote {
  private readonly flights = new SingleFlight();
  private readonly notFound: NegativeCache;

  constructor(
    private readonly client: Upstream,
    private readonly secrets: SecretResolver,
    private readonly ingest: BlobIngest,
    private readonly manifests: ManifestService,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {
    this.notFound = new NegativeCache(clock);
  }

  /**
   * Makes sure the manifest `reference` names is in the cache and current (a tag within its TTL). `stale`: the
   * upstream failed and the cached copy answers. `count`: emit cache events (GET, not HEAD).
   */
  async manifest(t: DockerTarget, reference: string, count: boolean): Promise<{ stale: boolean }> {
    const digestRef = isDigestLike(reference);
    const cachedDigest = digestRef ? parseDigest(reference).value : t.shard.get<TagRecord>(T.tags, tagKey(t.image, reference))?.digest;
    const cached = cachedDigest ? t.shard.get<ManifestRecord>(T.manifests, manifestKey(t.image, cachedDigest)) : undefined;
    if (cached && (digestRef || this.fresh(t, t.shard.get<TagRecord>(T.tags, tagKey(t.image, reference))))) {
      if (count) this.hit(t, cached.digest, 'manifest', cached.size);
      return { stale: false };
    }
    const key = `${t.repository}|manifest|${t.image}|${reference}`;
    if (!cached && this.notFound.has(key)) throw manifestUnknown(t, reference);
    const started = Date.now();
    try {
      await this.flights.run(key, () => this.fetchManifest(t, reference, key));
      return { stale: false };
    } catch (err) {
      return this.failed(t, err, started, cached !== undefined, count ? { digest: cached?.digest, kind: 'manifest', size: cached?.size ?? 0 } : undefined, `${t.image}:${reference}`);
    }
  }

  /**
   * Makes sure the blob is cached (fetched and verified when missing). With `stream`, the request that starts
   * the fetch gets the upstream's bytes as they arrive (`first`: storeAndServe, cut off short if they fail
   * verification) while they are stored; a request that finds the fetch in flight waits for the stored copy.
   */
  async blob(t: DockerTarget, digest: ParsedDigest, count: boolean, opts: { stream?: boolean } = {}): Promise<{ first?: StreamedBlob }> {
    const link = t.shard.get<BlobLink>(T.blobs, blobKey(t.image, digest.value));
    if (isLive(link)) {
      if (count) this.hit(t, digest.value, 'blob', link.size);
      return {};
    }
    const key = `${t.repository}|blob|${t.image}|${digest.value}`;
    if (this.notFound.has(key)) throw new EmulatorError('BLOB_UNKNOWN', `blob ${digest.value} is not in the upstream of this remote repository`, { digest: digest.value });
    const started = Date.now();
    let toClient: ((s: StreamedBlob) => void) | undefined;
    const streamed = opts.stream ? new Promise<StreamedBlob>((resolve) => (toClient = resolve)) : undefined;
    // SingleFlight calls the work only when no fetch of this blob is in flight: only then can `toClient` be called
    const done = this.flights.run(key, () => this.fetchBlob(t, digest, key, toClient));
    try {
      const first = streamed ? await Promise.race([streamed, done.then(() => undefined)]) : (await done, undefined);
      if (!first) return {};
      // failures once the body is streaming reach the client as a cut-off body; the feed hears why
      done.catch((err: unknown) => {
        if (isUpstreamError(err)) this.reportFailure(t, err, started, false);
      });
      return { first };
    } catch (err) {
      this.failed(t, err, started, false, undefined, `${t.image}@${digest.value}`);
      return {};
    }
  }

  private fresh(t: DockerTarget, tag: TagRecord | undefined): boolean {
    if (!tag) return false;
    const since = Date.parse(tag.fetchTime ?? tag.updateTime);
    return this.clock.now().getTime() - since < tagTtlSeconds(t.record) * 1000;
  }

  private hit(t: DockerTarget, digest: string | undefined, kind: 'manifest' | 'blob', size: number, stale?: boolean): void {
    this.events.emit('cache.hit', { repository: t.repository, format: 'DOCKER', package: t.image, ...(digest ? { version: digest } : {}), kind, sizeBytes: size, ...(stale ? { stale: true } : {}) });
  }

  /** An upstream failure: the cache answers when it can (stale), else the client gets UNAVAILABLE naming the reason. */
  private failed(t: DockerTarget, err: unknown, started: number, haveCache: boolean, hit: { digest: string | undefined; kind: 'manifest' | 'blob'; size: number } | undefined, what: string): { stale: boolean } {
    if (!isUpstreamError(err)) throw err;
    this.reportFailure(t, err, started, haveCache);
    if (haveCache) {
      if (hit) this.hit(t, hit.digest, hit.kind, hit.size, true);
      return { stale: true };
    }
    throw new EmulatorError(upstreamFailureCode(err), `remote repository cannot fetch ${what} from its upstream and has no cached copy: ${err.message}`);
  }

  private reportFailure(t: DockerTarget, err: UpstreamError, started: number, served: boolean): void {
    this.events.emit('upstream.failed', {
      repository: t.repository, format: 'DOCKER', package: t.image, upstream: upstreamOf(t.record).base, reason: `${err.reason}: ${err.message}`,
      ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: Date.now() - started, served,
    });
  }

  private async credentials(t: DockerTarget): Promise<UpstreamCredentials | undefined> {
    const c = upstreamOf(t.record).credentials;
    return c ? { username: c.username, password: this.secrets.resolve(c.passwordSecretVersion) } : undefined;
  }

  private url(t: DockerTarget, kind: 'manifests' | 'blobs', reference: string): string {
    return upstreamUrl(t.record, t.image, kind, reference);
  }

  private async fetchManifest(t: DockerTarget, reference: string, key: string): Promise<void> {
    const started = Date.now();
    const creds = await this.credentials(t);
    const res = await this.client.request({ repository: t.repository, url: this.url(t, 'manifests', reference), headers: { accept: ACCEPT }, ...(creds ? { credentials: creds } : {}) });
    if (res.status === 404) {
      res.body.resume();
      this.notFound.add(key);
      throw manifestUnknown(t, reference);
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status}`, res.status);
    }
    const body = await readAll(res.body, MAX_MANIFEST_BYTES);
    const announced = res.headers['content-length'];
    if (announced !== undefined && Number(announced) !== body.length) throw new UpstreamError('truncated', 'upstream manifest body ended early');
    let digest: string;
    if (isDigestLike(reference)) {
      const expected = parseDigest(reference);
      digest = digestOf(body, expected.algorithm);
      if (digest !== expected.value) throw new UpstreamError('digest', `upstream sent a manifest whose digest ${digest} does not match ${expected.value}`);
    } else {
      digest = digestOf(body, 'sha256');
      const header = res.headers['docker-content-digest'];
      if (typeof header === 'string' && header.startsWith('sha256:') && header !== digest) {
        throw new UpstreamError('digest', `upstream sent a manifest whose digest ${digest} does not match its Docker-Content-Digest ${header}`);
      }
    }
    const tag = isDigestLike(reference) ? undefined : reference;
    const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'].split(';')[0]!.trim() : undefined;
    const existing = t.shard.get<ManifestRecord>(T.manifests, manifestKey(t.image, digest));
    const existingTag = tag ? t.shard.get<TagRecord>(T.tags, tagKey(t.image, tag)) : undefined;
    if (existing && tag && existingTag?.digest === digest) {
      await this.manifests.touchTag(t, tag);
      return;
    }
    let record: ManifestRecord;
    try {
      record = await this.manifests.cacheFromUpstream(t, tag, body, contentType, digest);
    } catch (err) {
      if (isEmulatorError(err) && err.code === 'MANIFEST_INVALID') throw new UpstreamError('protocol', `upstream sent an invalid manifest: ${err.message}`);
      throw err;
    }
    this.notFound.delete(key);
    this.events.emit('cache.miss', { repository: t.repository, format: 'DOCKER', package: t.image, version: record.digest, kind: 'manifest', sizeBytes: record.size, upstream: upstreamOf(t.record).base, latencyMs: Date.now() - started });
  }

  private async fetchBlob(t: DockerTarget, digest: ParsedDigest, key: string, toClient?: (s: StreamedBlob) => void): Promise<void> {
    const started = Date.now();
    const creds = await this.credentials(t);
    const res = await this.client.request({ repository: t.repository, url: this.url(t, 'blobs', digest.value), ...(creds ? { credentials: creds } : {}) });
    if (res.status === 404) {
      res.body.resume();
      this.notFound.add(key);
      throw new EmulatorError('BLOB_UNKNOWN', `blob ${digest.value} is not in the upstream of this remote repository`, { digest: digest.value });
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status}`, res.status);
    }
    const announced = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
    const length = announced !== undefined && Number.isSafeInteger(announced) && announced >= 0 ? announced : undefined;
    // the first request streams while the blob is stored (content/tee.ts); the client never gets the last chunk of bytes that fail verification
    const tee = toClient ? storeAndServe(res.body) : undefined;
    if (tee) toClient!({ stream: tee.client, ...(length !== undefined ? { length } : {}) });
    let size: number;
    try {
      size = await this.ingest.ingest(
        tee?.store ?? res.body,
        { address: digest.algorithm, expected: [digest], ...(length !== undefined ? { length } : {}) },
        async (blob) => {
          const now = this.clock.now().toISOString();
          await t.shard.transact((tx) => {
            if (!isLive(tx.get<BlobLink>(T.blobs, blobKey(t.image, blob.digest)))) {
              tx.put(T.blobs, blobKey(t.image, blob.digest), { size: blob.size, createTime: now, fetchTime: now } satisfies BlobLink);
            }
          });
          return blob.size;
        },
      );
    } catch (err) {
      res.body.destroy();
      const failure = blobFailure(err, digest);
      tee?.settle(false, failure);
      throw failure;
    }
    tee?.settle(true);
    this.notFound.delete(key);
    this.events.emit('cache.miss', { repository: t.repository, format: 'DOCKER', package: t.image, version: digest.value, kind: 'blob', sizeBytes: size, upstream: upstreamOf(t.record).base, latencyMs: Date.now() - started });
  }
}

/** An ingest failure of an upstream blob as the UpstreamError it stands for. */
function blobFailure(err: unknown, digest: ParsedDigest): Error {
  if (isUpstreamError(err)) return err;
  if (isEmulatorError(err) && err.code === 'DIGEST_MISMATCH') return new UpstreamError('digest', `upstream sent a blob that does not match ${digest.value}`);
  if (isEmulatorError(err) && err.code === 'SIZE_MISMATCH') return new UpstreamError('truncated', `upstream sent a blob of another length than announced for ${digest.value}`);
  const cause = (err as { cause?: unknown }).cause;
  if (isUpstreamError(cause)) return cause;
  return new UpstreamError('truncated', `upstream blob transfer failed: ${(err as Error).message}`);
}

/** Where an image's manifest or blob is upstream (DOCKER_HUB: an image without a slash is `library/IMAGE`). */
export function upstreamUrl(record: RepositoryRecord, image: string, kind: 'manifests' | 'blobs', reference: string): string {
  const up = upstreamOf(record);
  const name = up.hub && !image.includes('/') ? `library/${image}` : image;
  return `${up.base}/v2/${name}/${kind}/${reference}`;
}

function manifestUnknown(t: DockerTarget, reference: string): EmulatorError {
  return new EmulatorError('MANIFEST_UNKNOWN', `Failed to fetch "${reference}" from request "/v2/${t.name}/manifests/${reference}".`);
}

/** The tag TTL of a repository: its `emulator-tag-ttl-seconds` label, else the default. */
export const tagTtlSeconds = ttlSecondsOf;

/** Pushes and deletes through the registry into a remote or virtual repository are refused (docs/remote.md, docs/virtual.md). */
export function refuseRemoteWrite(t: DockerTarget): void {
  if (t.record.mode === 'REMOTE_REPOSITORY' || t.record.mode === 'VIRTUAL_REPOSITORY') {
    const kind = t.record.mode === 'REMOTE_REPOSITORY' ? 'remote' : 'virtual';
    throw new EmulatorError('UNSUPPORTED', `Repository "${t.ref.repository}" is a ${kind} repository: it is read-only (pushes and deletes through the registry are not allowed).`);
  }
}
