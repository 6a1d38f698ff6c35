// Python remote repositories (mode REMOTE_REPOSITORY): project pages and distribution files come from the
// repository's own cache (its shard and the blob store) and from the upstream index (PEP 503/691) when missing. A
// page is revalidated after its TTL (emulator time); a file is verified by the hash its page gives while it streams
// to the client, and is then a file like an uploaded one (listings, cleanup and GC see it), which never changes
// again. When the upstream fails the cache answers. docs/remote.md (## Python) has the design and the choices.
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { Clock } from '../../../core/clock.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { clip } from '../../../core/names.js';
import type { RepositoryRecord } from '../../../core/repository.js';
import { storeAndServe } from '../../../content/tee.js';
import { isUpstreamError, NegativeCache, readAll, remoteSourceOf, ttlSecondsOf, SingleFlight, UpstreamError, type SecretResolver, type Upstream, type UpstreamCredentials, upstreamFailureCode } from '../../../content/upstream.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import type { BlobIngest, ExpectedDigest } from '../../../storage/ingest.js';
import type { HashAlgorithm } from '../../../storage/multi-hash.js';
import { normalizeVersion, parseFilename, pep440, requiresPythonOf } from '../names.js';
import { parseUpstreamPage, UPSTREAM_ACCEPT, type UpstreamFile, type UpstreamPage } from '../remote-wire.js';
import { MAX_CORE_METADATA_BYTES, readWheelMetadata } from './core-metadata.js';
import type { PythonPackages, PythonTarget } from './packages.js';
import { T, type CachedPageRecord, type FileRecord } from './tables.js';

/** The PYPI preset's upstream: PyPI's simple index (tests never reach it). */
export const PYPI_SIMPLE_INDEX = 'https://pypi.org/simple';
/** The most an upstream project page may hold (PyPI's largest pages are a few MB). */
const MAX_PAGE_BYTES = 64 << 20;
const PARSED_CACHE_ENTRIES = 256;

/** Hash names of PEP 503/691 that the ingest path can verify. */
const VERIFIABLE: Record<string, HashAlgorithm> = { sha256: 'sha256', sha512: 'sha512', sha1: 'sha1', md5: 'md5', blake2b_256: 'blake2b-256' };

export interface RemotePythonConfig {
  /** the index root (what pip takes as --index-url), without the final slash */
  base: string;
  credentials?: { username: string; passwordSecretVersion: string };
}

/** The upstream a remote Python repository's config names (custom URI, commonRepository URI or the PYPI preset). */
export function remoteConfigOf(record: RepositoryRecord): RemotePythonConfig {
  const { custom, credentials } = remoteSourceOf(record, 'pythonRepository');
  return { base: custom ?? PYPI_SIMPLE_INDEX, ...(credentials ? { credentials } : {}) };
}

/** The page TTL of a repository: its `emulator-tag-ttl-seconds` label, else the default (content/upstream.ts). */
export const pageTtlSeconds = ttlSecondsOf;

export interface RemotePage {
  /** the upstream's page (shared: never mutate it); undefined: the upstream does not have the project */
  page: UpstreamPage | undefined;
  /** the upstream failed and the cache answered */
  stale: boolean;
}

export type RemoteFile = { record: FileRecord } | { record?: undefined; stream: Readable; length?: number };

export class PythonRemote {
  private readonly flights = new SingleFlight();
  private readonly files = new Map<string, Promise<FileRecord>>();
  private readonly notFound: NegativeCache;
  private readonly parsed = new Map<string, UpstreamPage>();

  constructor(
    private readonly client: Upstream,
    private readonly secrets: SecretResolver,
    private readonly packages: PythonPackages,
    private readonly ingest: BlobIngest,
    private readonly blobs: BlobStore,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly maxFileBytes: number,
  ) {
    this.notFound = new NegativeCache(clock);
  }

  private upstream(t: PythonTarget): { base: string; credentials?: UpstreamCredentials } {
    const c = remoteConfigOf(t.record);
    const credentials = c.credentials ? { username: c.credentials.username, password: this.secrets.resolve(c.credentials.passwordSecretVersion) } : undefined;
    return { base: c.base, ...(credentials ? { credentials } : {}) };
  }

