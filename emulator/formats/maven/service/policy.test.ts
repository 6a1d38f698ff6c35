import { describe, expect, it } from 'vitest';
import type { RepositoryRecord } from '../../../core/repository.js';
import { checkOverwrite, checkVersionPolicy, normalizeMavenConfig } from './policy.js';

const repo = (mavenConfig?: RepositoryRecord['mavenConfig']): RepositoryRecord =>
  ({ project: 'p', location: 'us-central1', repository: 'r', format: 'MAVEN', mode: 'STANDARD_REPOSITORY', createTime: '', updateTime: '', ...(mavenConfig ? { mavenConfig } : {}) }) as RepositoryRecord;

describe('normalizeMavenConfig', () => {
  it('keeps versionPolicy by name (numbers and lower case accepted) and allowSnapshotOverwrites when true', () => {
    expect(normalizeMavenConfig({ mavenConfig: { versionPolicy: 'release' } })).toEqual({ versionPolicy: 'RELEASE' });
    expect(normalizeMavenConfig({ mavenConfig: { versionPolicy: 2, allowSnapshotOverwrites: true } })).toEqual({ versionPolicy: 'SNAPSHOT', allowSnapshotOverwrites: true });
    expect(normalizeMavenConfig({ mavenConfig: { versionPolicy: 'VERSION_POLICY_UNSPECIFIED' } })).toEqual({});
    expect(normalizeMavenConfig({})).toBeUndefined();
  });

  it('refuses unknown fields, bad values and a version policy on a virtual repository', () => {
    expect(() => normalizeMavenConfig({ mavenConfig: { nope: 1 } })).toThrow(/Unknown name "nope"/);
    expect(() => normalizeMavenConfig({ mavenConfig: { versionPolicy: 'NIGHTLY' } })).toThrow(/version_policy/);
    expect(() => normalizeMavenConfig({ mavenConfig: { allowSnapshotOverwrites: 'yes' } })).toThrow(/must be a boolean/);
    expect(() => normalizeMavenConfig({ mode: 'VIRTUAL_REPOSITORY', mavenConfig: { versionPolicy: 'RELEASE' } })).toThrow(/Virtual Maven repositories/);
    expect(normalizeMavenConfig({ mode: 'VIRTUAL_REPOSITORY', mavenConfig: {} })).toEqual({});
  });
});

describe('policy checks', () => {
  it('RELEASE refuses SNAPSHOTs, SNAPSHOT refuses releases, unspecified takes both', () => {
    expect(() => checkVersionPolicy(repo({ versionPolicy: 'RELEASE' }), '1.0-SNAPSHOT')).toThrow(/version policy RELEASE/);
    expect(() => checkVersionPolicy(repo({ versionPolicy: 'SNAPSHOT' }), '1.0')).toThrow(/version policy SNAPSHOT/);
    expect(() => checkVersionPolicy(repo(), '1.0')).not.toThrow();
    expect(() => checkVersionPolicy(repo(), '1.0-SNAPSHOT')).not.toThrow();
  });

  it('never replaces a release file; a SNAPSHOT file only with allowSnapshotOverwrites', () => {
    expect(() => checkOverwrite(repo({ allowSnapshotOverwrites: true }), '1.0', 'p')).toThrow(/release artifacts cannot be redeployed/);
    expect(() => checkOverwrite(repo(), '1.0-SNAPSHOT', 'p')).toThrow(/allow_snapshot_overwrites/);
    expect(() => checkOverwrite(repo({ allowSnapshotOverwrites: true }), '1.0-SNAPSHOT', 'p')).not.toThrow();
  });
});
