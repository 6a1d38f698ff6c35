// What IAM must allow for each Maven route (spec ar-fidelity §5.2): reads need downloadArtifacts (`maven.resolve`),
// deploys uploadArtifacts (`maven.deploy`).
import type { AccessCheck } from '../../core/access.js';
import { isValidProjectId, isValidRepositoryId } from '../../core/names.js';
import type { AppContext, RouteParams } from '../../http/context.js';

export function mavenAccess(defaultLocation: string) {
  return (routeName: string, params: RouteParams, ctx: AppContext): AccessCheck | undefined => {
    const { project, repository } = params;
    if (!project || !repository || !isValidProjectId(project) || !isValidRepositoryId(repository)) return undefined;
    const ref = { project, location: ctx.state.hostLocation ?? defaultLocation, repository };
    return { operation: routeName === 'maven.path.put' ? 'maven.deploy' : 'maven.resolve', project, repository: ref };
  };
}
