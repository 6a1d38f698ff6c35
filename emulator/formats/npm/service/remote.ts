// npm remote repositories (mode REMOTE_REPOSITORY): packuments and tarballs come from the repository's own cache
// (its shard and the blob store) and from the upstream registry when missing. A packument (full and abbreviated
// kept apart, as the client asked) is revalidated after its TTL (emulator time); a tarball is verified by the
// packument's dist.integrity / dist.shasum while it streams to the client, and is then a version like a published
// one (listings, cleanup and GC see it), which never changes again. When the upstream fails the cache answers.
// docs/remote.md (## npm) has the design and the choices where the real service's behaviour is not documented.
import { Readable } from 'node:stream';
import type { Clock } from '../../../core/clock.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { clip } from '../../../core/names.js';
import type { RepositoryRecord } from '../../../core/repository.js';
import { storeAndServe } from '../../../content/tee.js';
import { isUpstreamError, NegativeCache, readAll, remoteSourceOf, ttlSecondsOf, SingleFlight, UpstreamError, type SecretResolver, type Upstream, type UpstreamCredentials, upstreamFailureCode } from '../../../content/upstream.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import type { ExpectedDigest } from '../../../storage/ingest.js';
import type { BlobIngest } from '../../../storage/ingest.js';
import { integrityDigests, sriOf, tarballFileName } from '../names.js';
import { UPSTREAM_ACCEPT, upstreamVersion, type NpmDocument, type PackumentKind } from '../remote-wire.js';
import { upstreamManifest } from '../wire.js';
import { notFound } from './packages.js';
import { T, versionKey, type CachedPackumentRecord, type PackageRecord, type VersionRecord } from './tables.js';
import type { NpmTarget } from './target.js';

/** The most an upstream packument may hold (the full documents of the largest packages are tens of MB). */
const MAX_PACKUMENT_BYTES = 256 << 20;
/**
 * The header that counts how many remote repositories a request has passed through (this emulator's upstream
 * requests carry it, one more each time): npm's configured registry may be one of this emulator's own remote
 * repositories, and a loop must end with an error, not hang.
 */
export const HOPS_HEADER = 'x-ar-emulator-hops';
export const MAX_HOPS = 4;
/** set on the answer that ends a loop, so every remote repository on the way back says why */
const LOOP_HEADER = 'x-ar-emulator-loop';
const LOOP_TEXT = "the upstream of a remote repository leads back to this emulator (is npm's configured registry, which the NPMJS preset uses, one of its own repositories?)";

/** The hop count of an incoming request; UNAVAILABLE once it has gone through MAX_HOPS remote repositories. */
export function hopsOf(header: string | undefined): number {
  const hops = header && /^\d{1,3}$/.test(header) ? Number(header) : 0;
  if (hops >= MAX_HOPS) {
    throw new EmulatorError('UNAVAILABLE', `This request has passed through ${hops} remote repositories: ${LOOP_TEXT}`, undefined, { headers: { [LOOP_HEADER]: '1' } });
  }
  return hops;
}

/** Parsed upstream documents kept in memory, by blob digest (a warm install parses none), up to this many bytes of JSON. */
const PARSED_CACHE_BYTES = 64 << 20;

export interface RemoteNpmConfig {
  /** the custom URI, or undefined for the NPMJS preset (npm's configured registry, resolved on use) */
  custom?: string;
  credentials?: { username: string; passwordSecretVersion: string };
}

/** The upstream a remote npm repository's config names. */
export function remoteConfigOf(record: RepositoryRecord): RemoteNpmConfig {
  return remoteSourceOf(record, 'npmRepository');
}

/** The packument TTL of a repository: its `emulator-tag-ttl-seconds` label, else the default (content/upstream.ts). */
export const packumentTtlSeconds = ttlSecondsOf;

/** `@scope/name` → `@scope%2fname`, as npm asks a registry for it. */
export function packumentPath(name: string): string {
  return name.startsWith('@') ? `${name.slice(0, name.indexOf('/'))}%2f${encodeURIComponent(name.slice(name.indexOf('/') + 1))}` : encodeURIComponent(name);
}

export interface UpstreamPackument {
  /** the upstream's document (shared: never mutate it); undefined: the upstream does not have the package */
  doc: NpmDocument | undefined;
  /** the upstream failed and the cache answered */
  stale: boolean;
}

export type RemoteTarball = { record: VersionRecord } | { record?: undefined; stream: Readable; length?: number };

const packumentKey = (name: string, kind: PackumentKind) => `${name}|${kind}`;

