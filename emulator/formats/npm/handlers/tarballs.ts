// GET /NAME/-/FILE.tgz (the tarball, streamed from the blob store) and DELETE /NAME/-/FILE.tgz/-rev/REV
// (npm unpublish's last step).
import { EmulatorError } from '../../../core/errors.js';
import { clip } from '../../../core/names.js';
import type { Handler } from '../../../http/context.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { versionOfTarball } from '../names.js';
import { nameOf, okJson, principalOf, targetOf, type NpmDeps } from './deps.js';

const SMALL_TARBALL = 64 << 10;

export function tarballHandlers(deps: NpmDeps, blobs: BlobStore) {
  const getTarball: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const version = versionOfTarball(name, params.file!);
    const t = targetOf(deps, ctx, params);
    const v = deps.packages.version(t, name, version);
    if (!v) throw new EmulatorError('NOT_FOUND', `${clip(name)}@${clip(version)} is not in this registry`);
    const etag = `"${v.tarball.sha1}"`;
    ctx.set('ETag', etag);
    if (ctx.get('if-none-match') === etag) {
      ctx.status = 304;
      return;
    }
    // most tarballs are small: one read costs a third of a stream's setup (bench/README.md, finding 7)
    const body = ctx.method === 'HEAD' ? '' : v.tarball.size <= SMALL_TARBALL ? await blobs.read(v.tarball.digest) : await blobs.open(v.tarball.digest);
    ctx.type = 'application/octet-stream';
    ctx.length = v.tarball.size;
    ctx.body = body;
    if (ctx.method === 'GET') deps.packages.recordPull(t, v, principalOf(ctx));
  };

  const deleteTarball: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const version = versionOfTarball(name, params.file!);
    await deps.packages.deleteTarball(targetOf(deps, ctx, params), name, version, principalOf(ctx));
    okJson(ctx, 200, { ok: true });
  };

  return { getTarball, deleteTarball };
}
