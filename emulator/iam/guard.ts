// The one place access is decided (STYLE §F.11). `open` mode (the default): a request without credentials
// acts as the local owner and everything is allowed, but credentials that are sent are still checked.
// `enforce` mode: every request is authenticated, then checked against repository and project policies
// with the real role → permission matrix; denials use the real service's wording and emit policy.violated.
import { createHash } from 'node:crypto';
import { AUTHENTICATED_ONLY, type AccessCheck } from '../core/access.js';
import { EmulatorError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import { repositoryName, type RepositoryRef } from '../core/names.js';
import type { CredentialVerifier } from './credentials.js';
import { anonymousRegistryDenial, IAM_POLICY_DENIAL, permissionDeniedDetail, registryDenial, restDenial } from './denials.js';
import type { IdentityStore } from './identities.js';
import { PERMISSIONS_BY_OPERATION, type OperationRule } from './permissions.js';
import { ANONYMOUS, heldPermissions, type IamPolicy } from './policy-evaluator.js';
import type { IamPolicyService } from './repository-policies.js';

export type IamMode = 'open' | 'enforce';
/** Who an anonymous request is in open mode. */
export const LOCAL_OWNER = 'user:owner@ar-emulator.local';

/**
 * The project number the emulator gives a project id: twelve digits derived from the id, so it is the same on
 * every machine and every run (projects have no numbers of their own here; docs/virtual.md).
 */
export function projectNumberOf(project: string): string {
  const n = BigInt(`0x${createHash('sha256').update(project).digest('hex').slice(0, 15)}`) % 900_000_000_000n;
  return String(n + 100_000_000_000n);
}

/** The Artifact Registry service agent of a project, as the real service names it (spec §5.4). */
export function serviceAgentOf(project: string): string {
  return `serviceAccount:service-${projectNumberOf(project)}@gcp-sa-artifactregistry.iam.gserviceaccount.com`;
}

export interface Caller {
  principal: string;
  groups: string[];
}

export type Decision = { allowed: true } | { allowed: false; permission: string; resource: string; anonymous: boolean };

export class IamGuard {
  constructor(
    readonly mode: IamMode,
    private readonly identities: IdentityStore,
    private readonly credentials: CredentialVerifier,
    private readonly policies: IamPolicyService,
    private readonly events: EventBus,
  ) {}

  /**
   * The caller behind an Authorization header (or its absence). In open mode a token the emulator did not
   * issue (a real gcloud token, a test's placeholder) acts as the local owner; tampered or expired emulator
   * tokens, bad key files and malformed headers are refused in both modes.
   */
  async caller(authorization: string | undefined): Promise<Caller> {
    let principal: string;
    try {
      principal = authorization ? await this.credentials.principalOf(authorization) : this.mode === 'open' ? LOCAL_OWNER : ANONYMOUS;
    } catch (err) {
      if (this.mode !== 'open' || !(err instanceof EmulatorError) || err.detail?.foreign !== true) throw err;
      principal = LOCAL_OWNER;
    }
    return { principal, groups: principal === ANONYMOUS ? [] : this.identities.groupsOf(principal) };
  }

  decide(caller: Caller, check: AccessCheck): Decision {
    if (this.mode === 'open' || caller.principal === LOCAL_OWNER) return { allowed: true };
    const anonymous = caller.principal === ANONYMOUS;
    const resource = check.repository ? repositoryName(check.repository) : check.location ? `projects/${check.project}/locations/${check.location}` : `projects/${check.project}`;
    if (check.operation === AUTHENTICATED_ONLY) return anonymous ? { allowed: false, permission: '', resource, anonymous } : { allowed: true };
    const rule = (PERMISSIONS_BY_OPERATION as Record<string, OperationRule>)[check.operation];
    if (!rule) throw new EmulatorError('INTERNAL', `no IAM rule for operation ${check.operation}`);
    if (rule.permissions.length === 0) return anonymous ? { allowed: false, permission: '', resource, anonymous } : { allowed: true };
    const policies = this.policiesFor(check.project, rule.on === 'repository' ? check.repository : undefined);
    const held = heldPermissions(caller.principal, caller.groups, policies, rule.permissions);
    const missing = rule.permissions.find((p) => !held.includes(p));
    return missing ? { allowed: false, permission: missing, resource, anonymous } : { allowed: true };
  }

  /**
   * May the service agent of `project` use `permission` on `repository` (a virtual repository reading its
   * upstreams)? Open mode: yes. Enforce mode: the agent holds roles/artifactregistry.serviceAgent on its own
   * project, as the real service grants it; on another project's repository it needs a binding there.
   */
  serviceAgentMay(project: string, repository: RepositoryRef, permission: string): boolean {
    if (this.mode === 'open' || repository.project === project) return true;
    return heldPermissions(serviceAgentOf(project), [], this.policiesFor(repository.project, repository), [permission]).includes(permission);
  }

  /** testIamPermissions: exactly the requested permissions the caller holds on the repository. */
  held(caller: Caller, repository: RepositoryRef, requested: string[]): string[] {
    if (this.mode === 'open' || caller.principal === LOCAL_OWNER) return requested.filter((p) => p.startsWith('artifactregistry.'));
    return heldPermissions(caller.principal, caller.groups, this.policiesFor(repository.project, repository), requested);
  }

  /** The error a denial answers with, in the wording of the protocol (`registry` or `rest`). */
  denial(decision: Exclude<Decision, { allowed: true }>, caller: Caller, dialect: 'registry' | 'rest', operation: string): EmulatorError {
    this.events.emit('policy.violated', {
      principal: caller.principal, permission: decision.permission || '(authentication required)', resource: decision.resource, operation,
    });
    if (decision.anonymous) {
      const message =
        dialect === 'registry' && decision.permission
          ? anonymousRegistryDenial(decision.permission, decision.resource)
          : 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.';
      return new EmulatorError('UNAUTHENTICATED', message);
    }
    if (dialect === 'registry') return new EmulatorError('PERMISSION_DENIED', registryDenial(decision.permission, decision.resource));
    // permission and resource become the control plane's google.rpc.ErrorInfo (control/errors.ts, spec §1.10)
    const detail = permissionDeniedDetail(decision.permission, decision.resource);
    if (operation === 'control.repositories.getIamPolicy' || operation === 'control.repositories.setIamPolicy') {
      return new EmulatorError('PERMISSION_DENIED', IAM_POLICY_DENIAL, detail);
    }
    return new EmulatorError('PERMISSION_DENIED', restDenial(decision.permission, decision.resource), detail);
  }

  private policiesFor(project: string, repository: RepositoryRef | undefined): Array<IamPolicy | undefined> {
    let repoPolicy: IamPolicy | undefined;
    if (repository) {
      try {
        repoPolicy = this.policies.get(repository, 3);
      } catch {
        repoPolicy = undefined; // a missing repository grants nothing; the handler answers NOT_FOUND if allowed
      }
    }
    return [repoPolicy, this.identities.projectPolicy(project)];
  }
}
