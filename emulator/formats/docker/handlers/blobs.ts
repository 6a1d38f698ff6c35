// Blob reads and deletes: HEAD/GET (with Range) and DELETE /v2/<name>/blobs/<digest>.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
import type { ParsedDigest } from '../../../core/digests.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import type { AppContext, Handler } from '../../../http/context.js';
import type { BlobReader, ByteRange } from '../../../storage/blob-store.js';
import { sendRange } from '../../../http/send-range.js';
import { parse } from 'range-parser';
import type { BlobLink } from '../service/tables.js';
import type { DockerTarget } from '../service/target.js';
import { refuseRemoteWrite, type StreamedBlob } from '../service/remote.js';
import { digestParam, emptyResponse, targetOf, type DockerDeps } from './deps.js';

export function blobHandlers(deps: DockerDeps): { headBlob: Handler; getBlob: Handler; deleteBlob: Handler } {
  return {
    headBlob: async (ctx, params) => {
      const digest = digestParam(params);
      const t = blobSource(deps, targetOf(deps, ctx, params), digest);
      if (t.record.mode === 'REMOTE_REPOSITORY') await deps.remote?.blob(t, digest, false);
      // A HEAD must not promise what a GET cannot deliver: the stored file is checked, not just the link.
      const { link, source } = await openStored(deps, ctx, t, digest);
      await source.close();
      ctx.status = 200;
      ctx.set({
        'Docker-Distribution-API-Version': 'registry/2.0',
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(link.size),
        'Docker-Content-Digest': digest.value,
        'Accept-Ranges': 'bytes',
        ETag: `"${digest.value}"`,
      });
    },

    getBlob: async (ctx, params) => {
      const digest = digestParam(params);
      const t = blobSource(deps, targetOf(deps, ctx, params), digest);
      if (t.record.mode === 'REMOTE_REPOSITORY' && deps.remote) {
        // a first fetch streams to this client while it is stored (a ranged read waits for the stored copy)
        const { first } = await deps.remote.blob(t, digest, true, { stream: !ctx.get('Range') });
        if (first) return sendFirstFetch(ctx, digest, first);
      }
      const link = deps.blobs.stat(t, digest);
      const range = parseRange(ctx, link.size);
      const { source } = await openStored(deps, ctx, t, digest);
      ctx.set({
        'Docker-Distribution-API-Version': 'registry/2.0',
        'Docker-Content-Digest': digest.value,
        'Accept-Ranges': 'bytes',
        ETag: `"${digest.value}"`,
        'Content-Type': 'application/octet-stream',
      });
      const start = range?.start ?? 0;
      const end = range?.end ?? link.size - 1;
      ctx.status = range ? 206 : 200;
      if (range) ctx.set('Content-Range', `bytes ${start}-${end}/${link.size}`);
      ctx.set('Content-Length', String(end - start + 1));
      await sendRange(ctx, source, start, end, { what: digest.value });
    },

    deleteBlob: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      refuseRemoteWrite(t);
      await deps.blobs.delete(t, digestParam(params));
      emptyResponse(ctx, 202);
    },
  };
}

/**
 * The upstream's bytes of a blob as they arrive. If they fail verification the stream errors before its last
 * chunk: the connection is cut, so the client sees a short body (its digest check fails), never a complete one.
 */
function sendFirstFetch(ctx: AppContext, digest: ParsedDigest, first: StreamedBlob): void {
  ctx.set({
    'Docker-Distribution-API-Version': 'registry/2.0',
    'Docker-Content-Digest': digest.value,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest.value}"`,
    'Content-Type': 'application/octet-stream',
  });
  ctx.status = 200;
  if (first.length !== undefined) ctx.length = first.length;
  first.stream.once('error', (err) => {
    ctx.state.logger.warn('upstream blob failed while streaming to the client; the response was cut short', { digest: digest.value, err: err.message, requestId: ctx.state.requestId });
    ctx.res.destroy();
  });
  ctx.body = first.stream;
}

/** Where a blob read is served from: the repository itself, or for a virtual one the member holding it (BLOB_UNKNOWN if none). */
function blobSource(deps: DockerDeps, t: DockerTarget, digest: ParsedDigest): DockerTarget {
  if (t.record.mode !== 'VIRTUAL_REPOSITORY') return t;
  const member = deps.virtual?.forBlob(t, digest);
  if (!member) throw new EmulatorError('BLOB_UNKNOWN', undefined, { digest: digest.value });
  return member;
}

/**
 * The blob's link and an open reader of its stored file. A link whose file is missing, or whose file has
 * another length than the link records (a truncated or damaged store), is BLOB_UNKNOWN, logged as an error:
 * answering 200 would promise bytes that cannot be sent, and a 404 lets a client push the blob again.
 */
async function openStored(deps: DockerDeps, ctx: AppContext, t: DockerTarget, digest: ParsedDigest): Promise<{ link: BlobLink; source: BlobReader }> {
  const link = deps.blobs.stat(t, digest);
  let source: BlobReader;
  try {
    source = await deps.blobs.reader(t, digest);
  } catch (err) {
    if (isEmulatorError(err) && err.code === 'BLOB_UNKNOWN') {
      ctx.state.logger.error('blob is linked but its file is missing from the blob store', { digest: digest.value, repository: t.repository, requestId: ctx.state.requestId });
    }
    throw err;
  }
  if (source.size !== link.size) {
    await source.close().catch(() => {});
    ctx.state.logger.error('stored blob file has another size than recorded; not serving it', {
      digest: digest.value,
      repository: t.repository,
      recordedSize: link.size,
      storedSize: source.size,
      requestId: ctx.state.requestId,
    });
    throw new EmulatorError('BLOB_UNKNOWN', `blob ${digest.value} is damaged in the blob store`, { digest: digest.value });
  }
  return { link, source };
}

/**
 * A single byte range (RFC 9110 §14.1.2, parsed by `range-parser`); RANGE_INVALID when it is malformed, asks
 * for several ranges, or cannot be satisfied (then with a `Content-Range` naming the size).
 */
function parseRange(ctx: AppContext, size: number): ByteRange | undefined {
  const header = ctx.get('Range');
  if (!header) return undefined;
  const parsed = parse(size, header.trim());
  if (parsed.code === 2) {
    ctx.set('Content-Range', `bytes */${size}`);
    throw new EmulatorError('RANGE_INVALID', `range ${header.slice(0, 60)} cannot be satisfied for ${size} bytes`);
  }
  const range = parsed.ranges[0];
  if (parsed.code !== 0 || parsed.type !== 'bytes' || parsed.ranges.length !== 1 || !range) {
    throw new EmulatorError('RANGE_INVALID', `unsupported Range "${header.slice(0, 60)}"`);
  }
  return { start: range.start, end: range.end };
}
