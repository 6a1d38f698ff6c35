// What IAM must allow for each npm route (spec ar-fidelity §5.2): reads need downloadArtifacts (npm.install),
// publish and deprecate uploadArtifacts (npm.publish), dist-tag add/rm npm.distTag, unpublish deleteArtifacts
// (npm.unpublish); `npm whoami` needs a signed-in caller; `npm ping` is public.
import { AUTHENTICATED_ONLY, type AccessCheck } from '../../core/access.js';
import { isValidProjectId, isValidRepositoryId } from '../../core/names.js';
import type { AppContext, RouteParams } from '../../http/context.js';

const OPERATIONS: Record<string, string> = {
  'npm.search.get': 'npm.install',
  'npm.distTags.list': 'npm.install',
  'npm.distTag.put': 'npm.distTag',
  'npm.distTag.delete': 'npm.distTag',
  'npm.tarball.get': 'npm.install',
  'npm.tarball.delete': 'npm.unpublish',
  'npm.packument.get': 'npm.install',
  'npm.packument.put': 'npm.publish',
  'npm.packumentRev.put': 'npm.unpublish',
  'npm.packumentRev.delete': 'npm.unpublish',
};

export function npmAccess(defaultLocation: string) {
  return (routeName: string, params: RouteParams, ctx: AppContext): AccessCheck | undefined => {
    if (routeName === 'npm.ping.get') return undefined;
    const { project, repository } = params;
    if (!project || !repository || !isValidProjectId(project) || !isValidRepositoryId(repository)) return undefined;
    const ref = { project, location: ctx.state.hostLocation ?? defaultLocation, repository };
    if (routeName === 'npm.whoami.get') return { operation: AUTHENTICATED_ONLY, project, repository: ref };
    const operation = OPERATIONS[routeName];
    return operation ? { operation, project, repository: ref } : undefined;
  };
}
