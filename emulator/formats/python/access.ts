// What IAM must allow for each Python route (spec ar-fidelity §5.2): reads of the simple index and of files
// need downloadArtifacts (`python.install`), twine uploads uploadArtifacts (`python.upload`).
import type { AccessCheck } from '../../core/access.js';
import type { AppContext, RouteParams } from '../../http/context.js';

export function pythonAccess(defaultLocation: string) {
  return (routeName: string, params: RouteParams, ctx: AppContext): AccessCheck | undefined => {
    const project = params.project ?? '';
    const repository = { project, location: ctx.state.hostLocation ?? defaultLocation, repository: params.repository ?? '' };
    const operation = routeName.startsWith('python.upload.') ? 'python.upload' : 'python.install';
    return { operation, project, repository };
  };
}
