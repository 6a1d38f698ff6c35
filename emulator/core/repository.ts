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
  cleanupPolicies?: Record<string, unknown>;
  cleanupPolicyDryRun?: boolean;
  /** REMOTE_REPOSITORY: the config as given (proto3 JSON names), returned exactly (emulator/remote/, docs/remote.md) */
  remoteRepositoryConfig?: Record<string, unknown>;
  /** VIRTUAL_REPOSITORY: `{upstreamPolicies: [{id, repository, priority}]}` as given (content/virtual.ts, docs/virtual.md) */
  virtualRepositoryConfig?: Record<string, unknown>;
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
