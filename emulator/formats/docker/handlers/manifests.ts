// Manifests: HEAD/GET/PUT/DELETE /v2/<name>/manifests/<reference> (tag or digest).
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
import { digestOf, isDigestLike, parseDigest } from '../../../core/digests.js';
import { isValidTag } from '../../../core/names.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import { readBody } from '../../../http/body.js';
import type { AppContext, Handler } from '../../../http/context.js';
import { MAX_MANIFEST_BYTES } from '../media-types.js';
import { T, tagKey, type ManifestRecord, type TagRecord } from '../service/tables.js';
import { refuseRemoteWrite } from '../service/remote.js';
import { emptyResponse, pushTargetOf, referenceParam, targetOf, type DockerDeps } from './deps.js';

export function manifestHandlers(deps: DockerDeps): { headManifest: Handler; getManifest: Handler; putManifest: Handler; deleteManifest: Handler } {
  const fetch = async (ctx: AppContext, params: Record<string, string>, withBody: boolean) => {
    const asked = targetOf(deps, ctx, params);
    let t = asked;
    const reference = referenceParam(params);
    let stale = false;
    if (t.record.mode === 'VIRTUAL_REPOSITORY') {
      // the member answering for the image serves the manifest (docs/virtual.md)
      const answer = await deps.virtual?.forManifest(t, reference, withBody);
      if (!answer) deps.manifests.resolve(t, reference); // throws MANIFEST_UNKNOWN naming the virtual repository's path
      ({ target: t, stale } = answer!);
    } else if (t.record.mode === 'REMOTE_REPOSITORY' && deps.remote) {
      stale = (await deps.remote.manifest(t, reference, withBody)).stale;
    }
    // a member that holds the image but not this reference: the error names the path the client asked for
    const { record, body } = await deps.manifests.read(t, reference).catch((err: unknown) => {
      if (t !== asked && isEmulatorError(err) && err.code === 'MANIFEST_UNKNOWN') deps.manifests.resolve(asked, reference);
      throw err;
    });
    assertAcceptable(ctx, record);
    // download rules (rule.proto) of the asked repository: the image is the package, the digest the version
    deps.downloadRules?.check({ repository: asked.ref, package: asked.image, version: record.digest, ...(isDigestLike(reference) ? {} : { tag: reference }) });
    // the deploy policy (Binary Authorization, docs/deploy-policy.md): a pull is the emulator's deployment
    await deps.pullPolicy?.check({
      principal: ctx.state.principal ?? 'anonymous',
      asked: { repository: asked.ref, image: asked.image },
      served: { repository: t.ref, image: t.image },
      digest: record.digest,
      referrers: () => deps.manifests.referrers(t, record.digest),
    });
    ctx.status = 200;
    ctx.set({ 'Docker-Distribution-API-Version': 'registry/2.0', 'Docker-Content-Digest': record.digest, ETag: `"${record.digest}"` });
    ctx.set('Content-Type', record.mediaType);
    if (stale) ctx.set('Warning', '110 - "Response is Stale"');
    ctx.body = body; // on HEAD Koa sends Content-Length and no body
    if (withBody) deps.manifests.recordPull(t, record, reference);
  };

  return {
    headManifest: (ctx, params) => fetch(ctx, params, false),
    getManifest: (ctx, params) => fetch(ctx, params, true),

    putManifest: async (ctx, params) => {
      const t = await pushTargetOf(deps, ctx, params);
      refuseRemoteWrite(t);
      const reference = referenceParam(params);
      const extraTags = tagParams(ctx);
      const body = await readBody(ctx, MAX_MANIFEST_BYTES, 'MANIFEST_TOO_LARGE');
      // Re-pointing an existing tag at another digest is a tag update (docs/iam.md `docker.tagMove`): checked
      // early (nothing is stored for a refused move) and again under the shard lock (no race with a tag
      // created meanwhile), for every tag the push sets.
      const tagMove = () => deps.access.require(ctx, 'docker.tagMove', t.ref);
      const digest = isDigestLike(reference) ? digestOf(body, parseDigest(reference).algorithm) : digestOf(body, 'sha256');
      const tags = isDigestLike(reference) ? extraTags : [reference, ...extraTags];
      for (const tag of tags) {
        const current = isValidTag(tag) ? t.shard.get<TagRecord>(T.tags, tagKey(t.image, tag)) : undefined;
        if (current && current.digest !== digest) tagMove();
      }
      const record = await deps.manifests.put(t, reference, body, ctx.get('Content-Type') || undefined, { onTagMove: tagMove, tags: extraTags });
      emptyResponse(ctx, 201, {
        Location: deps.routes().url('docker.manifest.get', { name: t.name, reference: record.digest }),
        'Docker-Content-Digest': record.digest,
        ...(record.subject ? { 'OCI-Subject': record.subject } : {}),
      });
      // distribution-spec "Pushing Manifests with Tags": one OCI-Tag header per tag the `tag` parameters set
      if (extraTags.length) ctx.set('OCI-Tag', [...new Set(extraTags)]);
    },

    deleteManifest: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      refuseRemoteWrite(t);
      await deps.manifests.delete(t, referenceParam(params));
      emptyResponse(ctx, 202);
    },
  };
}

/**
 * The `tag` query parameters of a manifest PUT (`?tag=a&tag=b`, OCI distribution-spec v1.1 "Pushing Manifests
 * with Tags"), in request order; an empty value is a tag like any other (refused as TAG_INVALID).
 */
function tagParams(ctx: AppContext): string[] {
  const raw = ctx.query.tag;
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

/**
 * Content negotiation over every Accept header the client sent (Node joins repeated headers with ", ";
 * the Docker engine sends six), with q-values (`q=0` refuses a type), through Koa's `ctx.accepts`
 * (jshttp `accepts`/`negotiator`). No Accept, or one that admits the stored type, is served as stored;
 * clients that admit only JSON-ish types still get the manifest (distribution does the same).
 */
function assertAcceptable(ctx: AppContext, record: ManifestRecord): void {
  if (!ctx.get('Accept').trim()) return;
  if (ctx.accepts(record.mediaType, 'application/json')) return;
  throw new EmulatorError('MANIFEST_UNKNOWN', `manifest ${record.digest} has media type ${record.mediaType}, which the Accept header does not admit`);
}
