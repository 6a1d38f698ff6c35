// Go remote repositories (mode REMOTE_REPOSITORY) over a GOPROXY upstream (https://go.dev/ref/mod#goproxy-protocol):
// a version's `.info`, `.mod` and `.zip` are fetched once and cached for good (the zip checked as an upload is);
// `@v/list` and `@latest` are cached for the repository's TTL (content/upstream.ts ttlSecondsOf, emulator time).
// When the upstream fails, the cache answers (a stale list merged with cached versions); with nothing cached the
// answer is UNAVAILABLE naming the reason. Faults and offline apply through the Upstream client. docs/remote.md.
import type { Clock } from '../../../core/clock.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { clip } from '../../../core/names.js';
import type { RepositoryRecord } from '../../../core/repository.js';
import { isUpstreamError, NegativeCache, readAll, remoteSourceOf, SingleFlight, ttlSecondsOf, UpstreamError, type SecretResolver, type Upstream, type UpstreamCredentials, upstreamFailureCode } from '../../../content/upstream.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import type { BlobIngest } from '../../../storage/ingest.js';
import { compareVersions, escapeCase, parseVersion } from '../names.js';
import { MAX_GO_MOD, type ZipLimits } from '../zip-check.js';
import type { GoModules, GoTarget, UpstreamRecord, VersionRecord } from './modules.js';
import { blobRefOf, inspectModuleZip } from './upload.js';

/** The most a `@v/list` or `.info`/`@latest` body may hold. */
const MAX_LIST_BYTES = 16 << 20;
const MAX_INFO_BYTES = 64 << 10;

/** The environment variable naming the Go module proxy a remote GO repository's public preset reads (docs/remote.md). */
export const GOPROXY_URL_VARIABLE = 'AR_EMULATOR_GOPROXY_URL';

/** The upstream a remote GO repository's config names: its custom or common URI, else the preset's configured URL. */
export function goUpstreamBase(record: RepositoryRecord, preset: string | undefined): { base?: string; credentials?: { username: string; passwordSecretVersion: string } } {
  const { custom, credentials } = remoteSourceOf(record, 'goRepository');
  const base = custom ?? preset?.replace(/\/+$/, '');
  return { ...(base ? { base } : {}), ...(credentials ? { credentials } : {}) };
}

export interface RemoteList {
  versions: string[];
  stale: boolean;
}

const notFound = (what: string) => new EmulatorError('NOT_FOUND', `not found: ${what}`);

function unavailable(what: string, err: UpstreamError): EmulatorError {
  return new EmulatorError(upstreamFailureCode(err), `This remote repository cannot fetch ${what} from its upstream and has no cached copy: ${err.message}`);
}

function parseInfo(body: Buffer): { version: string; time?: string } | undefined {
  try {
    const j = JSON.parse(body.toString('utf8')) as { Version?: unknown; Time?: unknown };
    if (typeof j.Version !== 'string' || !parseVersion(j.Version)) return undefined;
    const time = typeof j.Time === 'string' && !Number.isNaN(Date.parse(j.Time)) ? new Date(Date.parse(j.Time)).toISOString() : undefined;
    return { version: j.Version, ...(time ? { time } : {}) };
  } catch {
    return undefined;
  }
}

export class GoRemote {
  private readonly flights = new SingleFlight();
  private readonly missing: NegativeCache;

  constructor(
    private readonly client: Upstream,
    private readonly secrets: SecretResolver,
    private readonly modules: GoModules,
    private readonly ingest: BlobIngest,
    private readonly blobs: BlobStore,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly preset: () => string | undefined,
    private readonly limits: ZipLimits,
  ) {
    this.missing = new NegativeCache(clock);
  }

  private upstream(t: GoTarget): { base: string; credentials?: UpstreamCredentials } {
    const c = goUpstreamBase(t.record, this.preset());
    if (!c.base) {
      throw new EmulatorError('FAILED_PRECONDITION', `Remote repository ${t.repository} uses the public Go module proxy preset, but no URL is configured for it: set ${GOPROXY_URL_VARIABLE} (docs/remote.md).`);
    }
    const credentials = c.credentials ? { username: c.credentials.username, password: this.secrets.resolve(c.credentials.passwordSecretVersion) } : undefined;
    return { base: c.base, ...(credentials ? { credentials } : {}) };
  }

  private fresh(fetchTime: string | undefined, t: GoTarget): boolean {
    return fetchTime !== undefined && this.clock.now().getTime() - Date.parse(fetchTime) < ttlSecondsOf(t.record) * 1000;
  }