  /** Whether the project is in the cache at all (a cached page or file), without asking the upstream. */
  isCached(t: PythonTarget, project: string): boolean {
    return t.shard.get(T.pages, project) !== undefined || this.packages.project(t, project) !== undefined;
  }

  /**
   * The upstream's page of `project`: from the cache within its TTL, else fetched (or revalidated). The upstream
   * failing: the cached copy (stale), else UNAVAILABLE naming the reason. `count`: emit cache events.
   */
  async page(t: PythonTarget, project: string, count = true): Promise<RemotePage> {
    const rec = t.shard.get<CachedPageRecord>(T.pages, project);
    if (rec && this.fresh(t, rec)) {
      const page = await this.load(rec);
      if (page) {
        if (count) this.hit(t, project, undefined, 'version', rec.size);
        return { page, stale: false };
      }
    }
    const flight = `${t.repository}|page|${project}`;
    if (this.notFound.has(flight)) return { page: undefined, stale: false };
    const started = Date.now();
    try {
      return { page: await this.flights.run(flight, () => this.fetchPage(t, project, rec, flight)), stale: false };
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      const page = rec ? await this.load(rec) : undefined;
      const haveCache = page !== undefined || this.packages.project(t, project) !== undefined;
      this.failed(t, project, err, started, haveCache);
      if (haveCache) {
        if (count) this.hit(t, project, undefined, 'version', rec?.size ?? 0, true);
        return { page, stale: true };
      }
      throw unavailable(`the page of project '${clip(project)}'`, err);
    }
  }

  /** A distribution file: the cached one, or a stream of the first fetch (stored and verified as it goes). */
  async file(t: PythonTarget, project: string, filename: string): Promise<RemoteFile> {
    const cached = this.packages.file(t, filename);
    if (cached && cached.project === project) {
      this.hit(t, project, cached.version, 'file', cached.size);
      return { record: cached };
    }
    if (cached) throw fileNotFound(filename);
    const flight = `${t.repository}|file|${filename}`;
    const running = this.files.get(flight);
    if (running) {
      try {
        return { record: await running };
      } catch (err) {
        throw isUpstreamError(err) ? unavailable(`'${clip(filename)}'`, err) : err;
      }
    }
    if (this.notFound.has(flight)) throw fileNotFound(filename);
    // set before any await: a concurrent request finds this flight and waits for the stored copy
    let toClient!: (s: { stream: Readable; length?: number }) => void;
    const streamed = new Promise<{ stream: Readable; length?: number }>((resolve) => (toClient = resolve));
    const started = Date.now();
    const done = this.link(t, project, filename).then(({ link, name }) => this.fetchFile(t, project, name, link, flight, toClient));
    this.files.set(flight, done);
    done.then(
      () => this.files.delete(flight),
      () => this.files.delete(flight),
    );
    const first = await Promise.race([streamed, done.then((record) => ({ record }))]).catch((err: unknown) => {
      if (!isUpstreamError(err)) throw err;
      this.failed(t, project, err, started, false);
      throw unavailable(`'${clip(filename)}'`, err);
    });
    if ('record' in first) return { record: first.record };
    // failures once the body is streaming reach the client as a cut-off body; the feed hears why
    done.catch((err: unknown) => {
      if (isUpstreamError(err)) this.failed(t, project, err, started, false);
    });
    return first;
  }

  /**
   * The core metadata file (PEP 658) of a file not cached yet, as its upstream page announces it: fetched from the
   * upstream, verified by the announced hash, and served without being kept (the file's own copy is extracted
   * from the wheel once the wheel is cached).
   */
  async coreMetadata(t: PythonTarget, project: string, filename: string): Promise<Buffer> {
    const { link } = await this.link(t, project, filename);
    // node:crypto hashes all but blake2b-256 (which a page gives only next to sha256 in practice)
    const expected = (link.coreMetadata ? verifiable(link.coreMetadata) : []).filter((e) => e.algorithm !== 'blake2b-256');
    if (!expected.length) throw fileNotFound(`${filename}.metadata`);
    const up = this.upstream(t);
    const started = Date.now();
    try {
      const res = await this.client.request({ repository: t.repository, url: `${link.url}.metadata`, ...this.credentialsFor(up, link.url) });
      if (res.status === 404) {
        res.body.resume();
        throw fileNotFound(`${filename}.metadata`);
      }
      if (res.status !== 200) {
        res.body.resume();
        throw new UpstreamError('status', `upstream answered ${res.status} for the core metadata of ${clip(filename)}`, res.status);
      }
      const body = await readAll(res.body, MAX_CORE_METADATA_BYTES);
      for (const e of expected) {
        if (createHash(e.algorithm).update(body).digest('hex') !== e.hex) throw new UpstreamError('digest', `upstream sent core metadata of ${clip(filename)} that does not match its page's ${e.algorithm}`);
      }
      return body;
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      this.failed(t, project, err, started, false);
      throw unavailable(`the core metadata of '${clip(filename)}'`, err);
    }
  }

