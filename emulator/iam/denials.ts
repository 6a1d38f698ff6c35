// Permission-denial message texts as the real service words them (spec ar-fidelity §3.4 registry, §1.10 REST).
// Texts only: status codes and envelopes belong to the protocol renderers.

const REST_SERVICE_PREFIX = '//artifactregistry.googleapis.com/';

/** Registry protocol, authenticated caller; renderers prefix `denied: ` through the DENIED error code (§3.4). */
export function registryDenial(permission: string, resourceName: string): string {
  return `Permission "${permission}" denied on resource "${resourceName}" (or it may not exist)`;
}

/** Registry protocol (token endpoint), unauthenticated caller (§3.4). */
export function anonymousRegistryDenial(permission: string, resourceName: string): string {
  return `Unauthenticated request. Unauthenticated requests do not have permission "${permission}" on resource "${resourceName}" (or it may not exist)`;
}

/** REST control plane: single quotes and the `//artifactregistry.googleapis.com/` full resource name (§1.10). */
export function restDenial(permission: string, resourceName: string): string {
  const full = resourceName.startsWith('//') ? resourceName : `${REST_SERVICE_PREFIX}${resourceName}`;
  return `Permission '${permission}' denied on resource '${full}' (or it may not exist).`;
}

/** REST `getIamPolicy` without `getIamPolicy` permission (§1.10, observed). */
export const IAM_POLICY_DENIAL = 'The caller does not have permission';

/**
 * What a control-plane denial carries besides its text: the missing permission and the resource it was checked on
 * (`projects/P/locations/L/repositories/R`, or `projects/P/locations/L` for create and list). The control plane's
 * renderers turn it into the google.rpc.ErrorInfo the real service sends (reason IAM_PERMISSION_DENIED, domain
 * iam.googleapis.com; spec §1.10, docs/api.md).
 */
export function permissionDeniedDetail(permission: string, resourceName: string): { permission: string; resource: string } {
  return { permission, resource: resourceName.replace(/^\/\/artifactregistry\.googleapis\.com\//, '') };
}
