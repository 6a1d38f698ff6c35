// Repository IAM policies: stored with the repository, returned with etags; a set with a stale etag is
// ABORTED (optimistic concurrency, spec ar-fidelity §1.9). Enforcing them is the IAM module's work.
import { createHash } from 'node:crypto';
import { EmulatorError } from '../core/errors.js';
import type { RepositoryRef } from '../core/names.js';
import { repositoryShardKey } from '../core/repository.js';
import type { MetaStore } from '../storage/meta-store.js';

export interface PolicyBinding {
  role: string;
  members: string[];
  condition?: { expression: string; title?: string; description?: string; location?: string };
}

export interface Policy {
  version?: number;
  bindings?: PolicyBinding[];
  etag: string;
}

const TABLE = 'iam';
const KEY = 'policy';
/** The etag of a repository that never had a policy set ([U] in the spec; `ACAB` is what is reported). */
export const EMPTY_POLICY_ETAG = 'ACAB';
const MEMBER = /^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|deleted:user|deleted:serviceAccount|deleted:group):.+|principal:\/\/.+|principalSet:\/\/.+)$/;

export class IamPolicyService {
  constructor(private readonly meta: MetaStore) {}

  get(ref: RepositoryRef, requestedVersion = 0): Policy {
    const stored = this.shard(ref).get<Policy>(TABLE, KEY);
    if (!stored) return { etag: EMPTY_POLICY_ETAG };
    if (requestedVersion < 3 && stored.bindings?.some((b) => b.condition)) {
      throw new EmulatorError('INVALID_ARGUMENT', 'The policy has conditional role bindings: request policy version 3.', { field: 'options.requested_policy_version' });
    }
    return stored;
  }

  async set(ref: RepositoryRef, input: unknown): Promise<Policy> {
    const policy = validatePolicy(input);
    const shard = this.shard(ref);
    return shard.transact((tx) => {
      const current = tx.get<Policy>(TABLE, KEY);
      const currentEtag = current?.etag ?? EMPTY_POLICY_ETAG;
      if (policy.etag !== undefined && policy.etag !== '' && policy.etag !== currentEtag) {
        throw new EmulatorError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
      }
      const body = { version: policy.version ?? 1, bindings: policy.bindings ?? [] };
      const etag = createHash('sha256').update(JSON.stringify(body)).update(currentEtag).digest().subarray(0, 8).toString('base64');
      const stored: Policy = { ...(body.version ? { version: body.version } : {}), ...(body.bindings.length ? { bindings: body.bindings } : {}), etag };
      tx.put(TABLE, KEY, stored);
      return stored;
    });
  }

  private shard(ref: RepositoryRef) {
    const shard = this.meta.get(repositoryShardKey(ref));
    if (!shard) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return shard;
  }
}

function validatePolicy(input: unknown): { version?: number; bindings?: PolicyBinding[]; etag?: string } {
  if (typeof input !== 'object' || input === null) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "policy": must be an object.', { field: 'policy' });
  const p = input as Record<string, unknown>;
  const version = p.version === undefined ? undefined : Number(p.version);
  if (version !== undefined && ![0, 1, 3].includes(version)) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "policy.version": must be 0, 1 or 3.', { field: 'policy.version' });
  const bindings = (p.bindings ?? []) as unknown;
  if (!Array.isArray(bindings)) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "policy.bindings": must be a list.', { field: 'policy.bindings' });
  let members = 0;
  const out = bindings.map((b, i): PolicyBinding => {
    const binding = b as Record<string, unknown>;
    if (typeof binding.role !== 'string' || !/^(roles|projects\/[^/]+\/roles|organizations\/[^/]+\/roles)\/[a-zA-Z0-9_.]+$/.test(binding.role)) {
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "policy.bindings[${i}].role".`, { field: `policy.bindings[${i}].role` });
    }
    if (!Array.isArray(binding.members) || binding.members.some((m) => typeof m !== 'string' || !MEMBER.test(m))) {
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "policy.bindings[${i}].members": members look like user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, allUsers or allAuthenticatedUsers.`, { field: `policy.bindings[${i}].members` });
    }
    members += binding.members.length;
    if (binding.condition !== undefined && version !== 3) {
      throw new EmulatorError('INVALID_ARGUMENT', 'Conditional role bindings require policy version 3.', { field: 'policy.version' });
    }
    return { role: binding.role, members: [...new Set(binding.members as string[])].sort(), ...(binding.condition ? { condition: binding.condition as PolicyBinding['condition'] } : {}) };
  });
  if (members > 1500) throw new EmulatorError('INVALID_ARGUMENT', 'A policy may hold at most 1,500 principals.', { field: 'policy.bindings' });
  return { ...(version !== undefined ? { version } : {}), bindings: out, ...(typeof p.etag === 'string' ? { etag: p.etag } : {}) };
}
