// GET/PUT /NAME (packument reads, publish, deprecate) and PUT/DELETE /NAME/-rev/REV (npm unpublish).
// https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md
import { EmulatorError } from '../../../core/errors.js';
import type { Handler } from '../../../http/context.js';
import { ABBREVIATED_TYPE, abbreviatedPackument, fullPackument, packumentRev, parsePackumentPut, wantsAbbreviated } from '../wire.js';
import { refuseNonStandardWrite } from '../service/remote.js';
import { nameOf, okJson, principalOf, readJsonBody, tarballUrl, targetOf, type NpmDeps } from './deps.js';
import { readThroughPackument, sendPackument } from './read-through.js';

export function packumentHandlers(deps: NpmDeps) {
  const getPackument: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const t = targetOf(deps, ctx, params);
    const abbreviated = wantsAbbreviated(ctx.get('accept'));
    if (t.record.mode !== 'STANDARD_REPOSITORY') {
      const kind = abbreviated ? 'abbreviated' : 'full';
      sendPackument(ctx, await readThroughPackument(deps, ctx, params, t, name, kind), kind);
      return;
    }
    const view = deps.packages.view(t, name);
    const etag = `W/"${packumentRev(name, view.pkg)}${abbreviated ? '-a' : ''}"`;
    ctx.set('ETag', etag);
    ctx.set('Vary', 'Accept');
    if (ctx.get('if-none-match') === etag) {
      ctx.status = 304;
      return;
    }
    const input = { name, ...view, tarballUrl: (v: Parameters<typeof tarballUrl>[3]) => tarballUrl(deps, ctx, params, v) };
    ctx.type = abbreviated ? ABBREVIATED_TYPE : 'application/json';
    ctx.body = abbreviated ? abbreviatedPackument(input) : fullPackument(input);
  };

  /** npm publish (a packument with `_attachments`) or npm deprecate (the packument with `deprecated` set). */
  const publishPackage: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const t = targetOf(deps, ctx, params);
    refuseNonStandardWrite(t);
    const doc = parsePackumentPut(await readJsonBody(ctx, deps.maxPublishBytes), name);
    if (doc.kind === 'publish') {
      const v = await deps.packages.publish(t, doc, principalOf(ctx));
      okJson(ctx, 201, { ok: true, id: name, version: v.version });
      return;
    }
    await deps.packages.update(t, doc, false, principalOf(ctx));
    okJson(ctx, 200, { ok: true, id: name });
  };

  /** npm unpublish NAME@VERSION: the packument without that version. */
  const updatePackumentRev: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const t = targetOf(deps, ctx, params);
    refuseNonStandardWrite(t);
    const doc = parsePackumentPut(await readJsonBody(ctx, deps.maxPublishBytes), name);
    if (doc.kind === 'publish') throw new EmulatorError('INVALID_ARGUMENT', 'A revision update cannot attach tarballs: publish with PUT /NAME');
    await deps.packages.update(t, doc, true, principalOf(ctx));
    okJson(ctx, 200, { ok: true, id: name });
  };

  /** npm unpublish NAME --force. */
  const unpublishPackage: Handler = async (ctx, params) => {
    const name = nameOf(params);
    const t = targetOf(deps, ctx, params);
    refuseNonStandardWrite(t);
    await deps.packages.unpublishPackage(t, name, principalOf(ctx));
    okJson(ctx, 200, { ok: true, id: name });
  };

  return { getPackument, publishPackage, updatePackumentRev, unpublishPackage };
}
