// VPC Service Controls config of a location (vpcsc_config.proto, issue 17): `vpcscPolicy` DENY keeps remote
// repositories of that location from reaching their upstreams, as inside a service perimeter; ALLOW lets them.
// The emulator has no perimeter of its own: an unset config (VPCSC_POLICY_UNSPECIFIED) behaves as a project
// outside any perimeter, so remote repositories work out of the box (docs/vpcsc.md [U]). Kept per project.
import { EmulatorError } from '../core/errors.js';
import type { MetaStore } from '../storage/meta-store.js';

export const VPCSC_POLICIES = ['VPCSC_POLICY_UNSPECIFIED', 'DENY', 'ALLOW'] as const;
export type VpcscPolicy = (typeof VPCSC_POLICIES)[number];
const TABLE = 'vpcscConfig';

export class VpcscConfigStore {
  constructor(private readonly meta: MetaStore) {}

  policy(project: string, location: string): VpcscPolicy {
    return this.meta.get(['projects', project])?.get<VpcscPolicy>(TABLE, location) ?? 'VPCSC_POLICY_UNSPECIFIED';
  }

  async set(project: string, location: string, policy: VpcscPolicy): Promise<void> {
    const shard = this.meta.ensure(['projects', project]);
    await shard.transact((tx) => {
      if (policy === 'VPCSC_POLICY_UNSPECIFIED') tx.delete(TABLE, location);
      else tx.put(TABLE, location, policy);
    });
  }

  /** Why a remote repository (`projects/P/locations/L/repositories/R`) may not fetch from upstream now, if it may not. */
  denial(repository: string): string | undefined {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)\//.exec(repository);
    if (!m || this.policy(m[1]!, m[2]!) !== 'DENY') return undefined;
    return `VPC Service Controls: projects/${m[1]}/locations/${m[2]}/vpcscConfig denies upstream access (vpcscPolicy DENY); no upstream request was made`;
  }
}

/** A VPCSCConfig's `vpcscPolicy` from a request (by name or number). */
export function vpcscPolicyOf(value: unknown): VpcscPolicy {
  if (value === undefined || value === null || value === '' || value === 0) return 'VPCSC_POLICY_UNSPECIFIED';
  if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value < VPCSC_POLICIES.length) return VPCSC_POLICIES[value]!;
  if (typeof value === 'string' && (VPCSC_POLICIES as readonly string[]).includes(value)) return value as VpcscPolicy;
  throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "vpcsc_config.vpcsc_policy": "${String(value).slice(0, 40)}" is not one of ${VPCSC_POLICIES.join(', ')}.`, { field: 'vpcsc_config.vpcsc_policy' });
}
