// Maven remote repositories (mode REMOTE_REPOSITORY): files (jars, poms, …) come from the repository's cache and,
// when missing, from the upstream at the same path; a fetched file is verified by the upstream's .sha1 when it
// has one, stored, and then never changes (served like a deployed file). maven-metadata.xml is cached with the
// metadata TTL (content/upstream.ts ttlSecondsOf) and served stale when the upstream fails. The MAVEN_CENTRAL
// preset's URL comes from configuration (AR_EMULATOR_MAVEN_CENTRAL_URL); docs/remote.md (## Maven).
import { Readable } from 'node:stream';
import type { Clock } from '../../../core/clock.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { clip } from '../../../core/names.js';
import { isUpstreamError, NegativeCache, readAll, remoteSourceOf, SingleFlight, ttlSecondsOf, UpstreamError, type SecretResolver, type Upstream, type UpstreamCredentials, upstreamFailureCode } from '../../../content/upstream.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import type { BlobIngest, ExpectedDigest } from '../../../storage/ingest.js';
import type { MavenPath } from '../names.js';
import type { MavenPackages, MavenTarget } from './packages.js';
import { T, type CachedMetadataRecord, type FileRecord } from './tables.js';

const MAX_METADATA_BYTES = 8 << 20;

export class MavenRemote {
  private readonly flights = new SingleFlight();
  private readonly notFound: NegativeCache;

  constructor(
    private readonly client: Upstream,
    private readonly secrets: SecretResolver,
    private readonly mavenCentral: () => string | undefined,
    private readonly packages: MavenPackages,
    private readonly ingest: BlobIngest,
    private readonly blobs: BlobStore,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly maxFileBytes: number,
  ) {
    this.notFound = new NegativeCache(clock);
  }

  private upstream(t: MavenTarget): { base: string; credentials?: UpstreamCredentials } {
    const src = remoteSourceOf(t.record, 'mavenRepository');
    const base = src.custom ?? this.mavenCentral()?.replace(/\/+$/, '');
    if (!base) throw new UpstreamError('protocol', 'the MAVEN_CENTRAL preset has no URL: set AR_EMULATOR_MAVEN_CENTRAL_URL');
    const credentials = src.credentials ? { username: src.credentials.username, password: this.secrets.resolve(src.credentials.passwordSecretVersion) } : undefined;
    return { base, ...(credentials ? { credentials } : {}) };
  }

  private baseOf(t: MavenTarget): string {
    try {
      return this.upstream(t).base;
    } catch {
      return 'MAVEN_CENTRAL';
    }
  }

  /** A file: the cached copy, or fetched, verified and stored first. NOT_FOUND when the upstream has none. */
  async file(t: MavenTarget, p: Extract<MavenPath, { kind: 'file' }>): Promise<FileRecord> {
    const cached = this.packages.file(t, p.path);
    if (cached) {
      this.events.emit('cache.hit', { repository: t.repository, format: 'MAVEN', package: `${p.groupId}:${p.artifactId}`, version: p.version, kind: 'file', sizeBytes: cached.size });
      return cached;
    }
    const flight = `${t.repository}|file|${p.path}`;
    if (this.notFound.has(flight)) throw notFound(p.path);
    const started = Date.now();
    try {
      return await this.flights.run(flight, () => this.fetchFile(t, p, flight));
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      this.failed(t, p, err, started, false);
      throw unavailable(p.path, err);
    }
  }

  /** The upstream's maven-metadata.xml at `path` (fresh, revalidated after the TTL, or stale when the upstream fails); undefined: it has none. */
  async metadata(t: MavenTarget, p: MavenPath): Promise<Buffer | undefined> {
    const rec = t.shard.get<CachedMetadataRecord>(T.metadata, p.path);
    if (rec && this.clock.now().getTime() - Date.parse(rec.fetchTime) < ttlSecondsOf(t.record) * 1000) {
      const body = await this.blobs.read(rec.digest).catch(() => undefined);
      if (body) {
        this.events.emit('cache.hit', { repository: t.repository, format: 'MAVEN', package: `${p.groupId}:${p.artifactId}`, kind: 'version', sizeBytes: body.length });
        return body;
      }
    }
    const flight = `${t.repository}|meta|${p.path}`;
    if (this.notFound.has(flight)) return undefined;
    const started = Date.now();
    try {
      return await this.flights.run(flight, () => this.fetchMetadata(t, p, flight));
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      const body = rec ? await this.blobs.read(rec.digest).catch(() => undefined) : undefined;
      this.failed(t, p, err, started, body !== undefined);
      if (body) {
        this.events.emit('cache.hit', { repository: t.repository, format: 'MAVEN', package: `${p.groupId}:${p.artifactId}`, kind: 'version', sizeBytes: body.length, stale: true });
        return body;
      }
      throw unavailable(p.path, err);
    }
  }

