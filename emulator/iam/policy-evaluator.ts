// Pure IAM evaluation: does a principal hold a permission through repository and project policies (spec ar-fidelity
// §5.3 principals and inheritance, §1.9 Policy JSON). No I/O; callers load policies and group membership.
import { permissionsOfRole } from './roles.js';

/** `Binding.condition` of Policy v3 (§1.9). Conditional bindings never grant here. */
export interface IamCondition {
  readonly expression?: string;
  readonly title?: string;
  readonly description?: string;
  readonly location?: string;
}

export interface IamBinding {
  readonly role: string;
  readonly members: readonly string[];
  readonly condition?: IamCondition | null;
}

export interface IamPolicy {
  readonly version?: number;
  readonly bindings?: readonly IamBinding[];
  readonly etag?: string;
}

/** The member string of an unauthenticated caller. It matches only `allUsers`. */
export const ANONYMOUS = 'anonymous';

export interface EvaluationInput {
  /** `user:…`, `serviceAccount:…`, `principal://…`, or `anonymous`. */
  readonly principal: string;
  /** `group:…` members the principal belongs to (membership is configured locally by the caller). */
  readonly groups?: readonly string[];
  readonly permission: string;
  /** Policy on the repository itself; absent for project-scoped operations. */
  readonly repositoryPolicy?: IamPolicy;
  /** Policy on the project; it applies to every repository of the project. */
  readonly projectPolicy?: IamPolicy;
}

export interface Evaluation {
  readonly allowed: boolean;
}

export function evaluate(input: EvaluationInput): Evaluation {
  const policies = [input.repositoryPolicy, input.projectPolicy];
  const held = heldPermissions(input.principal, input.groups ?? [], policies, [input.permission]);
  return { allowed: held.length === 1 };
}

/**
 * `testIamPermissions`: exactly the requested permissions the principal holds through any of `policies`
 * (repository and project), in request order, without duplicates. Wildcards never match.
 */
export function heldPermissions(
  principal: string,
  groups: readonly string[],
  policies: readonly (IamPolicy | undefined)[],
  requested: readonly string[],
): string[] {
  const granted = new Set<string>();
  for (const policy of policies) {
    // Stored policies are validated on the way in, but a file edited by hand may hold anything: what is not a
    // well-formed unconditional binding grants nothing, and never throws.
    const bindings: unknown = typeof policy === 'object' && policy !== null ? policy.bindings : undefined;
    if (!Array.isArray(bindings)) continue;
    for (const binding of bindings as unknown[]) {
      if (typeof binding !== 'object' || binding === null) continue;
      const { role, members, condition } = binding as { role?: unknown; members?: unknown; condition?: unknown };
      if (condition != null || typeof role !== 'string' || !Array.isArray(members)) continue;
      if (!members.some((m) => typeof m === 'string' && memberMatches(m, principal, groups))) continue;
      for (const p of permissionsOfRole(role)) granted.add(p);
    }
  }
  return [...new Set(requested)].filter((p) => granted.has(p));
}

/** Whether a policy member names the principal (§1.9 member forms, §5.3). Emails compare case-insensitively. */
export function memberMatches(member: string, principal: string, groups: readonly string[]): boolean {
  if (member === 'allUsers') return true;
  if (principal === ANONYMOUS) return false;
  if (member === 'allAuthenticatedUsers') return true;
  const m = member.toLowerCase();
  if (m.startsWith('domain:')) return emailDomain(principal) === m.slice('domain:'.length);
  if (m.startsWith('group:')) return groups.some((g) => g.toLowerCase() === m);
  if (m.startsWith('deleted:') || m.startsWith('principalset://')) return false;
  return m === principal.toLowerCase();
}

/** The email domain of a `user:` or `serviceAccount:` principal, lower-cased; undefined for anything else. */
function emailDomain(principal: string): string | undefined {
  const match = /^(?:user|serviceAccount):[^@]+@(.+)$/.exec(principal);
  return match?.[1]?.toLowerCase();
}