  /** GET `${base}/${module}/${suffix}`: the body of a 200, undefined for 404/410, UpstreamError otherwise. */
  private async get(t: GoTarget, module: string, suffix: string, limit: number): Promise<Buffer | undefined> {
    const up = this.upstream(t);
    const res = await this.client.request({ repository: t.repository, url: `${up.base}/${escapeCase(module)}/${suffix}`, ...(up.credentials ? { credentials: up.credentials } : {}) });
    if (res.status === 404 || res.status === 410) {
      res.body.resume();
      return undefined;
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status} for ${clip(module)}/${clip(suffix)}`, res.status);
    }
    return readAll(res.body, limit);
  }

  private failed(t: GoTarget, module: string, err: UpstreamError, started: number, served: boolean): void {
    this.events.emit('upstream.failed', {
      repository: t.repository, format: 'GO', package: module, upstream: goUpstreamBase(t.record, this.preset()).base ?? '', reason: `${err.reason}: ${err.message}`,
      ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: Date.now() - started, served,
    });
  }

  private hit(t: GoTarget, module: string, version: string | undefined, kind: 'version' | 'file', size: number, stale?: boolean): void {
    this.events.emit('cache.hit', { repository: t.repository, format: 'GO', package: module, ...(version ? { version } : {}), kind, sizeBytes: size, ...(stale ? { stale: true } : {}) });
  }

  private miss(t: GoTarget, module: string, version: string | undefined, kind: 'version' | 'file', size: number, started: number): void {
    this.events.emit('cache.miss', { repository: t.repository, format: 'GO', package: module, ...(version ? { version } : {}), kind, sizeBytes: size, upstream: goUpstreamBase(t.record, this.preset()).base ?? '', latencyMs: Date.now() - started });
  }

  /** Whether the repository holds anything of `module` without asking the upstream. */
  isCached(t: GoTarget, module: string): boolean {
    return this.modules.module(t, module) !== undefined || this.modules.upstream(t, module)?.list !== undefined;
  }

  /** The upstream's `@v/list` (within its TTL from the cache) merged with the cached versions; NOT_FOUND when neither has any. */
  async list(t: GoTarget, module: string): Promise<RemoteList> {
    const cached = this.modules.versions(t, module).map((v) => v.version);
    const rec = this.modules.upstream(t, module);
    const merge = (up: string[], stale: boolean): RemoteList => ({ versions: [...new Set([...up, ...cached])].sort(compareVersions), stale });
    if (rec?.list && this.fresh(rec.list.fetchTime, t)) {
      const listed = await this.loadList(rec.list.digest);
      if (listed) {
        this.hit(t, module, undefined, 'version', rec.list.size);
        return merge(listed, false);
      }
    }
    if (rec?.missingTime && this.fresh(rec.missingTime, t)) {
      if (!cached.length) throw notFound(`${clip(module)}: no versions`);
      return merge([], false);
    }
    const started = Date.now();
    try {
      const listed = await this.flights.run(`${t.repository}|list|${module}`, () => this.fetchList(t, module, started));
      if (listed === undefined && !cached.length) throw notFound(`${clip(module)}: no versions`);
      return merge(listed ?? [], false);
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      const listed = rec?.list ? await this.loadList(rec.list.digest) : undefined;
      const served = listed !== undefined || cached.length > 0;
      this.failed(t, module, err, started, served);
      if (!served) throw unavailable(`the version list of ${clip(module)}`, err);
      this.hit(t, module, undefined, 'version', rec?.list?.size ?? 0, true);
      return merge(listed ?? [], true);
    }
  }

  /** The upstream's `@latest` (cached for the TTL); undefined when it has none. Upstream failure: undefined (the list decides). */
  async latest(t: GoTarget, module: string): Promise<{ version: string; time?: string } | undefined> {
    const rec = this.modules.upstream(t, module);
    if (rec?.latest && this.fresh(rec.latest.fetchTime, t)) return rec.latest;
    try {
      return await this.flights.run(`${t.repository}|latest|${module}`, async () => {
        const body = await this.get(t, module, '@latest', MAX_INFO_BYTES);
        const info = body ? parseInfo(body) : undefined;
        const now = this.clock.now().toISOString();
        const current = this.modules.upstream(t, module) ?? {};
        const next: UpstreamRecord = { ...current };
        if (info) next.latest = { ...info, fetchTime: now };
        else delete next.latest;
        await this.modules.setUpstream(t, module, next);
        return info;
      });
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      return rec?.latest;
    }
  }

  /**
   * A version's record with its `.info` and `.mod` (and, with `zip`, its zip): the cached one, else fetched and cached.
   * NOT_FOUND when the upstream does not have it.
   */
  async version(t: GoTarget, module: string, version: string, zip: boolean): Promise<VersionRecord> {
    const cached = this.modules.version(t, module, version);
    if (cached && (!zip || cached.zip)) {
      this.hit(t, module, version, zip ? 'file' : 'version', zip ? cached.zip!.size : cached.mod.size);
      return cached;
    }
    const key = `${t.repository}|${zip ? 'zip' : 'info'}|${module}@${version}`;
    if (this.missing.has(key)) throw notFound(`${clip(module)}@${clip(version)}`);
    const started = Date.now();
    try {
      const record = await this.flights.run(key, () => (zip ? this.fetchZip(t, module, version, cached, started) : this.fetchInfo(t, module, version, started)));
      if (!record) {
        this.missing.add(key);
        throw notFound(`${clip(module)}@${clip(version)}`);
      }
      return record;
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      this.failed(t, module, err, started, false);
      throw unavailable(`${clip(module)}@${clip(version)}`, err);
    }
  }

  private async loadList(digest: string): Promise<string[] | undefined> {
    try {
      return (await this.blobs.read(digest)).toString('utf8').split('\n').filter(Boolean);
    } catch {
      return undefined;
    }
  }

  private async fetchList(t: GoTarget, module: string, started: number): Promise<string[] | undefined> {
    const body = await this.get(t, module, '@v/list', MAX_LIST_BYTES);
    const now = this.clock.now().toISOString();
    const current = this.modules.upstream(t, module) ?? {};
    if (!body) {
      const { list: _dropped, ...rest } = current;
      await this.modules.setUpstream(t, module, { ...rest, missingTime: now });
      return undefined;
    }
    // only canonical versions survive (a list line may carry more fields after a space, as the protocol allows)
    const versions = [...new Set(body.toString('utf8').split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((v) => parseVersion(v)))].sort(compareVersions);
    const data = Buffer.from(versions.map((v) => `${v}\n`).join(''));
    const ref = blobRefOf(data);
    await this.blobs.hold([ref.digest], async () => {
      await this.blobs.put(data, ref.digest);
      const { missingTime: _gone, ...rest } = current;
      await this.modules.setUpstream(t, module, { ...rest, list: { digest: ref.digest, size: ref.size, fetchTime: now } });
    });
    this.miss(t, module, undefined, 'version', body.length, started);
    return versions;
  }

  private async fetchInfo(t: GoTarget, module: string, version: string, started: number): Promise<VersionRecord | undefined> {
    const esc = escapeCase(version);
    const infoBody = await this.get(t, module, `@v/${esc}.info`, MAX_INFO_BYTES);
    if (!infoBody) return undefined;
    const info = parseInfo(infoBody);
    if (!info || info.version !== version) throw new UpstreamError('protocol', `upstream sent a .info for ${clip(module)}@${clip(version)} that does not name that version`);
    const mod = await this.get(t, module, `@v/${esc}.mod`, MAX_GO_MOD);
    if (!mod) return undefined;
    const ref = blobRefOf(mod);
    const now = this.clock.now().toISOString();
    const record = await this.blobs.hold([ref.digest], async () => {
      await this.blobs.put(mod, ref.digest);
      return this.modules.cacheVersion(t, { module, version, time: info.time ?? now, createTime: now, updateTime: now, mod: ref, fetchTime: now });
    });
    this.miss(t, module, version, 'version', mod.length, started);
    return record;
  }

  private async fetchZip(t: GoTarget, module: string, version: string, cached: VersionRecord | undefined, started: number): Promise<VersionRecord | undefined> {
    const base = cached ?? (await this.fetchInfo(t, module, version, started));
    if (!base) return undefined;
    const up = this.upstream(t);
    const res = await this.client.request({ repository: t.repository, url: `${up.base}/${escapeCase(module)}/@v/${escapeCase(version)}.zip`, ...(up.credentials ? { credentials: up.credentials } : {}) });
    if (res.status === 404 || res.status === 410) {
      res.body.resume();
      return undefined;
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new UpstreamError('status', `upstream answered ${res.status} for ${clip(module)}@${clip(version)}.zip`, res.status);
    }
    try {
      const record = await this.ingest.ingest(res.body, { algorithms: ['md5'], limit: { bytes: this.limits.zipFile, code: 'RESOURCE_EXHAUSTED' } }, async (blob) => {
        await inspectModuleZip(this.blobs, blob, this.limits, { module, version });
        const now = this.clock.now().toISOString();
        return this.modules.cacheVersion(t, { ...base, updateTime: now, zip: { digest: blob.digest, size: blob.size, sha256: blob.digests.sha256!, ...(blob.digests.md5 ? { md5: blob.digests.md5 } : {}) } });
      });
      this.miss(t, module, version, 'file', record.zip?.size ?? 0, started);
      return record;
    } catch (err) {
      if (isUpstreamError(err)) throw err;
      if (isEmulatorError(err) && err.code === 'INVALID_ARGUMENT') throw new UpstreamError('protocol', `upstream sent a module zip that fails the go command's checks: ${err.message}`);
      if (isEmulatorError(err) && err.code === 'RESOURCE_EXHAUSTED') throw new UpstreamError('protocol', `upstream module zip of ${clip(module)}@${clip(version)} is larger than ${this.limits.zipFile} bytes`);
      const cause = (err as { cause?: unknown }).cause;
      if (isUpstreamError(cause)) throw cause;
      if (isEmulatorError(err) && err.code !== 'UPLOAD_INVALID') throw err;
      throw new UpstreamError('truncated', `upstream transfer of ${clip(module)}@${clip(version)}.zip failed`);
    }
  }
}