  private async get(t: MavenTarget, path: string): Promise<{ status: number; body: Readable; length?: number }> {
    const up = this.upstream(t);
    const url = `${up.base}/${path.split('/').map(encodeURIComponent).join('/')}`;
    const res = await this.client.request({ repository: t.repository, url, ...(up.credentials ? { credentials: up.credentials } : {}) });
    const announced = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
    if (res.status === 404 || res.status === 410) {
      res.body.resume();
      return { status: 404, body: res.body };
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status} for ${clip(path)}`, res.status);
    }
    return { status: 200, body: res.body, ...(announced !== undefined && Number.isSafeInteger(announced) && announced >= 0 ? { length: announced } : {}) };
  }

  private async fetchFile(t: MavenTarget, p: Extract<MavenPath, { kind: 'file' }>, flight: string): Promise<FileRecord> {
    const started = Date.now();
    const expected: ExpectedDigest[] = [];
    const sum = await this.get(t, `${p.path}.sha1`);
    if (sum.status === 200) {
      const hex = (await readAll(sum.body, 4096)).toString('utf8').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      if (/^[0-9a-f]{40}$/.test(hex)) expected.push({ algorithm: 'sha1', hex });
    }
    const res = await this.get(t, p.path);
    if (res.status === 404) {
      this.notFound.add(flight);
      throw notFound(p.path);
    }
    if (res.length !== undefined && res.length > this.maxFileBytes) {
      res.body.destroy();
      throw new UpstreamError('protocol', `upstream file ${clip(p.path)} is larger than this emulator accepts`);
    }
    let record: FileRecord;
    try {
      record = await this.ingest.ingest(
        res.body,
        { algorithms: ['sha1', 'md5', 'sha512'], expected, ...(res.length !== undefined ? { length: res.length } : {}), limit: { bytes: this.maxFileBytes, code: 'RESOURCE_EXHAUSTED' } },
        async (blob) => {
          const now = this.clock.now().toISOString();
          return this.packages.addFile(t, {
            path: p.path, groupId: p.groupId, artifactId: p.artifactId, version: p.version, filename: p.filename, size: blob.size, digest: blob.digest,
            sha1: blob.digests.sha1!, md5: blob.digests.md5!, sha256: blob.digests.sha256!, sha512: blob.digests.sha512!, uploadTime: now, updateTime: now, fetchTime: now,
          }, 'never');
        },
      );
    } catch (err) {
      res.body.destroy();
      if (isEmulatorError(err) && err.code === 'DIGEST_MISMATCH') throw new UpstreamError('digest', `upstream sent ${clip(p.path)} with a sha1 that does not match its .sha1 file`);
      if (isEmulatorError(err) && (err.code === 'SIZE_MISMATCH' || err.code === 'UPLOAD_INVALID')) throw new UpstreamError('truncated', `upstream transfer of ${clip(p.path)} ended early`);
      if (isEmulatorError(err) && err.code === 'RESOURCE_EXHAUSTED') throw new UpstreamError('protocol', `upstream file ${clip(p.path)} is larger than this emulator accepts`);
      throw err;
    }
    this.notFound.delete(flight);
    this.events.emit('cache.miss', { repository: t.repository, format: 'MAVEN', package: `${p.groupId}:${p.artifactId}`, version: p.version, kind: 'file', sizeBytes: record.size, upstream: this.baseOf(t), latencyMs: Date.now() - started });
    return record;
  }

  private async fetchMetadata(t: MavenTarget, p: MavenPath, flight: string): Promise<Buffer | undefined> {
    const started = Date.now();
    const res = await this.get(t, p.path);
    if (res.status === 404) {
      this.notFound.add(flight);
      return undefined;
    }
    const body = await readAll(res.body, MAX_METADATA_BYTES);
    if (res.length !== undefined && res.length !== body.length) throw new UpstreamError('truncated', 'upstream maven-metadata.xml ended early');
    const stored = await this.ingest.ingest(Readable.from([body]), { address: 'sha256' }, async (blob) => {
      await t.shard.transact((tx) => tx.put(T.metadata, p.path, { digest: blob.digest, size: blob.size, fetchTime: this.clock.now().toISOString() } satisfies CachedMetadataRecord));
      return body;
    });
    this.notFound.delete(flight);
    this.events.emit('cache.miss', { repository: t.repository, format: 'MAVEN', package: `${p.groupId}:${p.artifactId}`, kind: 'version', sizeBytes: body.length, upstream: this.baseOf(t), latencyMs: Date.now() - started });
    return stored;
  }

  private failed(t: MavenTarget, p: MavenPath, err: UpstreamError, started: number, served: boolean): void {
    this.events.emit('upstream.failed', {
      repository: t.repository, format: 'MAVEN', package: `${p.groupId}:${p.artifactId}`, upstream: this.baseOf(t), reason: `${err.reason}: ${err.message}`,
      ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: Date.now() - started, served,
    });
  }
}

export function notFound(path: string): EmulatorError {
  return new EmulatorError('NOT_FOUND', `Could not find ${path.slice(0, 300)} in this repository.`);
}

function unavailable(path: string, err: UpstreamError): EmulatorError {
  return new EmulatorError(upstreamFailureCode(err), `This remote repository cannot fetch ${clip(path)} from its upstream and has no cached copy: ${err.message}`);
}
