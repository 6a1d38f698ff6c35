// The Google media upload protocol for every `…/<kind>:create` upload method (spec ar-fidelity §1.6), once:
//  - `POST /upload/v1/{parent}/<kind>:create?uploadType=media`: the body is the bytes (metadata from the query
//    where the kind allows it);
//  - `?uploadType=multipart`: a multipart/related body, the JSON metadata then the bytes;
//  - `POST /resumable/upload/v1/{parent}/<kind>:create?uploadType=resumable` with the JSON metadata: a session,
//    its URL in `Location` (and `X-GUploader-UploadID`); then `PUT <session URL>` chunks with
//    `Content-Range: bytes A-B/TOTAL` (or `/*` while the total is unknown), answered `308` with
//    `Range: bytes=0-N` until the last byte; `Content-Range: bytes */*` (or `*/TOTAL`) probes the status.
// The bytes stream through the blob ingest path (storage/ingest.ts, storage/uploads.ts) with bounded memory; the
// kind links the blob at the end; the answer is `{"operation": {name, done: true, response}}`.
// A session's id carries its metadata (`UUID.BASE64URL(JSON)`), and the UploadSessions scope binds the two, so a
// session survives a restart without a table of its own and is purged with every other upload session after the
// upload TTL (of emulator time).
import { createHash } from 'node:crypto';
import { EmulatorError } from '../../core/errors.js';
import { repositoryName, type RepositoryRef } from '../../core/names.js';
import type { PreparedUpload, UploadKind } from '../../core/upload-kind.js';
import type { AppContext, Handler, RouteParams } from '../../http/context.js';
import { readJson } from '../../http/body.js';
import type { UploadSessions } from '../../storage/uploads.js';
import type { IngestedBlob } from '../../storage/ingest.js';
import { decodePercent } from '../../core/decode-percent.js';
import type { OperationStore } from '../operations.js';
import { seg } from '../rest/request.js';
import { parseContentRange } from './content-range.js';
import { readRelated, relatedBoundary } from './multipart-related.js';

/** [U] the real service's limit on the metadata part is not documented; a request message is small. */
export const MAX_UPLOAD_METADATA_BYTES = 64 << 10;
const COMPLETED_KEPT = 1000;

export interface UploadProtocolDeps {
  uploads: UploadSessions;
  operations: OperationStore;
}

export const repoOf = (p: RouteParams): RepositoryRef => ({
  project: decodePercent(seg(p.project)),
  location: decodePercent(seg(p.location)),
  repository: decodePercent(seg(p.repository)),
});

const queryOf = (ctx: AppContext): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));

const noSession = () => new EmulatorError('UPLOAD_UNKNOWN', 'No upload session was found for this upload_id: it does not exist, was completed, cancelled or expired.');

