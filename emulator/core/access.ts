// What a request needs from IAM: the operation (an id of iam/permissions.ts PERMISSIONS_BY_OPERATION, or
// `authenticated` for "any signed-in caller") and the resource it acts on. Formats and the control plane
// describe their routes this way; only the IAM guard decides.
import type { RepositoryRef } from './names.js';

export interface AccessCheck {
  operation: string;
  project: string;
  /** the location of a location-scoped call (create and list repositories, operations): its denials name projects/P/locations/L */
  location?: string;
  repository?: RepositoryRef;
}

/** Operation id for requests that need a signed-in caller but no permission (the registry's `/v2/`). */
export const AUTHENTICATED_ONLY = 'authenticated';
