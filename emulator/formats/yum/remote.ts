// Yum remote repositories (mode REMOTE_REPOSITORY, upstream `yumRepository.customRepository.uri` or
// `commonRepository.uri`): a pull-through cache of any rpm-md repository. `repodata/repomd.xml` is kept in the
// repository's shard and revalidated after its TTL (emulator time; the `emulator-tag-ttl-seconds` label); the
// emulator signs the upstream's bytes with its own location key (`repomd.xml.asc`), so one `gpgkey` serves standard
// and remote repositories. Every other file (the metadata files repomd names, the packages primary names) is
// fetched once, stored as a blob and served from the cache ever after. When the upstream fails the cache answers;
// with nothing cached the client gets 503. The public presets (CENTOS, ROCKY, EPEL, …) are not served [docs].
import type { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import { clip } from '../../core/names.js';
import { isUpstreamError, presetBaseUrl, readAll, remoteSourceOf, SingleFlight, ttlSecondsOf, UpstreamError, type SecretResolver, type Upstream, type UpstreamCredentials, upstreamFailureCode } from '../../content/upstream.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { BlobWriter, YumSigner } from './service.js';
import type { YumTarget } from './store.js';

export const REMOTE_T = { repomd: 'yum.remote.repomd', files: 'yum.remote.files' } as const;
/** repomd.xml is small (a few KB); more is not an rpm-md index */
const MAX_REPOMD_BYTES = 256 << 10;
const MAX_PATH = 1024;

export interface CachedRepomd { body: string; asc?: string; fetchTime: string }
export interface CachedFile { digest: string; size: number; fetchTime: string }

/** Where a remote file is served from: its bytes (cached) and its size. */
export interface RemoteAnswer { body: Readable | string; length: number; type: string; cached: boolean }

/** A path under the baseurl the cache may hold: `/`-separated segments, none empty, `.`, `..` or with control characters. */
export function checkRemotePath(path: string): string {
  if (path.length > MAX_PATH || /[\u0000-\u001f\u007f\\]/.test(path) || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new EmulatorError('NOT_FOUND', `File '${clip(path)}' was not found in this repository.`);
  }
  return path;
}

export class YumRemote {
  private readonly flights = new SingleFlight();

  constructor(
    private readonly client: Upstream,
    private readonly secrets: SecretResolver,
    private readonly blobs: BlobStore,
    private readonly writeBlob: BlobWriter,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly maxFileBytes: number,
    private readonly signer?: YumSigner,
  ) {}

  private upstream(t: YumTarget): { base: string; credentials?: UpstreamCredentials } {
    const { custom: given, based, credentials } = remoteSourceOf(t.record, 'yumRepository');
    // a preset: its base's URL from the configuration, then the path (`rocky/9/BaseOS/x86_64/os`)
    const custom = given ?? (based ? `${presetBaseUrl('YUM', based.base)}/${based.path}` : undefined);
    if (!custom) throw new EmulatorError('UNAVAILABLE', 'This remote repository names no upstream the emulator can reach: use yumRepository.customRepository.uri, a preset with repositoryPath, or commonRepository.uri.');
    return { base: custom, ...(credentials ? { credentials: { username: credentials.username, password: this.secrets.resolve(credentials.passwordSecretVersion) } } : {}) };
  }

  /** `repodata/repomd.xml` (or its `.asc`): the cached copy within its TTL, else revalidated; stale when the upstream fails. */
  async repomd(t: YumTarget): Promise<CachedRepomd> {
    const rec = t.shard.get<CachedRepomd>(REMOTE_T.repomd, 'repomd');
    if (rec && this.clock.now().getTime() - Date.parse(rec.fetchTime) < ttlSecondsOf(t.record) * 1000) {
      this.hit(t, 'repodata/repomd.xml', rec.body.length);
      return rec;
    }
    const started = Date.now();
    try {
      return await this.flights.run(`${t.repository}|repomd`, () => this.fetchRepomd(t));
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      this.failed(t, err, started, rec !== undefined);
      if (rec) {
        this.hit(t, 'repodata/repomd.xml', rec.body.length, true);
        return rec;
      }
      throw unavailable('repodata/repomd.xml', err);
    }
  }

  /** Any other file under the baseurl: from the cache, else fetched, stored and then served from the store. */
  async file(t: YumTarget, path: string): Promise<CachedFile> {
    checkRemotePath(path);
    const cached = t.shard.get<CachedFile>(REMOTE_T.files, path);
    if (cached) {
      this.hit(t, path, cached.size);
      return cached;
    }
    const started = Date.now();
    try {
      return await this.flights.run(`${t.repository}|file|${path}`, () => this.fetchFile(t, path, started));
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      this.failed(t, err, started, false);
      throw unavailable(path, err);
    }
  }

  private async fetchRepomd(t: YumTarget): Promise<CachedRepomd> {
    const up = this.upstream(t);
    const res = await this.client.request({ repository: t.repository, url: `${up.base}/repodata/repomd.xml`, ...(up.credentials ? { credentials: up.credentials } : {}) });
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status} for repodata/repomd.xml`, res.status);
    }
    const body = (await readAll(res.body, MAX_REPOMD_BYTES)).toString('utf8');
    if (!body.includes('<repomd')) throw new UpstreamError('protocol', 'the upstream repodata/repomd.xml is not an rpm-md index');
    const asc = this.signer ? await this.signer.detachSign(t.ref.location, body) : undefined;
    const rec: CachedRepomd = { body, ...(asc ? { asc } : {}), fetchTime: this.clock.now().toISOString() };
    await t.shard.transact((tx) => tx.put(REMOTE_T.repomd, 'repomd', rec));
    return rec;
  }

  private async fetchFile(t: YumTarget, path: string, started: number): Promise<CachedFile> {
    const up = this.upstream(t);
    const res = await this.client.request({ repository: t.repository, url: `${up.base}/${path.split('/').map(encodeURIComponent).join('/')}`, ...(up.credentials ? { credentials: up.credentials } : {}) });
    if (res.status === 404 || res.status === 410) {
      res.body.resume();
      throw new EmulatorError('NOT_FOUND', `File '${clip(path)}' was not found in this repository or its upstream.`);
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status} for ${clip(path)}`, res.status);
    }
    const announced = res.headers['content-length'];
    const length = announced !== undefined && /^\d+$/.test(announced) ? Number(announced) : undefined;
    if (length !== undefined && length > this.maxFileBytes) {
      res.body.destroy();
      throw new UpstreamError('protocol', `the upstream file ${clip(path)} is larger than ${this.maxFileBytes} bytes`);
    }
    let rec: CachedFile | undefined;
    try {
      rec = await this.writeBlob(res.body, async (blob) => {
        if (length !== undefined && blob.size !== length) throw new UpstreamError('truncated', `the upstream file ${clip(path)} ended early`);
        const r: CachedFile = { digest: blob.digest, size: blob.size, fetchTime: this.clock.now().toISOString() };
        await t.shard.transact((tx) => tx.put(REMOTE_T.files, path, r));
        return r;
      }, this.maxFileBytes);
    } catch (err) {
      if (isUpstreamError(err) || err instanceof EmulatorError) throw err;
      throw new UpstreamError('truncated', `the upstream file ${clip(path)} ended early`);
    }
    this.events.emit('cache.miss', { repository: t.repository, format: 'YUM', package: packageOf(path), kind: 'file', sizeBytes: rec.size, upstream: up.base, latencyMs: Date.now() - started });
    return rec;
  }

  open(f: CachedFile): Promise<Readable> {
    return this.blobs.open(f.digest);
  }

  private hit(t: YumTarget, path: string, size: number, stale?: boolean): void {
    this.events.emit('cache.hit', { repository: t.repository, format: 'YUM', package: packageOf(path), kind: 'file', sizeBytes: size, ...(stale ? { stale: true } : {}) });
  }

  private failed(t: YumTarget, err: UpstreamError, started: number, served: boolean): void {
    let upstream = '';
    try {
      upstream = this.upstream(t).base;
    } catch {
      // a preset: no URL to name
    }
    this.events.emit('upstream.failed', {
      repository: t.repository, format: 'YUM', upstream, reason: `${err.reason}: ${err.message}`,
      ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: Date.now() - started, served,
    });
  }

}

/** Blobs the caches of remote repositories reference. */
export function* remoteReferencedBlobs(shards: Iterable<{ entries<T>(table: string): IterableIterator<[string, T]> }>): Iterable<string> {
  for (const shard of shards) for (const [, f] of shard.entries<CachedFile>(REMOTE_T.files)) yield f.digest;
}

/** `Packages/h/hello-1.0-1.noarch.rpm` → `hello` (the feed's package), else the file name */
function packageOf(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const m = /^(.+)-[^-]+-[^-]+\.[^.]+\.rpm$/.exec(file);
  return m ? m[1]! : file;
}

function unavailable(what: string, err: UpstreamError): EmulatorError {
  return new EmulatorError(upstreamFailureCode(err), `This remote repository cannot fetch ${clip(what)} from its upstream and has no cached copy: ${err.message}`);
}
