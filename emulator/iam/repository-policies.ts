// Repository IAM policies: stored with the repository, returned with etags; a set with a stale etag is
// ABORTED (optimistic concurrency, spec ar-fidelity §1.9). Enforcing them is the IAM module's work.
import { createHash } from 'node:crypto';
import { EmulatorError } from '../core/errors.js';
import type { RepositoryRef } from '../core/names.js';
import { repositoryShardKey } from '../core/repository.js';
import type { MetaStore } from '../storage/meta-store.js';
import { validatePolicy, type PolicyBinding } from './policy-validation.js';

export type { PolicyBinding };

export interface Policy {
  version?: number;
  bindings?: PolicyBinding[];
  etag: string;
}

const TABLE = 'iam';
const KEY = 'policy';
/** The etag of a repository that never had a policy set ([U] in the spec; `ACAB` is what is reported). */
export const EMPTY_POLICY_ETAG = 'ACAB';

export class IamPolicyService {
  constructor(private readonly meta: MetaStore) {}

  get(ref: RepositoryRef, requestedVersion = 0): Policy {
    const stored = this.shard(ref).get<Policy>(TABLE, KEY);
    if (!stored) return { etag: EMPTY_POLICY_ETAG };
    if (requestedVersion < 3 && Array.isArray(stored.bindings) && stored.bindings.some((b) => b?.condition)) {
      throw new EmulatorError('INVALID_ARGUMENT', 'The policy has conditional role bindings: request policy version 3.', { field: 'options.requested_policy_version' });
    }
    return stored;
  }

  /** Validates before anything is read or written: a bad shape leaves the stored policy as it was. */
  async set(ref: RepositoryRef, input: unknown): Promise<Policy> {
    const policy = validatePolicy(input);
    const shard = this.shard(ref);
    return shard.transact((tx) => {
      const current = tx.get<Policy>(TABLE, KEY);
      const currentEtag = current?.etag ?? EMPTY_POLICY_ETAG;
      if (policy.etag !== undefined && policy.etag !== '' && policy.etag !== currentEtag) {
        throw new EmulatorError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
      }
      const body = { version: policy.version ?? 1, bindings: policy.bindings };
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
