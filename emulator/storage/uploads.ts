// Resumable upload sessions: the ingest path (ingest.ts) spread over several requests. Bytes are streamed
// to <root>/uploads/<id>/data while being hashed, never buffered whole. A session is committed into the
// BlobStore by rename after its digest is verified (or learned from the bytes), or cancelled. A failed or
// interrupted append is rolled back to the last acknowledged offset. Stale sessions are purged by a job.
// Knows nothing of HTTP or formats: a session's `scope` is an opaque string.
import { readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../core/clock.js';
import { EmulatorError } from '../core/errors.js';
import type { IdGenerator } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { BlobStore } from './blob-store.js';
import {
  BlobIngest,
  algorithmsFor,
  commitFile,
  hashFile,
  rollBack,
  verified,
  writeHashed,
  type AddressAlgorithm,
  type ExpectedDigest,
  type IngestedBlob,
} from './ingest.js';
import { KeyedMutex } from './locks.js';
import { MultiHash, isHashAlgorithm, type HashAlgorithm } from './multi-hash.js';
import type { DataPaths } from './paths.js';

export interface UploadSession {
  id: string;
  scope: string;
  startedAt: string;
  /** bytes received so far */
  offset: number;
}

export interface BeginOptions {
  /** digests computed while the bytes arrive (default sha256); others are computed at commit if asked */
  algorithms?: readonly HashAlgorithm[];
}

export interface CommitOptions {
  /** the content address's algorithm (default: the expected digest's if it is one, else sha256) */
  address?: AddressAlgorithm;
  /** the client's digests, verified; without them the address is learned from the bytes */
  expected?: readonly ExpectedDigest[];
}

interface LiveSession extends UploadSession {
  algorithms: HashAlgorithm[];
  /** digests over bytes [0, offset); absent after a restart until recomputed */
  hash?: MultiHash;
}

export interface AppendOptions {
  /** If set, the chunk must start exactly here (Content-Range); otherwise RANGE_INVALID. */
  start?: number;
  /** If set, the chunk must be exactly this long (Content-Length); otherwise SIZE_MISMATCH. */
  length?: number;
}

export class UploadSessions {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly mutex = new KeyedMutex();
  private readonly inFlight = new Set<string>();
  /** single-request ingests (monolithic uploads, package publishes) */
  readonly ingest: BlobIngest;

  constructor(
    private readonly paths: DataPaths,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly logger: Logger,
  ) {
    this.ingest = new BlobIngest(paths, blobs, ids);
  }

  /** Startup only: picks up sessions left by a previous run (their data file gives the offset). */
  init(): void {
    let dirs: string[] = [];
    try {
      dirs = readdirSync(this.paths.uploadsDir);
    } catch {
      return;
    }
    for (const id of dirs) {
      if (!this.paths.isUploadId(id)) continue;
      const dir = this.paths.uploadDir(id);
      try {
        const info = JSON.parse(readFileSync(join(dir, 'info.json'), 'utf8')) as UploadSession & { algorithms?: unknown };
        // Bytes past the last acknowledged offset belong to a chunk a crash cut off: the client never got
        // its 202 and will resend from the acknowledged offset, so they are cut away.
        const size = fileSize(join(dir, 'data'));
        const acked = readAckedOffset(join(dir, 'offset'));
        const offset = Math.min(size, acked ?? size);
        if (offset < size) truncateSync(join(dir, 'data'), offset);
        const algorithms = Array.isArray(info.algorithms) ? info.algorithms.filter((a): a is HashAlgorithm => isHashAlgorithm(String(a))) : [];
        this.sessions.set(id, { id, scope: String(info.scope), startedAt: String(info.startedAt), offset, algorithms: algorithms.length ? algorithms : ['sha256'] });
      } catch {
        // an upload whose record was never written: nothing was acknowledged for it
        void rm(dir, { recursive: true, force: true });
      }
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  async begin(scope: string, opts: BeginOptions = {}): Promise<UploadSession> {
    const id = this.ids.uuid();
    const dir = this.paths.uploadDir(id);
    await mkdir(dir, { recursive: true });
    const algorithms = algorithmsFor({ algorithms: opts.algorithms });
    const session: LiveSession = { id, scope, startedAt: this.clock.now().toISOString(), offset: 0, algorithms, hash: await MultiHash.of(algorithms) };
    await writeFile(join(dir, 'data'), '');
    await writeFile(join(dir, 'info.json'), JSON.stringify({ id, scope, startedAt: session.startedAt, algorithms }));
    this.sessions.set(id, session);
    return publicView(session);
  }

  /** The session, if it exists and belongs to `scope`; UPLOAD_UNKNOWN otherwise. */
  get(id: string, scope: string): UploadSession {
    return publicView(this.live(id, scope));
  }

  /** Streams `body` onto the end of the session. Rolls back to the previous offset on any failure. */
  append(id: string, scope: string, body: Readable, opts: AppendOptions = {}): Promise<UploadSession> {
    return this.mutex.run(id, async () => {
      const session = this.live(id, scope);
      if (opts.start !== undefined && opts.start !== session.offset) {
        throw new EmulatorError('RANGE_INVALID', `chunk starts at ${opts.start} but the upload is at offset ${session.offset}`, {
          offset: session.offset,
        });
      }
      const hash = (session.hash ?? (await this.rehash(session))).copy();
      const dataFile = join(this.paths.uploadDir(id), 'data');
      const out = await open(dataFile, 'a');
      let written: number;
      this.inFlight.add(id);
      try {
        written = await writeHashed(body, out, hash, opts);
      } catch (err) {
        await rollBack(dataFile, session.offset);
        if (isInterruption(err)) this.logger.debug('upload chunk interrupted, rolled back', { id, offset: session.offset });
        throw err;
      } finally {
        this.inFlight.delete(id);
        await out.close().catch(() => {});
      }
      session.offset += written;
      session.hash = hash;
      await writeFile(join(this.paths.uploadDir(id), 'offset'), String(session.offset));
      return publicView(session);
    });
  }

  /**
   * Verifies the session's bytes against the expected digests (or learns the address from them), moves them
   * into the BlobStore and runs `link` (the caller's metadata commit) while the blob is held. On a mismatch
   * the session is cancelled (its bytes are removed) and DIGEST_MISMATCH is thrown. `expected` may be one
   * digest (a ParsedDigest fits) for the common case.
   */
  commit(id: string, scope: string, expected: ExpectedDigest | CommitOptions, link?: (blob: IngestedBlob) => Promise<unknown>): Promise<IngestedBlob> {
    const opts: CommitOptions = 'algorithm' in expected ? { expected: [expected] } : expected;
    const first = opts.expected?.[0]?.algorithm;
    const address = opts.address ?? (first === 'sha512' ? 'sha512' : 'sha256');
    return this.mutex.run(id, async () => {
      const session = this.live(id, scope);
      const dataFile = join(this.paths.uploadDir(id), 'data');
      const wanted = algorithmsFor({ address, ...opts });
      let hash = session.hash ?? (await this.rehash(session));
      // Algorithms the session did not hash while the bytes arrived are computed now, from the file.
      if (!wanted.every((a) => hash.has(a))) hash = await hashFile(dataFile, session.offset, new Set([...hash.algorithms, ...wanted]));
      let blob: IngestedBlob;
      try {
        blob = verified(hash, session.offset, { address, ...opts });
      } catch (err) {
        await this.remove(id);
        throw err;
      }
      await commitFile(this.blobs, dataFile, blob, async (b) => {
        await link?.(b);
      });
      await this.remove(id);
      return blob;
    });
  }

  cancel(id: string, scope: string): Promise<void> {
    return this.mutex.run(id, async () => {
      this.live(id, scope);
      await this.remove(id);
    });
  }

  /** Removes sessions started before `cutoff` that are not receiving bytes right now. */
  async purge(cutoff: Date): Promise<number> {
    let purged = 0;
    for (const s of [...this.sessions.values()]) {
      if (new Date(s.startedAt) < cutoff && !this.inFlight.has(s.id)) {
        await this.mutex.run(s.id, () => this.remove(s.id));
        purged++;
      }
    }
    return purged;
  }

  private live(id: string, scope: string): LiveSession {
    const session = this.paths.isUploadId(id) ? this.sessions.get(id) : undefined;
    if (!session || session.scope !== scope) throw new EmulatorError('UPLOAD_UNKNOWN', undefined, { id });
    return session;
  }

  private async remove(id: string): Promise<void> {
    this.sessions.delete(id);
    await rm(this.paths.uploadDir(id), { recursive: true, force: true });
  }

  private async rehash(session: LiveSession): Promise<MultiHash> {
    session.hash = await hashFile(join(this.paths.uploadDir(session.id), 'data'), session.offset, session.algorithms);
    return session.hash;
  }
}

function publicView(s: LiveSession): UploadSession {
  return { id: s.id, scope: s.scope, startedAt: s.startedAt, offset: s.offset };
}

function isInterruption(err: unknown): boolean {
  return err instanceof EmulatorError && err.code === 'UPLOAD_INVALID';
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readAckedOffset(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8'));
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
