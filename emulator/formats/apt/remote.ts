// Apt remote repositories (mode REMOTE_REPOSITORY, upstream `aptRepository.customRepository.uri` or
// `commonRepository.uri` naming one suite of a Debian archive, `…/dists/SUITE`, as the real service's
// `repositoryPath` `debian/dists/bookworm` does [U]): the upstream's Release is fetched (and revalidated after the
// TTL, emulator time; the `emulator-tag-ttl-seconds` label), each binary Packages index it lists is fetched once per
// refresh and checked against the Release's SHA256, its Filenames moved below `pool/REPO/`, stored in three
// encodings, and the emulator renders and signs its own Release over them with the location key (so one key serves
// standard and remote repositories; the upstream's signature is not checked [U]). Pool files are fetched once and
// served from the cache ever after. When the upstream fails the cache answers; with nothing cached, 503.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import { clip } from '../../core/names.js';
import { isUpstreamError, presetBaseUrl, readAll, remoteSourceOf, SingleFlight, ttlSecondsOf, UpstreamError, type SecretResolver, type Upstream, type UpstreamCredentials, upstreamFailureCode } from '../../content/upstream.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { MAX_ARCHITECTURES, MAX_COMPONENTS, renderRelease, storeIndex, type AptSigner } from './service.js';
import { indexKey, type AptTarget, type IndexFile } from './store.js';

export const REMOTE_T = { release: 'apt.remote.release', files: 'apt.remote.files' } as const;
const MAX_RELEASE_BYTES = 1 << 20;
/** an upstream Packages index, decompressed (Debian's main/binary-amd64 is about 50 MB) */
const MAX_INDEX_BYTES = 256 << 20;
const MAX_PATH = 1024;

export interface CachedRelease {
  release: string;
  inRelease?: string;
  releaseGpg?: string;
  indexes: Array<{ key: string; files: IndexFile[] }>;
  fetchTime: string;
}
export interface CachedFile { digest: string; size: number; fetchTime: string }

/** Stores a stream as a blob and runs `then` while it is held (the shared ingest path). */
export type BlobWriter = <R>(source: Readable, then: (blob: { digest: string; size: number }) => Promise<R>, limit?: number) => Promise<R>;

export class AptRemote {
  private readonly flights = new SingleFlight();

  constructor(
    private readonly client: Upstream,
    private readonly secrets: SecretResolver,
    private readonly blobs: BlobStore,
    private readonly writeBlob: BlobWriter,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly maxFileBytes: number,
    private readonly signer?: AptSigner,
  ) {}

  private upstream(t: AptTarget): { suite: string; root: string; credentials?: UpstreamCredentials } {
    const { custom: given, based, credentials } = remoteSourceOf(t.record, 'aptRepository');
    // a preset: its base's URL from the configuration, then the path (`debian/dists/bookworm`)
    const custom = given ?? (based ? `${presetBaseUrl('APT', based.base)}/${based.path}` : undefined);
    if (!custom) throw new EmulatorError('UNAVAILABLE', 'This remote repository names no upstream the emulator can reach: use aptRepository.customRepository.uri, a preset with repositoryPath, or commonRepository.uri.');
    const m = /^(.*)\/dists\/[^/]+$/.exec(custom);
    if (!m) throw new EmulatorError('UNAVAILABLE', 'The upstream URI of this remote repository must name a suite, ARCHIVE/dists/SUITE.');
    return { suite: custom, root: m[1]!, ...(credentials ? { credentials: { username: credentials.username, password: this.secrets.resolve(credentials.passwordSecretVersion) } } : {}) };
  }

  /** The signed Release over the rewritten indexes: cached within its TTL, else refreshed; stale when the upstream fails. */
  async release(t: AptTarget): Promise<CachedRelease> {
    const rec = t.shard.get<CachedRelease>(REMOTE_T.release, 'release');
    if (rec && this.clock.now().getTime() - Date.parse(rec.fetchTime) < ttlSecondsOf(t.record) * 1000) {
      this.hit(t, 'Release', rec.release.length);
      return rec;
    }
    const started = Date.now();
    try {
      return await this.flights.run(`${t.repository}|release`, () => this.refresh(t, started));
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      this.failed(t, err, started, rec !== undefined);
      if (rec) {
        this.hit(t, 'Release', rec.release.length, true);
        return rec;
      }
      throw unavailable('Release', err);
    }
  }

