// Blob reads and deletes: HEAD/GET (with Range) and DELETE /v2/<name>/blobs/<digest>.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
import { EmulatorError } from '../../../core/errors.js';
import type { AppContext, Handler } from '../../../http/context.js';
import type { ByteRange } from '../../../storage/blob-store.js';
import { sendRange } from '../../../http/send-range.js';
import { digestParam, emptyResponse, targetOf, type DockerDeps } from './deps.js';

export function blobHandlers(deps: DockerDeps): { headBlob: Handler; getBlob: Handler; deleteBlob: Handler } {
  return {
    headBlob: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      const digest = digestParam(params);
      const link = deps.blobs.stat(t, digest);
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
      const t = targetOf(deps, ctx, params);
      const digest = digestParam(params);
      const link = deps.blobs.stat(t, digest);
      const range = parseRange(ctx, link.size);
      const source = await deps.blobs.reader(t, digest);
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
      await sendRange(ctx, source, start, end);
    },

    deleteBlob: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      await deps.blobs.delete(t, digestParam(params));
      emptyResponse(ctx, 202);
    },
  };
}

/** A single `bytes=start-end` range (RFC 9110 §14.1.2); RANGE_INVALID when it cannot be satisfied. */
function parseRange(ctx: AppContext, size: number): ByteRange | undefined {
  const header = ctx.get('Range');
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw new EmulatorError('RANGE_INVALID', `unsupported Range "${header.slice(0, 60)}"`);
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) {
    ctx.set('Content-Range', `bytes */${size}`);
    throw new EmulatorError('RANGE_INVALID', `range ${header.slice(0, 60)} cannot be satisfied for ${size} bytes`);
  }
  return { start, end };
}