export class NpmRemote {
  private readonly flights = new SingleFlight();
  private readonly tarballs = new Map<string, Promise<VersionRecord>>();
  private readonly notFound: NegativeCache;
  private readonly parsed = new Map<string, { doc: NpmDocument; size: number }>();
  private parsedBytes = 0;

  constructor(
    private readonly client: Upstream,
    private readonly secrets: SecretResolver,
    private readonly npmjs: (() => Promise<string>) | undefined,
    private readonly ingest: BlobIngest,
    private readonly blobs: BlobStore,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {
    this.notFound = new NegativeCache(clock);
  }

  /** The upstream's base URL (the NPMJS preset: npm's configured registry) and credentials. */
  async upstream(t: NpmTarget): Promise<{ base: string; credentials?: UpstreamCredentials }> {
    const c = remoteConfigOf(t.record);
    let base = c.custom;
    if (!base) {
      if (!this.npmjs) throw new UpstreamError('protocol', 'the NPMJS preset is not available in this emulator (no npm registry resolver)');
      try {
        base = (await this.npmjs()).replace(/\/+$/, '');
      } catch (err) {
        throw new UpstreamError('protocol', (err as Error).message);
      }
    }
    const credentials = c.credentials ? { username: c.credentials.username, password: this.secrets.resolve(c.credentials.passwordSecretVersion) } : undefined;
    return { base, ...(credentials ? { credentials } : {}) };
  }

  /** Versions of `name` this repository holds (tarball cached). */
  cachedVersions(t: NpmTarget, name: string): VersionRecord[] {
    return t.content.versionRecords<VersionRecord>(name);
  }

  /**
   * The upstream packument of `kind`: from the cache within its TTL, else fetched (or revalidated). The upstream
   * failing: the cached copy (stale), else UNAVAILABLE naming the reason. `count`: emit cache events.
   */
  async packument(t: NpmTarget, name: string, kind: PackumentKind, count = true, hops = 0): Promise<UpstreamPackument> {
    const key = packumentKey(name, kind);
    const rec = t.shard.get<CachedPackumentRecord>(T.remote, key);
    if (rec && this.fresh(t, rec)) {
      const doc = await this.load(rec);
      if (doc) {
        if (count) this.hit(t, name, undefined, 'version', rec.size);
        return { doc, stale: false };
      }
    }
    const flight = `${t.repository}|packument|${key}`;
    if (this.notFound.has(flight)) return { doc: undefined, stale: false };
    const started = Date.now();
    try {
      // a request that came back through a loop must not join the flight it is part of (it would wait on itself)
      return { doc: await this.flights.run(`${flight}|${hops}`, () => this.fetchPackument(t, name, kind, rec, flight, hops)), stale: false };
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      const doc = rec ? await this.load(rec) : undefined;
      const haveCache = doc !== undefined || this.cachedVersions(t, name).length > 0;
      await this.failed(t, name, err, started, haveCache);
      if (haveCache) {
        if (count) this.hit(t, name, undefined, 'version', rec?.size ?? 0, true);
        return { doc, stale: true };
      }
      throw unavailable(name, err);
    }
  }

  /** A version's tarball: the cached version, or a stream of the first fetch (stored and verified as it goes). */
  async tarball(t: NpmTarget, name: string, version: string, hops = 0): Promise<RemoteTarball> {
    const cached = t.shard.get<VersionRecord>(T.versions, versionKey(name, version));
    if (cached) {
      this.hit(t, name, version, 'file', cached.tarball.size);
      return { record: cached };
    }
    const flight = `${t.repository}|tarball|${name}@${version}`;
    const inFlight = () => this.tarballs.get(`${flight}|${hops}`);
    if (inFlight()) return { record: await inFlight()! };
    if (this.notFound.has(flight)) throw versionNotFound(name, version);
    const doc = await this.versionDocument(t, name, version, hops);
    if (!doc) throw versionNotFound(name, version);
    // another request may have started the fetch meanwhile (or finished it): wait for it, or use what it stored
    const running = inFlight();
    if (running) return { record: await running };
    const stored = t.shard.get<VersionRecord>(T.versions, versionKey(name, version));
    if (stored) return { record: stored };
    // set before the next await: a concurrent request finds this flight and waits for the stored copy
    let toClient!: (s: { stream: Readable; length?: number }) => void;
    const streamed = new Promise<{ stream: Readable; length?: number }>((resolve) => (toClient = resolve));
    const started = Date.now();
    const done = this.fetchTarball(t, name, version, doc, flight, toClient, hops);
    this.tarballs.set(`${flight}|${hops}`, done);
    done.then(
      () => this.tarballs.delete(`${flight}|${hops}`),
      () => this.tarballs.delete(`${flight}|${hops}`),
    );
    const first = await Promise.race([streamed, done.then((record) => ({ record }))]).catch(async (err: unknown) => {
      if (!isUpstreamError(err)) throw err;
      await this.failed(t, name, err, started, false);
      throw unavailable(`${name}@${version}`, err);
    });
    if ('record' in first) return { record: first.record };
    // failures once the body is streaming reach the client as a cut-off body; the feed hears why
    done.catch(async (err: unknown) => {
      if (isUpstreamError(err)) await this.failed(t, name, err, started, false);
    });
    return first;
  }

  /** The version document the tarball fetch trusts: the cached packuments first, then a fresh abbreviated one. */
  private async versionDocument(t: NpmTarget, name: string, version: string, hops: number): Promise<Record<string, unknown> | undefined> {
    for (const kind of ['full', 'abbreviated'] as const) {
      const rec = t.shard.get<CachedPackumentRecord>(T.remote, packumentKey(name, kind));
      const found = rec ? upstreamVersion(await this.load(rec), version) : undefined;
      if (found) return found;
    }
    return upstreamVersion((await this.packument(t, name, 'abbreviated', false, hops)).doc, version);
  }

  private fresh(t: NpmTarget, rec: CachedPackumentRecord): boolean {
    return this.clock.now().getTime() - Date.parse(rec.fetchTime) < packumentTtlSeconds(t.record) * 1000;
  }

  /** The parsed upstream document a cache record names (undefined when its blob is gone or unreadable). */
  private async load(rec: CachedPackumentRecord): Promise<NpmDocument | undefined> {
    const hit = this.parsed.get(rec.digest);
    if (hit) {
      this.parsed.delete(rec.digest);
      this.parsed.set(rec.digest, hit);
      return hit.doc;
    }
    try {
      const doc = JSON.parse((await this.blobs.read(rec.digest)).toString('utf8')) as NpmDocument;
      this.remember(rec.digest, doc, rec.size);
      return doc;
    } catch {
      return undefined;
    }
  }

  /** Keeps a parsed document (least recently used ones go first once the byte budget is spent). */
  private remember(digest: string, doc: NpmDocument, size: number): void {
    if (this.parsed.has(digest) || size > PARSED_CACHE_BYTES / 4) return;
    this.parsed.set(digest, { doc, size });
    this.parsedBytes += size;
    for (const [d, e] of this.parsed) {
      if (this.parsedBytes <= PARSED_CACHE_BYTES) break;
      this.parsed.delete(d);
      this.parsedBytes -= e.size;
    }
  }

  private hit(t: NpmTarget, name: string, version: string | undefined, kind: 'version' | 'file', size: number, stale?: boolean): void {
    this.events.emit('cache.hit', { repository: t.repository, format: 'NPM', package: name, ...(version ? { version } : {}), kind, sizeBytes: size, ...(stale ? { stale: true } : {}) });
  }

  private async failed(t: NpmTarget, name: string, err: UpstreamError, started: number, served: boolean): Promise<void> {
    const upstream = await this.upstream(t).then((u) => u.base, () => remoteConfigOf(t.record).custom ?? 'NPMJS');
    this.events.emit('upstream.failed', {
      repository: t.repository, format: 'NPM', package: name, upstream, reason: `${err.reason}: ${err.message}`,
      ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: Date.now() - started, served,
    });
  }

  private async fetchPackument(t: NpmTarget, name: string, kind: PackumentKind, rec: CachedPackumentRecord | undefined, flight: string, hops: number): Promise<NpmDocument | undefined> {
    const started = Date.now();
    const up = await this.upstream(t);
    const headers: Record<string, string> = { accept: UPSTREAM_ACCEPT[kind], [HOPS_HEADER]: String(hops + 1) };
    // revalidate only what can still be read (a cache record whose blob is gone is fetched again in full)
    if (rec?.etag && (await this.load(rec))) headers['if-none-match'] = rec.etag;
    const res = await this.client.request({ repository: t.repository, url: `${up.base}/${packumentPath(name)}`, headers, ...(up.credentials ? { credentials: up.credentials } : {}) });
    if (res.status === 304 && rec) {
      res.body.resume();
      const doc = await this.load(rec);
      if (doc) {
        const now = this.clock.now().toISOString();
        await t.shard.transact((tx) => {
          const cur = tx.get<CachedPackumentRecord>(T.remote, packumentKey(name, kind));
          if (cur?.digest === rec.digest) tx.put(T.remote, packumentKey(name, kind), { ...cur, fetchTime: now } satisfies CachedPackumentRecord);
        });
        return doc;
      }
    }
    if (res.status === 404) {
      res.body.resume();
      this.notFound.add(flight);
      return undefined;
    }
    if (res.status !== 200) throw await statusError(res, `the packument of ${clip(name)}`);
    const body = await readAll(res.body, MAX_PACKUMENT_BYTES);
    const announced = res.headers['content-length'];
    if (announced !== undefined && Number(announced) !== body.length) throw new UpstreamError('truncated', 'upstream packument body ended early');
    let doc: NpmDocument;
    try {
      doc = JSON.parse(body.toString('utf8')) as NpmDocument;
    } catch {
      throw new UpstreamError('protocol', `upstream sent a packument of ${clip(name)} that is not JSON`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || (doc.name !== undefined && doc.name !== name)) {
      throw new UpstreamError('protocol', `upstream sent a document that is not the packument of ${clip(name)}`);
    }
    const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
    const stored = await this.ingest.ingest(Readable.from([body]), { address: 'sha256' }, async (blob) => {
      const now = this.clock.now().toISOString();
      const value: CachedPackumentRecord = { digest: blob.digest, size: blob.size, fetchTime: now, ...(etag ? { etag } : {}) };
      await t.shard.transact((tx) => tx.put(T.remote, packumentKey(name, kind), value));
      return value;
    });
    this.remember(stored.digest, doc, stored.size);
    this.notFound.delete(flight);
    this.events.emit('cache.miss', { repository: t.repository, format: 'NPM', package: name, kind: 'version', sizeBytes: body.length, upstream: up.base, latencyMs: Date.now() - started });
    return doc;
  }

  private async fetchTarball(
    t: NpmTarget, name: string, version: string, doc: Record<string, unknown>, flight: string,
    toClient: (s: { stream: Readable; length?: number }) => void,
    hops: number,
  ): Promise<VersionRecord> {
    const started = Date.now();
    const up = await this.upstream(t);
    const dist = (typeof doc.dist === 'object' && doc.dist !== null ? doc.dist : {}) as Record<string, unknown>;
    const url = typeof dist.tarball === 'string' ? dist.tarball : undefined;
    if (!url || !/^https?:\/\//i.test(url)) throw new UpstreamError('protocol', `upstream packument gives no http(s) dist.tarball for ${clip(name)}@${clip(version)}`);
    const expected: ExpectedDigest[] = [];
    try {
      if (typeof dist.integrity === 'string') expected.push(...integrityDigests(dist.integrity));
    } catch {
      throw new UpstreamError('protocol', `upstream packument gives a malformed dist.integrity for ${clip(name)}@${clip(version)}`);
    }
    if (typeof dist.shasum === 'string' && /^[0-9a-fA-F]{40}$/.test(dist.shasum) && !expected.some((e) => e.algorithm === 'sha1')) expected.push({ algorithm: 'sha1', hex: dist.shasum.toLowerCase() });
    if (expected.length === 0) throw new UpstreamError('protocol', `upstream packument gives neither dist.integrity nor dist.shasum for ${clip(name)}@${clip(version)}: its tarball cannot be verified`);
    // credentials go only to the upstream's own origin, never to a host a packument names
    const sameOrigin = new URL(url).origin === new URL(up.base).origin;
    const res = await this.client.request({ repository: t.repository, url, headers: { [HOPS_HEADER]: String(hops + 1) }, ...(up.credentials && sameOrigin ? { credentials: up.credentials } : {}) });
    if (res.status === 404) {
      res.body.resume();
      this.notFound.add(flight);
      throw versionNotFound(name, version);
    }
    if (res.status !== 200) throw await statusError(res, `the tarball of ${clip(name)}@${clip(version)}`);
    const announced = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
    const length = announced !== undefined && Number.isSafeInteger(announced) && announced >= 0 ? announced : undefined;
    const tee = storeAndServe(res.body);
    toClient({ stream: tee.client, ...(length !== undefined ? { length } : {}) });
    const manifest = upstreamManifest(doc) ?? { name, version };
    const deprecated = typeof doc.deprecated === 'string' && doc.deprecated ? doc.deprecated : undefined;
    let record: VersionRecord;
    try {
      record = await this.ingest.ingest(
        tee.store,
        { address: 'sha512', algorithms: ['sha1', 'sha256'], expected, ...(length !== undefined ? { length } : {}) },
        (blob) => t.shard.transact((tx) => {
          const existing = tx.get<VersionRecord>(T.versions, versionKey(name, version));
          if (existing) return existing;
          const now = this.clock.now().toISOString();
          const pkg = tx.get<PackageRecord>(T.packages, name);
          const description = typeof manifest.description === 'string' ? manifest.description.slice(0, 4096) : undefined;
          tx.put(T.packages, name, {
            createTime: pkg?.createTime ?? now, updateTime: now, rev: (pkg?.rev ?? 0) + 1,
            ...(description !== undefined ? { description } : pkg?.description !== undefined ? { description: pkg.description } : {}),
          } satisfies PackageRecord);
          const v: VersionRecord = {
            name, version, manifest, createTime: now, updateTime: now, fetchTime: now,
            ...(deprecated ? { deprecated } : {}),
            tarball: {
              file: tarballFileName(name, version), digest: blob.digest, size: blob.size,
              sha1: blob.digests.sha1!, sha256: blob.digests.sha256!, integrity: sriOf(blob.digests.sha512!),
            },
          };
          tx.put(T.versions, versionKey(name, version), v);
          return v;
        }),
      );
    } catch (err) {
      res.body.destroy();
      const failure = asUpstreamFailure(err, name, version);
      tee.settle(false, failure);
      throw failure;
    }
    tee.settle(true);
    this.notFound.delete(flight);
    this.events.emit('cache.miss', { repository: t.repository, format: 'NPM', package: name, version, kind: 'file', sizeBytes: record.tarball.size, upstream: up.base, latencyMs: Date.now() - started });
    return record;
  }
}

/** An upstream answer other than 200 as a failure naming the status and what the upstream said. */
async function statusError(res: { status: number; headers: Record<string, unknown>; body: Readable }, what: string): Promise<UpstreamError> {
  if (res.headers[LOOP_HEADER]) {
    res.body.resume();
    return new UpstreamError('protocol', LOOP_TEXT, res.status);
  }
  return new UpstreamError('status', `upstream answered ${res.status} for ${what}${await errorText(res.body)}`, res.status);
}

/** What an upstream's error body says (npm's `{"error": …}` or the first line of text), as `: …`; '' when nothing. */
async function errorText(body: Readable): Promise<string> {
  let raw: string;
  try {
    raw = (await readAll(body, 4096)).toString('utf8');
  } catch {
    return '';
  }
  let text = raw;
  try {
    const parsed = JSON.parse(raw) as { error?: unknown; reason?: unknown };
    text = typeof parsed.error === 'string' ? parsed.error : typeof parsed.reason === 'string' ? parsed.reason : '';
  } catch {
    text = /^\s*</.test(raw) ? '' : raw.split('\n')[0]!;
  }
  text = text.trim().slice(0, 300);
  return text ? `: ${text}` : '';
}

function asUpstreamFailure(err: unknown, name: string, version: string): Error {
  const id = `${clip(name)}@${clip(version)}`;
  if (isUpstreamError(err)) return err;
  if (isEmulatorError(err) && err.code === 'DIGEST_MISMATCH') return new UpstreamError('digest', `upstream sent a tarball of ${id} that does not match its dist.integrity / dist.shasum`);
  if (isEmulatorError(err) && err.code === 'SIZE_MISMATCH') return new UpstreamError('truncated', `upstream sent a tarball of ${id} of another length than announced`);
  const cause = (err as { cause?: unknown }).cause;
  if (isUpstreamError(cause)) return cause;
  if (isEmulatorError(err) && err.code !== 'UPLOAD_INVALID') return err;
  return new UpstreamError('truncated', `upstream tarball transfer of ${id} failed: ${(err as Error).message}`);
}

function unavailable(what: string, err: UpstreamError): EmulatorError {
  const loop = err.message === LOOP_TEXT ? { headers: { [LOOP_HEADER]: '1' } } : undefined;
  return new EmulatorError(upstreamFailureCode(err), `This remote repository cannot fetch ${clip(what)} from its upstream and has no cached copy: ${err.message}`, undefined, loop);
}

export function versionNotFound(name: string, version: string): EmulatorError {
  return new EmulatorError('NOT_FOUND', `${clip(name)}@${clip(version)} is not in this registry`);
}

export { notFound };

/** Writes (publish, dist-tag, deprecate, unpublish) through the registry into a remote or virtual repository are refused. */
export function refuseNonStandardWrite(t: NpmTarget): void {
  if (t.record.mode === 'REMOTE_REPOSITORY') {
    throw new EmulatorError('UNSUPPORTED', `Repository "${t.ref.repository}" is a remote repository: it is read-only (npm publish, dist-tag, deprecate and unpublish are not allowed).`);
  }
  if (t.record.mode === 'VIRTUAL_REPOSITORY') {
    throw new EmulatorError('UNSUPPORTED', `Repository "${t.ref.repository}" is a virtual repository: it is read-only (npm publish, dist-tag, deprecate and unpublish are not allowed).`);
  }
}