  async indexFile(t: AptTarget, component: string, arch: string, name: string): Promise<IndexFile | undefined> {
    const rec = await this.release(t);
    return rec.indexes.find((i) => i.key === indexKey(component, arch))?.files.find((f) => f.name === name);
  }

  indexFileByHash(t: AptTarget, component: string, arch: string, sha256: string): IndexFile | undefined {
    const rec = t.shard.get<CachedRelease>(REMOTE_T.release, 'release');
    return rec?.indexes.find((i) => i.key === indexKey(component, arch))?.files.find((f) => f.sha256 === sha256);
  }

  /** A pool file (the path below `pool/REPO/`): from the cache, else fetched from the archive's pool and stored. */
  async poolFile(t: AptTarget, path: string): Promise<CachedFile> {
    if (path.length > MAX_PATH || !path.endsWith('.deb') || /[\u0000-\u001f\u007f\\]/.test(path) || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new EmulatorError('NOT_FOUND', `File '${clip(path)}' was not found in this repository.`);
    }
    const cached = t.shard.get<CachedFile>(REMOTE_T.files, path);
    if (cached) {
      this.hit(t, path, cached.size);
      return cached;
    }
    const started = Date.now();
    try {
      return await this.flights.run(`${t.repository}|pool|${path}`, () => this.fetchPoolFile(t, path, started));
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      this.failed(t, err, started, false);
      throw unavailable(path, err);
    }
  }

  open(f: CachedFile): Promise<Readable> {
    return this.blobs.open(f.digest);
  }