  /** The upstream link of `filename` on the project's page (cached, or fetched); NOT_FOUND when the page has none. */
  private async link(t: PythonTarget, project: string, filename: string): Promise<{ link: UpstreamFile; name: string }> {
    const { page } = await this.page(t, project, false);
    const link = page?.files.find((f) => f.filename === filename);
    if (!link) throw fileNotFound(filename);
    return { link, name: page!.name };
  }

  private fresh(t: PythonTarget, rec: CachedPageRecord): boolean {
    return this.clock.now().getTime() - Date.parse(rec.fetchTime) < pageTtlSeconds(t.record) * 1000;
  }

  /** The parsed page a cache record names (undefined when its blob is gone or unreadable). */
  private async load(rec: CachedPageRecord): Promise<UpstreamPage | undefined> {
    const hit = this.parsed.get(rec.digest);
    if (hit) {
      this.parsed.delete(rec.digest);
      this.parsed.set(rec.digest, hit);
      return hit;
    }
    try {
      const page = JSON.parse((await this.blobs.read(rec.digest)).toString('utf8')) as UpstreamPage;
      this.remember(rec.digest, page);
      return page;
    } catch {
      return undefined;
    }
  }

  private remember(digest: string, page: UpstreamPage): void {
    this.parsed.set(digest, page);
    if (this.parsed.size > PARSED_CACHE_ENTRIES) this.parsed.delete(this.parsed.keys().next().value!);
  }

  private hit(t: PythonTarget, project: string, version: string | undefined, kind: 'version' | 'file', size: number, stale?: boolean): void {
    this.events.emit('cache.hit', { repository: t.repository, format: 'PYTHON', package: project, ...(version ? { version } : {}), kind, sizeBytes: size, ...(stale ? { stale: true } : {}) });
  }

  private failed(t: PythonTarget, project: string, err: UpstreamError, started: number, served: boolean): void {
    this.events.emit('upstream.failed', {
      repository: t.repository, format: 'PYTHON', package: project, upstream: remoteConfigOf(t.record).base, reason: `${err.reason}: ${err.message}`,
      ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: Date.now() - started, served,
    });
  }

  /** Credentials go only to the upstream's own origin, never to another host a page links to. */
  private credentialsFor(up: { base: string; credentials?: UpstreamCredentials }, url: string): { credentials?: UpstreamCredentials } {
    return up.credentials && new URL(url).origin === new URL(up.base).origin ? { credentials: up.credentials } : {};
  }

