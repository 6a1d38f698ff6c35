// The expectation side of the enforce-mode matrix (matrix.test.ts): who holds which role where, and what each
// operation should therefore do, computed from the role → permission table (emulator/iam/roles.ts) and the
// operation → permission table (emulator/iam/permissions.ts). Data, plus a model that never asks the emulator.
import { PERMISSIONS_BY_OPERATION, type OperationRule } from '../../../emulator/iam/permissions.js';
import { permissionsOfRole } from '../../../emulator/iam/roles.js';

export const P = 'test-project';
export const Q = 'other-project';

export interface Target {
  project: string;
  /** absent: the project itself */
  repo?: string;
}

export interface Grant extends Target {
  role: string;
}

export interface Identity {
  name: string;
  /** how its requests authenticate */
  auth: 'owner' | 'token' | 'keyfile' | 'anonymous' | 'expired' | 'tampered';
  principal?: string;
  /** the policy member its grants are bound to, when not the principal itself (group:, domain:) */
  member?: string;
  /** a group to configure with the principal as member */
  group?: string;
  grants: Grant[];
}

const sa = (id: string, project = P) => `serviceAccount:${id}@${project}.iam.gserviceaccount.com`;
const AR = (role: string) => `roles/artifactregistry.${role}`;
const onRepo = (role: string, repo = 'main'): Grant => ({ role, project: P, repo });
const onProject = (role: string, project = P): Grant => ({ role, project });

/** Every identity of the matrix. Service accounts are created in their project before the run. */
export const IDENTITIES: readonly Identity[] = [
  { name: 'local owner', auth: 'owner', grants: [] },
  { name: 'roles/owner on the project', auth: 'token', principal: 'user:boss@example.com', grants: [onProject('roles/owner')] },
  { name: 'admin on the project', auth: 'token', principal: sa('m-admin'), grants: [onProject(AR('admin'))] },
  { name: 'repoAdmin on the repository', auth: 'token', principal: sa('m-repo-admin'), grants: [onRepo(AR('repoAdmin'))] },
  { name: 'writer on the repository', auth: 'token', principal: sa('m-writer'), grants: [onRepo(AR('writer'))] },
  { name: 'reader on the repository', auth: 'token', principal: sa('m-reader'), grants: [onRepo(AR('reader'))] },
  { name: 'reader by key file (Basic _json_key)', auth: 'keyfile', principal: sa('m-key-reader'), grants: [onRepo(AR('reader'))] },
  { name: 'createOnPushWriter on the project', auth: 'token', principal: sa('m-cop-writer'), grants: [onProject(AR('createOnPushWriter'))] },
  { name: 'roles/viewer on the project', auth: 'token', principal: 'user:viewer@example.com', grants: [onProject('roles/viewer')] },
  { name: 'artifactregistry.viewer on the repository', auth: 'token', principal: sa('m-ar-viewer'), grants: [onRepo(AR('viewer'))] },
  { name: 'migration admin (push without tags.update)', auth: 'token', principal: sa('m-migrator'), grants: [onRepo(AR('containerRegistryMigrationAdmin'))] },
  { name: 'service account without roles', auth: 'token', principal: sa('m-nobody'), grants: [] },
  { name: 'admin of another project', auth: 'token', principal: sa('m-foreign', Q), grants: [onProject(AR('admin'), Q)] },
  { name: 'group member (writer via group)', auth: 'token', principal: 'user:dev@example.com', member: 'group:devs@example.com', group: 'devs@example.com', grants: [onRepo(AR('writer'))] },
  { name: 'domain member (reader via domain)', auth: 'token', principal: 'user:someone@corp.example', member: 'domain:corp.example', grants: [onRepo(AR('reader'))] },
  { name: 'anonymous', auth: 'anonymous', grants: [] },
  { name: 'expired token of a writer', auth: 'expired', principal: sa('m-writer'), grants: [onRepo(AR('writer'))] },
  { name: 'tampered token of an admin', auth: 'tampered', principal: sa('m-admin'), grants: [onProject(AR('admin'))] },
];

/** Public repositories: `pub` is read by allUsers (anonymous included), `authpub` by allAuthenticatedUsers. */
export const PUBLIC_GRANTS: ReadonlyArray<Grant & { member: 'allUsers' | 'allAuthenticatedUsers' }> = [
  { ...onRepo(AR('reader'), 'pub'), member: 'allUsers' },
  { ...onRepo(AR('reader'), 'authpub'), member: 'allAuthenticatedUsers' },
];

/** Repositories that hold images (the catalog's universe), as `project/repo`. */
export const REPOSITORIES: readonly Target[] = [
  { project: P, repo: 'main' }, { project: P, repo: 'vault' }, { project: P, repo: 'pub' }, { project: P, repo: 'authpub' }, { project: Q, repo: 'theirs' },
];

export const isInvalid = (id: Identity) => id.auth === 'expired' || id.auth === 'tampered';
export const isAnonymous = (id: Identity) => id.auth === 'anonymous';

/** Permissions the identity holds on the target (project grants reach every repository of their project). */
export function held(id: Identity, target: Target): ReadonlySet<string> | 'all' {
  if (id.auth === 'owner') return 'all';
  if (isInvalid(id)) return new Set();
  const grants = [...(isAnonymous(id) ? [] : id.grants), ...PUBLIC_GRANTS.filter((g) => g.member === 'allUsers' || !isAnonymous(id))];
  const out = new Set<string>();
  for (const g of grants) {
    if (g.project === target.project && (g.repo === undefined || g.repo === target.repo)) for (const p of permissionsOfRole(g.role)) out.add(p);
  }
  return out;
}

function rule(operation: string): OperationRule {
  const r = (PERMISSIONS_BY_OPERATION as Record<string, OperationRule>)[operation];
  if (!r) throw new Error(`no rule for ${operation}`);
  return r;
}

/** The first permission of the operation the identity lacks (the one the denial names), or undefined when allowed. */
export function missingPermission(id: Identity, operation: string, target: Target): string | undefined {
  const r = rule(operation);
  const h = held(id, r.on === 'repository' ? target : { project: target.project });
  if (h === 'all') return undefined;
  return r.permissions.find((p) => !h.has(p));
}

export function expectAllowed(id: Identity, operation: string, target: Target): boolean {
  if (isInvalid(id)) return false;
  if (id.auth === 'owner') return true;
  if (rule(operation).permissions.length === 0) return !isAnonymous(id);
  return missingPermission(id, operation, target) === undefined;
}

/** Outcomes ordered from least to most access, so a comparison names bypasses and over-denials. */
export const RANK = { denied: 0, upload: 1, mounted: 2, allowed: 2 } as const;
export type Verdict = keyof typeof RANK;
