// The format-agnostic repository record every subsystem shares, and where it is kept: each repository
// owns one metadata shard, keyed by its name. Formats read it; the control plane writes it.
import type { RepositoryRef } from './names.js';

export type RepositoryFormat =
  | 'DOCKER' | 'MAVEN' | 'NPM' | 'APT' | 'YUM' | 'PYTHON' | 'KFP' | 'GO' | 'GENERIC' | 'RUBY';
export type RepositoryMode = 'STANDARD_REPOSITORY' | 'VIRTUAL_REPOSITORY' | 'REMOTE_REPOSITORY';

export const REPOSITORY_FORMATS: Record<RepositoryFormat, number> = {
  DOCKER: 1, MAVEN: 2, NPM: 3, APT: 5, YUM: 6, PYTHON: 8, KFP: 9, GO: 10, GENERIC: 11, RUBY: 12,
};
export const REPOSITORY_MODES: Record<RepositoryMode, number> = {
  STANDARD_REPOSITORY: 1, VIRTUAL_REPOSITORY: 2, REMOTE_REPOSITORY: 3,
};

/** What is stored for a repository; the wire shape is built from it by the control plane. */
export interface RepositoryRecord extends RepositoryRef {
  format: RepositoryFormat;
  mode: RepositoryMode;
  description?: string;
  labels?: Record<string, string>;
  dockerConfig?: { immutableTags?: boolean };
  /** MAVEN: `versionPolicy` (RELEASE, SNAPSHOT; absent = unspecified) and `allowSnapshotOverwrites` (formats/maven/service/policy.ts) */
  mavenConfig?: { versionPolicy?: 'RELEASE' | 'SNAPSHOT'; allowSnapshotOverwrites?: boolean };
  cleanupPolicies?: Record<string, unknown>;
  cleanupPolicyDryRun?: boolean;
  /** REMOTE_REPOSITORY: the config as given (proto3 JSON names), returned exactly (emulator/remote/, docs/remote.md) */
  remoteRepositoryConfig?: Record<string, unknown>;
  /** VIRTUAL_REPOSITORY: `{upstreamPolicies: [{id, repository, priority}]}` as given (content/virtual.ts, docs/virtual.md) */
  virtualRepositoryConfig?: Record<string, unknown>;
  /** `enablementConfig` as given (INHERITED, DISABLED; absent = unspecified) and when scanning was last turned on (docs/scanning.md) */
  vulnerabilityScanningConfig?: { enablementConfig?: 'INHERITED' | 'DISABLED'; lastEnableTime?: string };
  /** the CMEK key named at create (`projects/P/locations/L/keyRings/K/cryptoKeys/C`); kept and returned, never used (docs/api.md) */
  kmsKeyName?: string;
  /** set at create: a create without a mode was refused; kept and returned */
  disallowUnspecifiedMode?: boolean;
  createTime: string;
  updateTime: string;
}

/** Shard key of a repository's metadata. */
export function repositoryShardKey(ref: RepositoryRef): string[] {
  return ['repos', ref.project, ref.location, ref.repository];
}

/** The table and key under which the record itself lives inside its shard. */
export const REPOSITORY_TABLE = 'repository';
export const REPOSITORY_KEY = 'self';

/**
 * Whether pushed images of the repository are scanned (spec ar-fidelity §1.3, §6.1): on for Docker repositories unless
 * `vulnerabilityScanningConfig.enablementConfig` is DISABLED; other formats are not scanned. The control plane shows it
 * as the output-only `enablementState` and `enablementStateReason`; scanning obeys it.
 */
export function vulnerabilityScanningState(r: Pick<RepositoryRecord, 'format' | 'vulnerabilityScanningConfig'>): {
  state: 'SCANNING_ACTIVE' | 'SCANNING_DISABLED' | 'SCANNING_UNSUPPORTED';
  reason?: string;
} {
  if (r.format !== 'DOCKER') return { state: 'SCANNING_UNSUPPORTED', reason: `Vulnerability scanning is not supported for ${r.format} repositories by the emulator: only DOCKER images are scanned.` };
  if (r.vulnerabilityScanningConfig?.enablementConfig === 'DISABLED') return { state: 'SCANNING_DISABLED', reason: 'Scanning is disabled for this repository: vulnerabilityScanningConfig.enablementConfig is DISABLED.' };
  return { state: 'SCANNING_ACTIVE' };
}