  private async fetchPage(t: PythonTarget, project: string, rec: CachedPageRecord | undefined, flight: string): Promise<UpstreamPage | undefined> {
    const started = Date.now();
    const up = this.upstream(t);
    const url = `${up.base}/${encodeURIComponent(project)}/`;
    const headers: Record<string, string> = { accept: UPSTREAM_ACCEPT };
    // revalidate only what can still be read (a record whose blob is gone is fetched again in full)
    if (rec?.etag && (await this.load(rec))) headers['if-none-match'] = rec.etag;
    const res = await this.client.request({ repository: t.repository, url, headers, ...(up.credentials ? { credentials: up.credentials } : {}) });
    if (res.status === 304 && rec) {
      res.body.resume();
      const page = await this.load(rec);
      if (page) {
        const now = this.clock.now().toISOString();
        await t.shard.transact((tx) => {
          const cur = tx.get<CachedPageRecord>(T.pages, project);
          if (cur?.digest === rec.digest) tx.put(T.pages, project, { ...cur, fetchTime: now } satisfies CachedPageRecord);
        });
        return page;
      }
    }
    if (res.status === 404 || res.status === 410) {
      res.body.resume();
      this.notFound.add(flight);
      return undefined;
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status} for the page of ${clip(project)}`, res.status);
    }
    const body = await readAll(res.body, MAX_PAGE_BYTES);
    const announced = res.headers['content-length'];
    if (announced !== undefined && Number(announced) !== body.length) throw new UpstreamError('truncated', 'upstream page body ended early');
    let page: UpstreamPage;
    try {
      const type = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
      page = await parseUpstreamPage(body.toString('utf8'), type, res.url, project);
    } catch {
      throw new UpstreamError('protocol', `upstream sent a page of ${clip(project)} that is not a PEP 503/691 project page`);
    }
    const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
    const stored = await this.ingest.ingest(Readable.from([Buffer.from(JSON.stringify(page))]), { address: 'sha256' }, async (blob) => {
      const value: CachedPageRecord = { digest: blob.digest, size: blob.size, fetchTime: this.clock.now().toISOString(), ...(etag ? { etag } : {}) };
      await t.shard.transact((tx) => tx.put(T.pages, project, value));
      return value;
    });
    this.remember(stored.digest, page);
    this.notFound.delete(flight);
    this.events.emit('cache.miss', { repository: t.repository, format: 'PYTHON', package: project, kind: 'version', sizeBytes: body.length, upstream: up.base, latencyMs: Date.now() - started });
    return page;
  }

  private async fetchFile(
    t: PythonTarget, project: string, displayName: string, link: UpstreamFile, flight: string,
    toClient: (s: { stream: Readable; length?: number }) => void,
  ): Promise<FileRecord> {
    const started = Date.now();
    const up = this.upstream(t);
    const filename = link.filename;
    const expected = verifiable(link.hashes);
    if (expected.length === 0) throw new UpstreamError('protocol', `upstream page gives no hash for ${clip(filename)}: the file cannot be verified`);
    const parsed = parseFilename(filename);
    const version = parsed ? normalizeVersion(parsed.version) : undefined;
    if (!parsed || !version) throw new UpstreamError('protocol', `upstream page links a file whose name is not a distribution of ${clip(project)}`);
    const res = await this.client.request({ repository: t.repository, url: link.url, ...this.credentialsFor(up, link.url) });
    if (res.status === 404 || res.status === 410) {
      res.body.resume();
      this.notFound.add(flight);
      throw fileNotFound(filename);
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status} for ${clip(filename)}`, res.status);
    }
    const announced = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
    const length = announced !== undefined && Number.isSafeInteger(announced) && announced >= 0 ? announced : undefined;
    if (length !== undefined && length > this.maxFileBytes) {
      res.body.destroy();
      throw new UpstreamError('protocol', `upstream file ${clip(filename)} is larger than the ${this.maxFileBytes} bytes this emulator accepts`);
    }
    const tee = storeAndServe(res.body);
    forwardOnFirstByte(tee.client, (stream) => toClient({ stream, ...(length !== undefined ? { length } : {}) }));
    let record: FileRecord;
    try {
      record = await this.ingest.ingest(
        tee.store,
        { algorithms: ['md5', 'blake2b-256'], expected, ...(length !== undefined ? { length } : {}), limit: { bytes: this.maxFileBytes, code: 'RESOURCE_EXHAUSTED' } },
        async (blob) => {
          const now = this.clock.now().toISOString();
          const rec: FileRecord = {
            filename, project, version, filetype: parsed.filetype, size: blob.size, digest: blob.digest,
            sha256: blob.digests.sha256!, md5: blob.digests.md5!, blake2_256: blob.digests['blake2b-256']!,
            ...(link.requiresPython && pep440().validRange(link.requiresPython) ? { requiresPython: link.requiresPython } : {}),
            uploadTime: now, fetchTime: now,
          };
          const metadata = parsed.filetype === 'bdist_wheel' ? await readWheelMetadata(this.blobs, blob.digest, blob.size, filename, project).catch(() => undefined) : undefined;
          if (!metadata) return this.record(t, rec, displayName);
          const sha256 = createHash('sha256').update(metadata).digest('hex');
          rec.metadata = { digest: `sha256:${sha256}`, sha256, size: metadata.length };
          if (!rec.requiresPython) {
            const rp = requiresPythonOf(metadata.toString('utf8'));
            if (rp && pep440().validRange(rp)) rec.requiresPython = rp;
          }
          return this.blobs.hold([rec.metadata.digest], async () => {
            await this.blobs.put(metadata, rec.metadata!.digest);
            return this.record(t, rec, displayName);
          });
        },
      );
    } catch (err) {
      res.body.destroy();
      const failure = asUpstreamFailure(err, filename);
      tee.settle(false, failure);
      throw failure;
    }
    tee.settle(true);
    this.notFound.delete(flight);
    this.events.emit('cache.miss', { repository: t.repository, format: 'PYTHON', package: project, version, kind: 'file', sizeBytes: record.size, upstream: up.base, latencyMs: Date.now() - started });
    return record;
  }

  /** Records a fetched file like an uploaded one; the file that got there first (it never changes) wins. */
  private async record(t: PythonTarget, rec: FileRecord, displayName: string): Promise<FileRecord> {
    try {
      await this.packages.addFile(t, rec, displayName, undefined);
      return rec;
    } catch (err) {
      const existing = this.packages.file(t, rec.filename);
      if (isEmulatorError(err) && err.code === 'ALREADY_EXISTS' && existing) return existing;
      throw err;
    }
  }
}