export function uploadHandlers(d: UploadProtocolDeps) {
  /** id → the answer of a completed resumable upload (a probe after the last chunk answers it again) */
  const completed = new Map<string, { scope: string; body: unknown }>();
  /** id → the total a chunk or X-Upload-Content-Length announced (not kept across a restart: the next chunk says it again) */
  const totals = new Map<string, number>();

  const answer = (ref: RepositoryRef, kind: UploadKind, response: Record<string, unknown>) => ({
    operation: d.operations.completed(ref.project, ref.location, kind.responseType, response, kind.metadataType),
  });

  /** Streams `body` into the store and links it: the simple (media, multipart) uploads. */
  const ingestOnce = async (ctx: AppContext, ref: RepositoryRef, kind: UploadKind, prepared: PreparedUpload, body: NodeJS.ReadableStream, length?: number) => {
    const response = await d.uploads.ingest.ingest(
      body as import('node:stream').Readable,
      { algorithms: ['md5'], limit: { bytes: prepared.maxBytes, code: 'INVALID_ARGUMENT' }, ...(length !== undefined ? { length } : {}) },
      (blob: IngestedBlob) => prepared.commit(blob),
    );
    ctx.status = 200;
    ctx.body = answer(ref, kind, response);
  };

  const scopeOf = (kind: UploadKind, ref: RepositoryRef, encoded: string) =>
    `upload:${kind.kind}:${repositoryName(ref)}:${createHash('sha256').update(encoded).digest('hex')}`;

  const sessionUrl = (ctx: AppContext, kind: UploadKind, ref: RepositoryRef, uploadId: string) =>
    `${ctx.protocol}://${ctx.host}/resumable/upload/v1/${repositoryName(ref).split('/').map(encodeURIComponent).join('/')}/${kind.kind}:create?uploadType=resumable&upload_id=${encodeURIComponent(uploadId)}`;

  const begin = async (ctx: AppContext, ref: RepositoryRef, kind: UploadKind) => {
    const metadata = await readJson(ctx, MAX_UPLOAD_METADATA_BYTES);
    const announced = ctx.get('X-Upload-Content-Length');
    let total: number | undefined;
    if (announced) {
      if (!/^\d{1,15}$/.test(announced)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid X-Upload-Content-Length "${announced.slice(0, 50)}".`);
      total = Number(announced);
    }
    const prepared = kind.prepare(ref, metadata);
    if (total !== undefined && total > prepared.maxBytes) throw new EmulatorError('INVALID_ARGUMENT', `The upload of ${total} bytes is larger than the limit of ${prepared.maxBytes} bytes.`);
    const encoded = Buffer.from(JSON.stringify(metadata)).toString('base64url');
    const session = await d.uploads.begin(scopeOf(kind, ref, encoded), { algorithms: ['sha256', 'md5'] });
    const uploadId = `${session.id}.${encoded}`;
    if (total !== undefined) totals.set(session.id, total);
    ctx.status = 200;
    ctx.set('Location', sessionUrl(ctx, kind, ref, uploadId));
    ctx.set('X-GUploader-UploadID', uploadId);
    ctx.body = '';
  };

  const simple = (kind: UploadKind): Handler => async (ctx, p) => {
    const ref = repoOf(p);
    const uploadType = ctx.query.uploadType ?? ctx.query.upload_type;
    if (uploadType === 'resumable') return begin(ctx, ref, kind);
    if (uploadType === 'multipart') {
      const boundary = relatedBoundary(ctx.get('Content-Type'));
      const parts = await readRelated(ctx.req, boundary, MAX_UPLOAD_METADATA_BYTES);
      let prepared: PreparedUpload;
      try {
        prepared = kind.prepare(ref, parts.metadata);
      } catch (err) {
        parts.media.destroy();
        throw err;
      }
      return ingestOnce(ctx, ref, kind, prepared, parts.media);
    }
    if (uploadType === 'media') {
      const metadata = kind.metadataFromQuery?.(queryOf(ctx));
      if (!metadata) {
        throw new EmulatorError('INVALID_ARGUMENT', `${kind.kind}:create needs its metadata: use uploadType=multipart (a JSON part, then the bytes) or uploadType=resumable.`);
      }
      const prepared = kind.prepare(ref, metadata);
      const length = ctx.request.length;
      return ingestOnce(ctx, ref, kind, prepared, ctx.req, length);
    }
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid uploadType "${String(uploadType ?? '').slice(0, 50)}": expected media, multipart or resumable.`);
  };

  const resumableBegin = (kind: UploadKind): Handler => async (ctx, p) => {
    const uploadType = ctx.query.uploadType ?? ctx.query.upload_type;
    if (uploadType !== 'resumable') throw new EmulatorError('INVALID_ARGUMENT', `Invalid uploadType "${String(uploadType ?? '').slice(0, 50)}" for a /resumable/ upload: expected resumable.`);
    return begin(ctx, repoOf(p), kind);
  };

  const chunk = (kind: UploadKind): Handler => async (ctx, p) => {
    const ref = repoOf(p);
    const uploadId = typeof ctx.query.upload_id === 'string' ? ctx.query.upload_id : '';
    const dot = uploadId.indexOf('.');
    if (dot <= 0) throw noSession();
    const id = uploadId.slice(0, dot);
    const encoded = uploadId.slice(dot + 1);
    const scope = scopeOf(kind, ref, encoded);
    const done = completed.get(id);
    if (done && done.scope === scope) {
      ctx.req.resume();
      ctx.status = 200;
      ctx.body = done.body;
      return;
    }
    let offset: number;
    try {
      offset = d.uploads.get(id, scope).offset;
    } catch {
      totals.delete(id);
      throw noSession();
    }
    let metadata: Record<string, unknown>;
    try {
      metadata = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw noSession();
    }
    const header = ctx.get('Content-Range');
    const length = ctx.request.length;
    // no Content-Range: the whole rest of the upload in this request
    const range = header ? parseContentRange(header) : { probe: false as const, start: offset, end: offset + (length ?? 0) - 1, ...(length !== undefined ? { total: offset + length } : {}) };
    const known = totals.get(id);
    if (range.total !== undefined) {
      if (known !== undefined && known !== range.total) {
        ctx.req.resume();
        throw new EmulatorError('INVALID_ARGUMENT', `Invalid Content-Range "${header.slice(0, 100)}": the upload's total size was given as ${known} bytes.`);
      }
      if (range.total < offset) {
        ctx.req.resume();
        throw new EmulatorError('INVALID_ARGUMENT', `Invalid Content-Range "${header.slice(0, 100)}": ${offset} bytes were already received.`);
      }
      totals.set(id, range.total);
    }
    const total = range.total ?? known;
    const incomplete = (at: number) => {
      ctx.status = 308;
      if (at > 0) ctx.set('Range', `bytes=0-${at - 1}`);
      ctx.set('X-GUploader-UploadID', uploadId);
      ctx.body = '';
    };

    if (range.probe) {
      ctx.req.resume();
      if (total !== undefined && offset === total) return finish(ctx, ref, kind, id, scope, metadata);
      return incomplete(offset);
    }
    const rangeHeaders = offset > 0 ? { Range: `bytes=0-${offset - 1}` } : undefined;
    if (range.start !== offset) {
      ctx.req.resume();
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid Content-Range "${header.slice(0, 100)}": the chunk starts at byte ${range.start} but ${offset} bytes were received; resume at byte ${offset}.`, undefined, rangeHeaders ? { headers: rangeHeaders } : undefined);
    }
    if (total !== undefined && range.end >= total) {
      ctx.req.resume();
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid Content-Range "${header.slice(0, 100)}": the chunk ends past the upload's total of ${total} bytes.`);
    }
    const size = range.end - range.start + 1;
    if (header && length !== undefined && length !== size) {
      ctx.req.resume();
      throw new EmulatorError('INVALID_ARGUMENT', `Content-Length ${length} does not match Content-Range "${header.slice(0, 100)}" (${size} bytes).`);
    }
    let prepared: PreparedUpload;
    try {
      prepared = kind.prepare(ref, metadata);
    } catch (err) {
      // the upload can never succeed now (the file was uploaded meanwhile, the repository went): nothing is kept
      ctx.req.resume();
      await d.uploads.cancel(id, scope).catch(() => {});
      totals.delete(id);
      throw err;
    }
    if (range.end + 1 > prepared.maxBytes) {
      ctx.req.resume();
      throw new EmulatorError('INVALID_ARGUMENT', `The upload is larger than the limit of ${prepared.maxBytes} bytes.`);
    }
    const after = size > 0 || length !== 0 ? (await d.uploads.append(id, scope, ctx.req, { start: range.start, length: size })).offset : offset;
    if (total !== undefined && after === total) return finish(ctx, ref, kind, id, scope, metadata);
    return incomplete(after);
  };

  const finish = async (ctx: AppContext, ref: RepositoryRef, kind: UploadKind, id: string, scope: string, metadata: Record<string, unknown>) => {
    let prepared: PreparedUpload;
    try {
      prepared = kind.prepare(ref, metadata);
    } catch (err) {
      // the upload can never succeed now (a file of the same name was uploaded meanwhile): nothing is kept
      await d.uploads.cancel(id, scope).catch(() => {});
      totals.delete(id);
      throw err;
    }
    let response: Record<string, unknown> = {};
    try {
      await d.uploads.commit(id, scope, {}, async (blob) => {
        response = await prepared.commit(blob);
      });
    } catch (err) {
      await d.uploads.cancel(id, scope).catch(() => {});
      totals.delete(id);
      throw err;
    }
    totals.delete(id);
    const body = answer(ref, kind, response);
    completed.set(id, { scope, body });
    if (completed.size > COMPLETED_KEPT) completed.delete(completed.keys().next().value!);
    ctx.status = 200;
    ctx.body = body;
  };

  return { simple, resumableBegin, chunk };
}
