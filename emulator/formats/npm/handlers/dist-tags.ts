// GET /-/package/NAME/dist-tags, PUT and DELETE /-/package/NAME/dist-tags/TAG: what npm dist-tag ls/add/rm send.
// https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md (dist-tags)
import { decodePercent } from '../../../core/decode-percent.js';
import { EmulatorError } from '../../../core/errors.js';
import type { Handler } from '../../../http/context.js';
import { checkDistTag, checkVersion } from '../names.js';
import { refuseNonStandardWrite } from '../service/remote.js';
import { nameOf, okJson, principalOf, readCappedBody, targetOf, type NpmDeps } from './deps.js';
import { readThroughPackument } from './read-through.js';

const TAG_BODY_LIMIT = 4096;

export function distTagHandlers(deps: NpmDeps) {
  const listDistTags: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const t = targetOf(deps, ctx, params);
    if (t.record.mode !== 'STANDARD_REPOSITORY') {
      const served = await readThroughPackument(deps, ctx, params, t, name, 'abbreviated');
      if (served.stale) ctx.set('Warning', '110 - "Response is Stale"');
      okJson(ctx, 200, served.doc['dist-tags'] as Record<string, string>);
      return;
    }
    deps.packages.view(t, name);
    okJson(ctx, 200, deps.packages.distTags(t, name));
  };

  const putDistTag: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const tag = checkDistTag(decodePercent(params.tag!, 'dist-tag'));
    const t = targetOf(deps, ctx, params);
    refuseNonStandardWrite(t);
    const raw = (await readCappedBody(ctx, TAG_BODY_LIMIT)).toString('utf8').trim();
    let version: unknown = raw;
    try {
      version = JSON.parse(raw) as unknown;
    } catch {
      // npm sends a JSON string; a bare version is accepted too
    }
    if (typeof version !== 'string') throw new EmulatorError('INVALID_ARGUMENT', 'The request body must be the version, as a JSON string');
    await deps.packages.setTag(t, name, tag, checkVersion(version, name), principalOf(ctx));
    okJson(ctx, 201, deps.packages.distTags(t, name));
  };

  const deleteDistTag: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const tag = checkDistTag(decodePercent(params.tag!, 'dist-tag'));
    const t = targetOf(deps, ctx, params);
    refuseNonStandardWrite(t);
    await deps.packages.deleteTag(t, name, tag, principalOf(ctx));
    okJson(ctx, 200, deps.packages.distTags(t, name));
  };

  return { listDistTags, putDistTag, deleteDistTag };
}
