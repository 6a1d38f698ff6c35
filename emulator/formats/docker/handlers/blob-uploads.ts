// Blob uploads: POST (start, monolithic with ?digest=, cross-repository mount from readable sources), PATCH (streamed or
// chunked with Content-Range), PUT ?digest= (complete), GET (status), DELETE (cancel).
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
// Real Artifact Registry refuses multi-PATCH chunked uploads (spec ar-fidelity §2.1); the emulator
// accepts them as the OCI spec requires (see docs/fidelity.md).
import { parseDigest } from '../../../core/digests.js';
import { EmulatorError } from '../../../core/errors.js';
import type { RepositoryRef } from '../../../core/names.js';
import type { AppContext, Handler, RouteParams } from '../../../http/context.js';
import type { UploadSession } from '../../../storage/uploads.js';
import type { DockerTarget } from '../service/target.js';
import { refuseRemoteWrite } from '../service/remote.js';
import { emptyResponse, intHeader, pushTargetOf, targetOf, type DockerDeps } from './deps.js';

export interface BlobUploadHandlers {
  startBlobUpload: Handler;
  patchBlobUpload: Handler;
  completeBlobUpload: Handler;
  getBlobUploadStatus: Handler;
  cancelBlobUpload: Handler;
}

export function blobUploadHandlers(deps: DockerDeps): BlobUploadHandlers {
  const uploadUrl = (t: DockerTarget, id: string) => deps.routes().url('docker.blobUpload.patch', { name: t.name, uuid: id });
  const blobUrl = (t: DockerTarget, digest: string) => deps.routes().url('docker.blob.get', { name: t.name, digest });

  const inProgress = (ctx: AppContext, t: DockerTarget, s: UploadSession, status: number) =>
    emptyResponse(ctx, status, {
      Location: uploadUrl(t, s.id),
      Range: `0-${Math.max(0, s.offset - 1)}`,
      'Docker-Upload-UUID': s.id,
    });

  const created = (ctx: AppContext, t: DockerTarget, digest: string) =>
    emptyResponse(ctx, 201, { Location: blobUrl(t, digest), 'Docker-Content-Digest': digest });

  return {
    startBlobUpload: async (ctx, params) => {
      const t = await pushTargetOf(deps, ctx, params);
      refuseRemoteWrite(t);
      const mount = queryString(ctx, 'mount');
      const from = queryString(ctx, 'from');
      if (mount !== undefined) {
        // A mount reads the source: only repositories the caller may pull from count, and any other source
        // falls back to a normal upload (202), so the answer reveals nothing about blobs the caller cannot read.
        const digest = parseDigest(mount);
        const mayRead = (ref: RepositoryRef) => deps.access.allows(ctx, 'docker.pull', ref);
        const named = from === undefined ? undefined : tryTarget(deps, ctx, from);
        const source = named && mayRead(named.ref) ? named : undefined;
        const candidates = () => [
          ...(mayRead(t.ref) ? [t.shard] : []),
          ...deps.targets.all().filter((r) => r.shard !== t.shard && mayRead(r.record)).map((r) => r.shard),
        ];
        if ((from === undefined || source) && (await deps.blobs.mount(t, digest, source, candidates))) return created(ctx, t, digest.value);
      }
      const digestParamValue = queryString(ctx, 'digest');
      if (digestParamValue !== undefined) {
        // monolithic upload in a single POST
        const done = await deps.blobs.uploadWhole(t, ctx.req, parseDigest(digestParamValue), lengthOpts(ctx));
        return created(ctx, t, done.digest);
      }
      const session = await deps.blobs.beginUpload(t);
      inProgress(ctx, t, session, 202);
    },

    patchBlobUpload: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      const id = params.uuid!;
      deps.blobs.uploadStatus(t, id);
      const range = contentRange(ctx);
      const length = intHeader(ctx, 'Content-Length');
      if (range && length !== undefined && length !== range.end - range.start + 1) {
        throw new EmulatorError('RANGE_INVALID', `Content-Range ${range.start}-${range.end} does not match Content-Length ${length}`, {
          offset: deps.blobs.uploadStatus(t, id).offset,
        });
      }
      const session = await deps.blobs.appendUpload(t, id, ctx.req, { ...(range ? { start: range.start } : {}), ...lengthOpts(ctx) });
      inProgress(ctx, t, session, 202);
    },

    completeBlobUpload: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      const id = params.uuid!;
      const digestValue = queryString(ctx, 'digest');
      if (digestValue === undefined) throw new EmulatorError('DIGEST_INVALID', 'the digest query parameter is required to complete an upload');
      const digest = parseDigest(digestValue);
      deps.blobs.uploadStatus(t, id);
      const length = intHeader(ctx, 'Content-Length');
      const hasBody = (length !== undefined && length > 0) || ctx.get('Transfer-Encoding').includes('chunked');
      if (hasBody) {
        const range = contentRange(ctx);
        await deps.blobs.appendUpload(t, id, ctx.req, { ...(range ? { start: range.start } : {}), ...lengthOpts(ctx) });
      }
      const done = await deps.blobs.completeUpload(t, id, digest);
      created(ctx, t, done.digest);
    },

    getBlobUploadStatus: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      const session = deps.blobs.uploadStatus(t, params.uuid!);
      inProgress(ctx, t, session, 204);
    },

    cancelBlobUpload: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      await deps.blobs.cancelUpload(t, params.uuid!);
      emptyResponse(ctx, 204);
    },
  };
}

function queryString(ctx: AppContext, key: string): string | undefined {
  const v = ctx.query[key];
  return Array.isArray(v) ? v[0] : v;
}

function lengthOpts(ctx: AppContext): { length?: number } {
  const length = intHeader(ctx, 'Content-Length');
  if (length !== undefined && Number.isNaN(length)) throw new EmulatorError('UPLOAD_INVALID', 'Content-Length is not a number');
  return length === undefined ? {} : { length };
}

/** `Content-Range: <start>-<end>` (OCI chunked upload; a `bytes ` prefix is tolerated). */
function contentRange(ctx: AppContext): { start: number; end: number } | undefined {
  const header = ctx.get('Content-Range');
  if (!header) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw new EmulatorError('RANGE_INVALID', `malformed Content-Range "${header.slice(0, 60)}"`);
  return { start: Number(m[1]), end: Number(m[2]) };
}

function tryTarget(deps: DockerDeps, ctx: AppContext, name: string): DockerTarget | undefined {
  try {
    return targetOf(deps, ctx, { name } as RouteParams);
  } catch {
    return undefined;
  }
}
