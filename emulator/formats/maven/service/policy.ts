// mavenConfig (spec ar-fidelity §1.3, §8 "Maven versionPolicy"): what a repository accepts. RELEASE repositories
// refuse -SNAPSHOT versions, SNAPSHOT repositories refuse releases, a release file is never replaced, a SNAPSHOT
// file only when allowSnapshotOverwrites is set. Virtual repositories take no versionPolicy (spec §4.4).
import { EmulatorError } from '../../../core/errors.js';
import type { RepositoryRecord } from '../../../core/repository.js';
import { isSnapshot } from '../names.js';

export type VersionPolicy = 'VERSION_POLICY_UNSPECIFIED' | 'RELEASE' | 'SNAPSHOT';
export interface MavenConfig {
  versionPolicy?: VersionPolicy;
  allowSnapshotOverwrites?: boolean;
}

const POLICIES: readonly VersionPolicy[] = ['VERSION_POLICY_UNSPECIFIED', 'RELEASE', 'SNAPSHOT'];
const POLICY_NUMBERS: Record<number, VersionPolicy> = { 0: 'VERSION_POLICY_UNSPECIFIED', 1: 'RELEASE', 2: 'SNAPSHOT' };

const bad = (field: string, why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid value at '${field}': ${why}`, { field });

/** The stored form of a repository body's mavenConfig (checked; the enum by name); undefined when absent. */
export function normalizeMavenConfig(input: Record<string, unknown>): MavenConfig | undefined {
  const raw = input.mavenConfig;
  if (raw === undefined) return undefined;
  const f = 'repository.maven_config';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(f, 'must be an object');
  const mc = raw as Record<string, unknown>;
  for (const k of Object.keys(mc)) {
    if (k !== 'versionPolicy' && k !== 'allowSnapshotOverwrites') throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${k.slice(0, 80)}" at '${f}': Cannot find field.`, { field: `${f}.${k}` });
  }
  const out: MavenConfig = {};
  if (mc.versionPolicy !== undefined) {
    const v = typeof mc.versionPolicy === 'number' ? POLICY_NUMBERS[mc.versionPolicy] : typeof mc.versionPolicy === 'string' ? mc.versionPolicy.toUpperCase() : undefined;
    if (!v || !POLICIES.includes(v as VersionPolicy)) throw bad(`${f}.version_policy`, `must be one of ${POLICIES.join(', ')}`);
    if (v !== 'VERSION_POLICY_UNSPECIFIED') out.versionPolicy = v as VersionPolicy;
  }
  if (mc.allowSnapshotOverwrites !== undefined) {
    if (typeof mc.allowSnapshotOverwrites !== 'boolean') throw bad(`${f}.allow_snapshot_overwrites`, 'must be a boolean');
    if (mc.allowSnapshotOverwrites) out.allowSnapshotOverwrites = true;
  }
  if (input.mode === 'VIRTUAL_REPOSITORY' && out.versionPolicy) {
    throw new EmulatorError('INVALID_ARGUMENT', 'Virtual Maven repositories cannot have a version policy (maven_config.version_policy must be VERSION_POLICY_UNSPECIFIED).', { field: `${f}.version_policy` });
  }
  return out;
}

export function mavenConfigOf(record: RepositoryRecord): MavenConfig {
  return record.mavenConfig ?? {};
}

/** Refuses a version the repository's versionPolicy does not take. */
export function checkVersionPolicy(record: RepositoryRecord, version: string): void {
  const { versionPolicy } = mavenConfigOf(record);
  if (versionPolicy === 'RELEASE' && isSnapshot(version)) {
    throw new EmulatorError('FAILED_PRECONDITION', `Repository "${record.repository}" has version policy RELEASE: SNAPSHOT version ${version.slice(0, 100)} cannot be deployed to it.`);
  }
  if (versionPolicy === 'SNAPSHOT' && !isSnapshot(version)) {
    throw new EmulatorError('FAILED_PRECONDITION', `Repository "${record.repository}" has version policy SNAPSHOT: release version ${version.slice(0, 100)} cannot be deployed to it.`);
  }
}

/** Whether an existing file at `path` may be replaced; ALREADY_EXISTS (409) otherwise. */
export function checkOverwrite(record: RepositoryRecord, version: string, path: string): void {
  if (isSnapshot(version) && mavenConfigOf(record).allowSnapshotOverwrites) return;
  const why = isSnapshot(version) ? 'SNAPSHOT overwrites are not allowed in this repository (maven_config.allow_snapshot_overwrites)' : 'release artifacts cannot be redeployed';
  throw new EmulatorError('ALREADY_EXISTS', `Artifact ${path.slice(0, 300)} already exists: ${why}.`);
}
