// What IAM must allow for each control-plane route: the route name is the operation id of
// iam/permissions.ts; the resource is the repository (with its project) or the project.
import type { AccessCheck } from '../core/access.js';
import { decodePercent } from '../core/decode-percent.js';
import type { RouteParams } from '../http/context.js';
import { seg } from './rest/request.js';


export function controlAccess(routeName: string, params: RouteParams): AccessCheck | undefined {
  // Identity administration has its own rule (security.ts); an unimplemented method answers 501 to anyone.
  if (!routeName.startsWith('control.') || routeName.startsWith('control.admin.') || routeName.startsWith('control.unimplemented.')) return undefined;
  const project = decodePercent(seg(params.project));
  if (params.repository && params.location) {
    return { operation: routeName, project, repository: { project, location: decodePercent(seg(params.location)), repository: decodePercent(seg(params.repository)) } };
  }
  return { operation: routeName, project, ...(params.location ? { location: decodePercent(seg(params.location)) } : {}) };
}
