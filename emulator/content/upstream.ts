// What a format's remote read path sees of the upstream (issue 12): the request/response shapes, the failure type,
// and the coalescing pieces every remote format shares. The HTTP client itself lives in emulator/remote/ (formats
// reach it only through the Upstream interface, STYLE §A.2).
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { EmulatorError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { RepositoryRecord } from '../core/repository.js';

/** A Secret Manager version name: `projects/P/secrets/S/versions/V`. */
export const SECRET_VERSION = /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/;

/** Resolves `passwordSecretVersion` to its value (never logged, never returned by an API). */
export interface SecretResolver {
  resolve(version: string): string;
}

/** The one way formats reach an upstream: consults faults and offline mode before every request. */
export interface Upstream {
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
}

export interface UpstreamCredentials {
  username: string;
  password: string;
}

export interface UpstreamRequest {
  /** `projects/P/locations/L/repositories/R` of the remote repository (faults and offline are per repository) */
  repository: string;
  url: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  credentials?: UpstreamCredentials;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** the body stream (already consumed for HEAD); the read timeout keeps applying while it is read */
  body: Readable;
  /** the URL that answered, after redirects */
  url: string;
}

export type UpstreamFailureReason = 'offline' | 'vpcsc' | 'down' | 'timeout' | 'status' | 'redirects' | 'protocol' | 'digest' | 'truncated';

/** The upstream could not give an answer: why, in words a client's error message can carry. */
export class UpstreamError extends Error {
  constructor(
    readonly reason: UpstreamFailureReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export const isUpstreamError = (e: unknown): e is UpstreamError => e instanceof UpstreamError;

/**
 * The code of a remote read that failed upstream with nothing cached: PERMISSION_DENIED when VPC Service Controls
 * kept the request from leaving (content/vpcsc.ts: a perimeter refusal, not an outage, so clients do not retry),
 * else UNAVAILABLE.
 */
export const upstreamFailureCode = (err: { reason?: string }): 'PERMISSION_DENIED' | 'UNAVAILABLE' => (err.reason === 'vpcsc' ? 'PERMISSION_DENIED' : 'UNAVAILABLE');

/** Reads a stream into memory, up to `limit` bytes (more is a protocol error). */
export async function readAll(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        body.destroy();
        throw new UpstreamError('protocol', `upstream body is larger than ${limit} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    throw isUpstreamError(err) ? err : new UpstreamError('truncated', 'upstream body ended early');
  }
  return Buffer.concat(chunks);
}

export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  /** Runs `work` for `key` unless a run for it is in flight, in which case its result is shared. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const p = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}

/** Keys the upstream said do not exist, until `ttlMs` of emulator time has passed. */
export class NegativeCache {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs = 30_000,
  ) {}

  has(key: string): boolean {
    const t = this.until.get(key);
    if (t === undefined) return false;
    if (t <= this.clock.now().getTime()) {
      this.until.delete(key);
      return false;
    }
    return true;
  }

  add(key: string): void {
    if (this.until.size > 10_000) this.until.clear();
    this.until.set(key, this.clock.now().getTime() + this.ttlMs);
  }

  delete(key: string): void {
    this.until.delete(key);
  }
}

/** How long mutable upstream metadata (Docker tags, npm packuments, PEP 503 pages) is served before it is revalidated, by default (emulator time). */
export const DEFAULT_TTL_SECONDS = 300;
/** The repository label that sets that TTL in seconds, for every format (label values are digits-only friendly). */
export const TTL_LABEL = 'emulator-tag-ttl-seconds';

/** The metadata TTL of a remote repository: its `emulator-tag-ttl-seconds` label, else the default. */
export function ttlSecondsOf(record: RepositoryRecord): number {
  const raw = record.labels?.[TTL_LABEL];
  return raw && /^\d{1,9}$/.test(raw) ? Number(raw) : DEFAULT_TTL_SECONDS;
}

/** What a remote repository's config says about its upstream, whatever the format. */
export interface RemoteSource {
  /** the format's `customRepository.uri` or `commonRepository.uri`, without trailing slashes; undefined: the format's public preset */
  custom?: string;
  /** an Apt or Yum public preset: its repository base (`DEBIAN`, `ROCKY`, …) and the path below it */
  based?: { base: string; path: string };
  credentials?: { username: string; passwordSecretVersion: string };
}

/**
 * The URL of an Apt or Yum preset's repository base, from the emulator's configuration only (never written in code):
 * `AR_EMULATOR_APT_DEBIAN_URL`, `AR_EMULATOR_YUM_ROCKY_URL`, … (docs/remote.md). UNAVAILABLE naming the variable when
 * it is not set.
 */
export function presetBaseUrl(format: 'APT' | 'YUM', base: string, env: Record<string, string | undefined> = process.env): string {
  const variable = `AR_EMULATOR_${format}_${base}_URL`;
  const url = env[variable];
  if (!url) throw new EmulatorError('UNAVAILABLE', `This remote repository's upstream is the ${base} preset, whose URL the emulator takes from ${variable}, which is not set.`);
  return url.replace(/\/+$/, '');
}

/** Reads `remoteRepositoryConfig` (validated at create by the control plane) for the format's source field (`npmRepository`, …). */
export function remoteSourceOf(record: RepositoryRecord, field: string): RemoteSource {
  const rc = (record.remoteRepositoryConfig ?? {}) as Record<string, { customRepository?: { uri?: string }; uri?: string } | undefined> & {
    upstreamCredentials?: { usernamePasswordCredentials?: { username?: string; passwordSecretVersion?: string } };
  };
  const creds = rc.upstreamCredentials?.usernamePasswordCredentials;
  const credentials = creds?.username && creds.passwordSecretVersion ? { username: creds.username, passwordSecretVersion: creds.passwordSecretVersion } : undefined;
  const custom = rc[field]?.customRepository?.uri ?? rc.commonRepository?.uri;
  const pub = (rc[field] as { publicRepository?: { repositoryBase?: string; repositoryPath?: string } } | undefined)?.publicRepository;
  const based = !custom && pub && typeof pub === 'object' && pub.repositoryBase && pub.repositoryPath ? { base: pub.repositoryBase, path: pub.repositoryPath } : undefined;
  return { ...(custom ? { custom: custom.replace(/\/+$/, '') } : {}), ...(based ? { based } : {}), ...(credentials ? { credentials } : {}) };
}
