// Resumable upload sessions: bytes are streamed to <root>/uploads/<id>/data while being hashed, never
// buffered whole. A session is committed into the BlobStore by rename after its digest is verified, or
// cancelled. A failed or interrupted append is rolled back to the last good offset. Stale sessions are
// purged by a job. Knows nothing of HTTP or formats: a session's `scope` is an opaque string.
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { mkdir, open, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../core/clock.js';
import type { ParsedDigest } from '../core/digests.js';
import { EmulatorError } from '../core/errors.js';
import type { IdGenerator } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { BlobStore } from './blob-store.js';
import { KeyedMutex } from './locks.js';
import type { DataPaths } from './paths.js';

export interface UploadSession {
  id: string;
  scope: string;
  startedAt: string;
  /** bytes received so far */
  offset: number;
}

interface LiveSession extends UploadSession {
  /** sha256 over bytes [0, offset); absent after a restart until recomputed */
  hash?: Hash;
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

  constructor(
    private readonly paths: DataPaths,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly logger: Logger,
  ) {}

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
        const info = JSON.parse(readFileSync(join(dir, 'info.json'), 'utf8')) as UploadSession;
        // Bytes past the last acknowledged offset belong to a chunk a crash cut off: the client never got
        // its 202 and will resend from the acknowledged offset, so they are cut away.
        const size = fileSize(join(dir, 'data'));
        const acked = readAckedOffset(join(dir, 'offset'));
        const offset = Math.min(size, acked ?? size);
        if (offset < size) truncateSync(join(dir, 'data'), offset);
        this.sessions.set(id, { id, scope: String(info.scope), startedAt: String(info.startedAt), offset });
      } catch {
        // an upload whose record was never written: nothing was acknowledged for it
        void rm(dir, { recursive: true, force: true });
      }
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  async begin(scope: string): Promise<UploadSession> {
    const id = this.ids.uuid();
    const dir = this.paths.uploadDir(id);
    await mkdir(dir, { recursive: true });
    const session: LiveSession = { id, scope, startedAt: this.clock.now().toISOString(), offset: 0, hash: createHash('sha256') };
    await writeFile(join(dir, 'data'), '');
    await writeFile(join(dir, 'info.json'), JSON.stringify({ id, scope, startedAt: session.startedAt }));
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
      const base = session.hash ?? (await this.rehash(session));
      const hash = base.copy();
      const dataFile = join(this.paths.uploadDir(id), 'data');
      const out = await open(dataFile, 'a');
      let written = 0;
      this.inFlight.add(id);
      try {
        await pipeline(
          body,
          new Transform({
            transform(chunk: Buffer, _enc, cb) {
              hash.update(chunk);
              written += chunk.length;
              cb(null, chunk);
            },
          }),
          out.createWriteStream({ highWaterMark: 1 << 20 }),
        );
        if (opts.length !== undefined && written !== opts.length) {
          throw new EmulatorError('SIZE_MISMATCH', `received ${written} bytes but Content-Length said ${opts.length}`);
        }
      } catch (err) {
        await truncate(dataFile, session.offset).catch(() => {});
        if (err instanceof EmulatorError) throw err;
        this.logger.debug('upload chunk interrupted, rolled back', { id, offset: session.offset });
        throw new EmulatorError('UPLOAD_INVALID', 'the upload was interrupted before all bytes arrived', undefined, { cause: err });
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
   * Verifies the session's bytes against `expected` and moves them into the BlobStore. On a mismatch the
   * session is cancelled (its bytes are removed) and DIGEST_MISMATCH is thrown.
   */
  commit(id: string, scope: string, expected: ParsedDigest): Promise<{ digest: string; size: number }> {
    return this.mutex.run(id, async () => {
      const session = this.live(id, scope);
      const dataFile = join(this.paths.uploadDir(id), 'data');
      const actual =
        expected.algorithm === 'sha256'
          ? `sha256:${(session.hash ?? (await this.rehash(session))).copy().digest('hex')}`
          : await hashFile(dataFile, expected.algorithm);
      if (actual !== expected.value) {
        await this.remove(id);
        throw new EmulatorError('DIGEST_MISMATCH', `digest ${expected.value} does not match the uploaded content`, { expected: expected.value });
      }
      await this.blobs.adopt(dataFile, expected.value);
      await this.remove(id);
      return { digest: expected.value, size: session.offset };
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

  private async rehash(session: LiveSession): Promise<Hash> {
    const hash = createHash('sha256');
    if (session.offset > 0) {
      const handle = await open(join(this.paths.uploadDir(session.id), 'data'), 'r');
      try {
        for await (const chunk of handle.createReadStream({ start: 0, end: session.offset - 1, autoClose: false })) hash.update(chunk as Buffer);
      } finally {
        await handle.close();
      }
    }
    session.hash = hash;
    return hash;
  }
}

function publicView(s: LiveSession): UploadSession {
  return { id: s.id, scope: s.scope, startedAt: s.startedAt, offset: s.offset };
}

async function hashFile(file: string, algorithm: 'sha256' | 'sha512'): Promise<string> {
  const hash = createHash(algorithm);
  const handle = await open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return `${algorithm}:${hash.digest('hex')}`;
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