  private async get(t: AptTarget, url: string, what: string, limit: number): Promise<Buffer> {
    const up = this.upstream(t);
    const res = await this.client.request({ repository: t.repository, url, ...(up.credentials ? { credentials: up.credentials } : {}) });
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status} for ${clip(what)}`, res.status);
    }
    return readAll(res.body, limit);
  }

  private async refresh(t: AptTarget, started: number): Promise<CachedRelease> {
    const up = this.upstream(t);
    const upstreamRelease = (await this.get(t, `${up.suite}/Release`, 'Release', MAX_RELEASE_BYTES)).toString('utf8');
    const listed = binaryIndexes(upstreamRelease);
    if (!listed.size) throw new UpstreamError('protocol', 'the upstream Release lists no binary Packages index');
    const components = [...new Set([...listed.values()].map((l) => l.component))].sort();
    const architectures = [...new Set([...listed.values()].map((l) => l.arch).filter((a) => a !== 'all'))].sort();
    if (components.length > MAX_COMPONENTS || architectures.length > MAX_ARCHITECTURES) {
      throw new UpstreamError('protocol', `the upstream Release lists more than ${MAX_COMPONENTS} components or ${MAX_ARCHITECTURES} architectures`);
    }
    const indexes: CachedRelease['indexes'] = [];
    const entries: Array<{ path: string; f: IndexFile }> = [];
    // each index's blobs are held until the Release record naming them is committed (nested holds)
    const keys = [...listed.keys()].sort();
    const writeFrom = async (i: number): Promise<CachedRelease> => {
      const key = keys[i];
      if (key === undefined) {
        const release = renderRelease(t, this.clock.now(), components, architectures, entries);
        const signed = this.signer
          ? { inRelease: (await this.signer.clearsign(t.ref.location, release)).replace(/\r\n/g, '\n'), releaseGpg: await this.signer.detachSign(t.ref.location, release) }
          : {};
        const rec: CachedRelease = { release, ...signed, indexes, fetchTime: this.clock.now().toISOString() };
        await t.shard.transact((tx) => tx.put(REMOTE_T.release, 'release', rec));
        this.events.emit('cache.miss', { repository: t.repository, format: 'APT', package: 'Release', kind: 'file', sizeBytes: release.length, upstream: up.suite, latencyMs: Date.now() - started });
        return rec;
      }
      const l = listed.get(key)!;
      const packed = await this.get(t, `${up.suite}/${l.path}`, l.path, MAX_INDEX_BYTES);
      if (createHash('sha256').update(packed).digest('hex') !== l.sha256) throw new UpstreamError('digest', `the upstream ${clip(l.path)} does not match its Release`);
      let plain: Buffer;
      try {
        plain = l.path.endsWith('.xz') ? xz.decompressSync(packed) : l.path.endsWith('.gz') ? gunzipSync(packed, { maxOutputLength: MAX_INDEX_BYTES }) : packed;
      } catch {
        throw new UpstreamError('protocol', `the upstream ${clip(l.path)} cannot be decompressed`);
      }
      const rewritten = Buffer.from(plain.toString('utf8').replace(/^Filename: pool\//gm, `Filename: pool/${t.ref.repository}/`), 'utf8');
      return storeIndex(this.blobs, rewritten, async (files) => {
        indexes.push({ key, files });
        for (const f of files) entries.push({ path: `${key}/${f.name}`, f });
        return writeFrom(i + 1);
      });
    };
    return writeFrom(0);
  }

  private async fetchPoolFile(t: AptTarget, path: string, started: number): Promise<CachedFile> {
    const up = this.upstream(t);
    const url = `${up.root}/pool/${path.split('/').map(encodeURIComponent).join('/')}`;
    const res = await this.client.request({ repository: t.repository, url, ...(up.credentials ? { credentials: up.credentials } : {}) });
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
    let rec: CachedFile;
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
    this.events.emit('cache.miss', { repository: t.repository, format: 'APT', package: packageOf(path), kind: 'file', sizeBytes: rec.size, upstream: up.root, latencyMs: Date.now() - started });
    return rec;
  }

  private hit(t: AptTarget, path: string, size: number, stale?: boolean): void {
    this.events.emit('cache.hit', { repository: t.repository, format: 'APT', package: packageOf(path), kind: 'file', sizeBytes: size, ...(stale ? { stale: true } : {}) });
  }

  private failed(t: AptTarget, err: UpstreamError, started: number, served: boolean): void {
    let upstream = '';
    try {
      upstream = this.upstream(t).suite;
    } catch {
      // a preset: no URL to name
    }
    this.events.emit('upstream.failed', {
      repository: t.repository, format: 'APT', upstream, reason: `${err.reason}: ${err.message}`,
      ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: Date.now() - started, served,
    });
  }
}

/** The binary Packages indexes a Release's SHA256 section lists, one per (component, architecture): xz, else gz, else plain. */
function binaryIndexes(release: string): Map<string, { component: string; arch: string; path: string; sha256: string }> {
  const out = new Map<string, { component: string; arch: string; path: string; sha256: string; rank: number }>();
  const section = /^SHA256:\n((?:[ \t].*\n?)*)/m.exec(release)?.[1] ?? '';
  for (const line of section.split('\n')) {
    const m = /^\s+([0-9a-f]{64})\s+\d+\s+([a-z0-9][a-z0-9-]{0,31})\/binary-([a-z0-9][a-z0-9-]{0,31})\/Packages(\.xz|\.gz)?$/.exec(line);
    if (!m) continue;
    const rank = m[4] === '.xz' ? 0 : m[4] === '.gz' ? 1 : 2;
    const key = indexKey(m[2]!, m[3]!);
    const seen = out.get(key);
    if (!seen || rank < seen.rank) out.set(key, { component: m[2]!, arch: m[3]!, path: `${m[2]}/binary-${m[3]}/Packages${m[4] ?? ''}`, sha256: m[1]!, rank });
  }
  return out;
}

/** Blobs the caches of remote repositories reference. */
export function* remoteReferencedBlobs(shards: Iterable<{ entries<T>(table: string): IterableIterator<[string, T]> }>): Iterable<string> {
  for (const shard of shards) {
    for (const [, f] of shard.entries<CachedFile>(REMOTE_T.files)) yield f.digest;
    for (const [, r] of shard.entries<CachedRelease>(REMOTE_T.release)) for (const i of r.indexes) for (const f of i.files) yield f.digest;
  }
}

/** `h/hello/hello_1.0_amd64.deb` → `hello` (the feed's package), else the file name */
function packageOf(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return /^([^_]+)_[^_]+_[^_]+\.deb$/.exec(file)?.[1] ?? file;
}

function unavailable(what: string, err: UpstreamError): EmulatorError {
  return new EmulatorError(upstreamFailureCode(err), `This remote repository cannot fetch ${clip(what)} from its upstream and has no cached copy: ${err.message}`);
}