/**
 * Hands `client` over (as a stream that yields the same bytes) only once its first byte is there: a file that fails
 * verification before any byte reached the client (a small file is one held-back chunk) is then answered with a
 * 503 naming the reason instead of a connection cut before the headers.
 */
function forwardOnFirstByte(client: Readable, give: (stream: Readable) => void): void {
  const out = new PassThrough();
  let given = false;
  client.once('data', (chunk: Buffer) => {
    given = true;
    out.write(chunk);
    client.pipe(out);
    give(out);
  });
  client.once('end', () => {
    if (given) return;
    out.end();
    give(out);
  });
  client.once('error', (err) => (given ? out.destroy(err) : out.destroy())); // not handed over yet: nobody listens for the error
  out.once('close', () => {
    if (!client.destroyed && !client.readableEnded) client.destroy(); // the client went away: the store branch goes on (tee.ts)
  });
}

/** The hashes of a page entry that the ingest path can verify. */
function verifiable(hashes: Record<string, string>): ExpectedDigest[] {
  return Object.entries(hashes).flatMap(([name, hex]) => (VERIFIABLE[name] ? [{ algorithm: VERIFIABLE[name], hex }] : []));
}

function asUpstreamFailure(err: unknown, filename: string): Error {
  const id = clip(filename);
  if (isUpstreamError(err)) return err;
  if (isEmulatorError(err) && err.code === 'DIGEST_MISMATCH') return new UpstreamError('digest', `upstream sent ${id} with a hash that does not match the one its page gives`);
  if (isEmulatorError(err) && err.code === 'SIZE_MISMATCH') return new UpstreamError('truncated', `upstream sent ${id} of another length than announced`);
  if (isEmulatorError(err) && err.code === 'RESOURCE_EXHAUSTED') return new UpstreamError('protocol', `upstream file ${id} is larger than this emulator accepts`);
  const cause = (err as { cause?: unknown }).cause;
  if (isUpstreamError(cause)) return cause;
  if (isEmulatorError(err) && err.code !== 'UPLOAD_INVALID') return err;
  return new UpstreamError('truncated', `upstream transfer of ${id} failed: ${(err as Error).message}`);
}

function unavailable(what: string, err: UpstreamError): EmulatorError {
  return new EmulatorError(upstreamFailureCode(err), `This remote repository cannot fetch ${what} from its upstream and has no cached copy: ${err.message}`);
}

export function fileNotFound(asked: string): EmulatorError {
  return new EmulatorError('NOT_FOUND', `File '${asked.slice(0, 200)}' was not found in this repository.`);
}

/** Uploads (twine) into a remote or virtual repository are refused: 405, with the reason phrase twine prints. */
export function refuseNonStandardWrite(t: PythonTarget): void {
  if (t.record.mode === 'REMOTE_REPOSITORY' || t.record.mode === 'VIRTUAL_REPOSITORY') {
    const kind = t.record.mode === 'REMOTE_REPOSITORY' ? 'remote' : 'virtual';
    throw new EmulatorError('UNSUPPORTED', `Repository "${t.ref.repository}" is a ${kind} repository: it is read-only (uploads are not allowed).`);
  }
}
