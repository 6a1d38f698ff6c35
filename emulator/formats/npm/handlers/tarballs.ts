// GET /NAME/-/FILE.tgz (the tarball, streamed from the blob store) and DELETE /NAME/-/FILE.tgz/-rev/REV
// (npm unpublish's last step).
import { EmulatorError } from '../../../core/errors.js';
import { clip } from '../../../core/names.js';
import type { Handler } from '../../../http/context.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { versionOfTarball } from '../names.js';
import { refuseNonStandardWrite } from '../service/remote.js';
import type { VersionRecord } from '../service/tables.js';
import type { NpmTarget } from '../service/target.js';
import { nameOf, okJson, principalOf, targetOf, type NpmDeps } from './deps.js';
import { readThroughTarball } from './read-through.js';

const SMALL_TARBALL = 64 << 10;

export function tarballHandlers(deps: NpmDeps, blobs: BlobStore) {
  const getTarball: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const version = versionOfTarball(name, params.file!);
    let t: NpmTarget = targetOf(deps, ctx, params);
    // download rules of the asked repository, before any cache or upstream read (docs/rules.md)
    deps.downloadRules?.check({ repository: t.ref, package: name, version });
    let v: VersionRecord | undefined;
    if (t.record.mode === 'STANDARD_REPOSITORY') {
      v = deps.packages.version(t, name, version);
    } else {
      const source = await readThroughTarball(deps, ctx, t, name, version);
      t = source.target;
      if (!source.record) {
        // the first fetch: the upstream's bytes as they arrive, cut off short if they fail verification
        if (ctx.method === 'HEAD') {
          // the store branch still needs every byte read: the fetch completes and is cached
          source.stream.resume();
          ctx.body = '';
        } else {
          ctx.body = source.stream;
        }
        ctx.type = 'application/octet-stream';
        if (source.length !== undefined) ctx.length = source.length;
        return;
      }
      v = source.record;
    }
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
    const t = targetOf(deps, ctx, params);
    refuseNonStandardWrite(t);
    await deps.packages.deleteTarball(t, name, version, principalOf(ctx));
    okJson(ctx, 200, { ok: true });
  };

  return { getTarball, deleteTarball };
}
