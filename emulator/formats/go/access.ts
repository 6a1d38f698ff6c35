// What IAM must allow for each Go route (spec ar-fidelity §5.2): every GOPROXY read needs downloadArtifacts
// (`go.download`); uploads are the control plane's goModules:create (`control.goModules.upload`). The go command
// never sends credentials over plain http, so anonymous reads work where IAM lets allUsers read (or in open mode).
import type { AccessCheck } from '../../core/access.js';
import type { AppContext, RouteParams } from '../../http/context.js';

export function goAccess(defaultLocation: string) {
  return (_routeName: string, params: RouteParams, ctx: AppContext): AccessCheck | undefined => {
    const project = params.project ?? '';
    const repository = { project, location: ctx.state.hostLocation ?? defaultLocation, repository: params.repository ?? '' };
    return { operation: 'go.download', project, repository };
  };
}
