// GET /v2/<name>/referrers/<digest>[?artifactType=] — the OCI 1.1 referrers API.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
import type { Handler } from '../../../http/context.js';
import { OCI_INDEX } from '../media-types.js';
import { digestParam, targetOf, type DockerDeps } from './deps.js';

export function referrerHandlers(deps: DockerDeps): { listReferrers: Handler } {
  return {
    listReferrers: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      const subject = digestParam(params);
      const artifactType = typeof ctx.query.artifactType === 'string' ? ctx.query.artifactType : undefined;
      const manifests = await deps.manifests.referrers(t, subject.value, artifactType);
      if (artifactType !== undefined) ctx.set('OCI-Filters-Applied', 'artifactType');
      ctx.set('Docker-Distribution-API-Version', 'registry/2.0');
      ctx.status = 200;
      ctx.set('Content-Type', OCI_INDEX);
      ctx.body = { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
    },
  };
}
