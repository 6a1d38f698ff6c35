// What IAM must allow for each registry route (spec ar-fidelity §5.2): pulls need downloadArtifacts,
// pushes uploadArtifacts, deletes deleteArtifacts, all on the repository; `/v2/` and the catalog need a
// signed-in caller; the token endpoint is public.
import { AUTHENTICATED_ONLY, type AccessCheck } from '../../core/access.js';
import type { AppContext, RouteParams } from '../../http/context.js';
import { refOf, type DockerDeps } from './handlers/deps.js';
import { splitName } from './service/target.js';

export function dockerAccess(deps: DockerDeps) {
  return (routeName: string, params: RouteParams, ctx: AppContext): AccessCheck | undefined => {
    if (routeName.startsWith('docker.token.')) return undefined;
    if (routeName.startsWith('docker.base.') || routeName === 'docker.catalog.get') return { operation: AUTHENTICATED_ONLY, project: '-' };
    let named;
    try {
      named = splitName(params.name ?? '', '', ctx.state.hostRepository).ref;
    } catch {
      return undefined; // the handler answers NAME_INVALID
    }
    let ref;
    try {
      // the same location the handler will use (pinned for the request)
      ref = refOf(deps, ctx, params.name!).ref;
    } catch {
      // several locations hold the repository: the handler says so, to a signed-in caller only
      return { operation: AUTHENTICATED_ONLY, project: named.project };
    }
    const operation =
      routeName.startsWith('docker.blobUpload.') || routeName === 'docker.manifest.put'
        ? 'docker.push'
        : routeName.endsWith('.delete')
          ? 'docker.delete'
          : 'docker.pull';
    return { operation, project: ref.project, repository: ref };
  };
}
