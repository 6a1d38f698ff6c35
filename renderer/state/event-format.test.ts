// How feed events read: a format's own words (`action`) when the event carries them, Docker's wording
// (image, tag, blob) otherwise, and the version/file kinds of package formats without an action.
import { describe, expect, it } from 'vitest';
import type { FeedEvent } from '../api/types.js';
import { categoryOf, describeEvent } from './event-format.js';

const REPO = 'projects/p/locations/us-central1/repositories/js';
const DIGEST = 'sha256:' + 'b'.repeat(64);
let nextId = 1;
const ev = (type: string, data: Record<string, unknown>): FeedEvent => ({ id: nextId++, type, time: '2026-01-01T10:00:00.000Z', data });

describe('describeEvent', () => {
  it('titles an event with its action and keeps repository, size and principal in the detail', () => {
    const v = describeEvent(ev('artifact.pushed', { repository: REPO, format: 'npm', package: '@acme/ui', version: '1.2.0', kind: 'version', action: 'npm publish @acme/ui@1.2.0', sizeBytes: 2048, principal: 'user:dev@x.com' }));
    expect(v).toEqual({ category: 'push', repository: REPO, title: 'npm publish @acme/ui@1.2.0', detail: 'js · 2.0 KB · by user:dev@x.com' });
  });

  it('reads pulls and deletes of package files by their action, in their own categories', () => {
    const pulled = ev('artifact.pulled', { repository: REPO, package: 'demo', kind: 'file', action: 'pip download demo-1.0-py3-none-any.whl', sizeBytes: 10 });
    expect(describeEvent(pulled)).toMatchObject({ category: 'pull', title: 'pip download demo-1.0-py3-none-any.whl' });
    const deleted = ev('artifact.deleted', { repository: REPO, package: '@acme/ui', kind: 'version', action: 'npm unpublish @acme/ui@1.2.0' });
    expect(describeEvent(deleted)).toMatchObject({ category: 'delete', title: 'npm unpublish @acme/ui@1.2.0', detail: 'js' });
    expect(categoryOf(ev('artifact.pushed', { kind: 'file', action: 'twine upload demo-1.0.tar.gz' }))).toBe('push');
  });

  it('reads virtual.shadowing as a violation, at config and at read', () => {
    const base = { repository: 'projects/p/locations/l/repositories/all', format: 'DOCKER', remote: 'projects/p/locations/l/repositories/hub', standard: 'projects/p/locations/l/repositories/internal', message: 'm' };
    const config = describeEvent(ev('virtual.shadowing', { ...base, when: 'config', packages: ['a', 'b', 'c', 'd'] }));
    expect(config).toMatchObject({ category: 'violation', title: 'Dependency-confusion risk in all: remote hub outranks standard internal', detail: 'internal holds a, b, c, …and 1 more' });
    const read = describeEvent(ev('virtual.shadowing', { ...base, when: 'read', packages: ['team/app'] }));
    expect(read.title).toBe('Remote hub answered team/app through all, shadowing standard internal');
  });

  it('keeps the Docker wording for events without an action', () => {
    const repo = 'projects/p/locations/us-central1/repositories/apps';
    expect(describeEvent(ev('artifact.pushed', { repository: repo, package: 'web', version: DIGEST, kind: 'manifest', tags: ['v1'], sizeBytes: 2048 })).title).toBe('Pushed image apps/web:v1');
    expect(describeEvent(ev('artifact.pulled', { repository: repo, package: 'web', version: DIGEST, kind: 'manifest', sizeBytes: 1 })).title).toBe(`Pulled image apps/web@${DIGEST.slice(0, 19)}`);
    expect(describeEvent(ev('artifact.pushed', { repository: repo, package: 'web', version: DIGEST, kind: 'blob', sizeBytes: 1 })).title).toBe('Pushed blob apps/web');
    expect(describeEvent(ev('tag.updated', { repository: repo, package: 'web', version: DIGEST, tag: 'v2' })).title).toBe('Updated tag apps/web:v2');
  });

  it('names a package version or file, not an image, when a package format sends no action', () => {
    expect(describeEvent(ev('artifact.pushed', { repository: REPO, package: 'left-pad', version: '1.0.0', kind: 'version', sizeBytes: 1 })).title).toBe('Pushed version js/left-pad@1.0.0');
    expect(describeEvent(ev('artifact.deleted', { repository: REPO, package: 'left-pad', version: '1.0.0', kind: 'file' })).title).toBe('Deleted file js/left-pad@1.0.0');
  });
});

describe('describeEvent for policies', () => {
  const apps = 'projects/p/locations/us-central1/repositories/apps';
  const deleted = [
    { package: 'web', version: DIGEST, policy: 'delete-untagged' },
    { package: 'web', version: 'sha256:' + 'c'.repeat(64), policy: 'delete-untagged' },
    { package: 'api', version: 'sha256:' + 'd'.repeat(64), policy: 'delete-old' },
  ];

  it('reads a cleanup run by what it deleted, or in a dry run would delete, in its own category', () => {
    const real = describeEvent(ev('cleanup.completed', { repository: apps, dryRun: false, deleted, keptCount: 7 }));
    expect(real).toEqual({
      category: 'cleanup', repository: apps, title: 'Cleanup deleted 3 versions in apps',
      detail: `web@${DIGEST.slice(0, 19)} (delete-untagged) · web@sha256:cccccccccccc (delete-untagged) · api@sha256:dddddddddddd (delete-old) · 7 kept`,
    });
    expect(describeEvent(ev('cleanup.completed', { repository: apps, dryRun: true, deleted: deleted.slice(0, 1), keptCount: 2 })).title).toBe('Dry run: cleanup would delete 1 version in apps');
    expect(describeEvent(ev('cleanup.completed', { repository: apps, dryRun: false, deleted: [], keptCount: 2 }))).toMatchObject({ title: 'Cleanup deleted nothing in apps', detail: '2 kept' });
    const many = Array.from({ length: 5 }, (_, i) => ({ package: 'web', version: `${i}`, policy: 'p' }));
    expect(describeEvent(ev('cleanup.completed', { repository: apps, dryRun: true, deleted: many, keptCount: 0 })).detail).toBe('web@0 (p) · web@1 (p) · web@2 (p) · …and 2 more · 0 kept');
  });

  it('reads an immutable-tag refusal as who tried what, not as a missing permission', () => {
    const v = describeEvent(ev('policy.violated', { principal: 'user:dev@x.com', permission: 'dockerConfig.immutableTags', resource: apps, operation: 'immutableTags.tag.move' }));
    expect(v).toEqual({ category: 'violation', repository: apps, title: 'user:dev@x.com tried to move immutable tag', detail: 'apps has immutable tags · refused' });
    expect(describeEvent(ev('policy.violated', { principal: 'anonymous', permission: 'dockerConfig.immutableTags', resource: apps, operation: 'immutableTags.tag.delete', tag: 'v1', package: 'web', digest: DIGEST })))
      .toMatchObject({ title: 'anonymous tried to delete immutable tag v1', detail: `apps/web has immutable tags · the tag holds ${DIGEST.slice(0, 19)} · refused` });
    expect(describeEvent(ev('policy.violated', { principal: 'user:a@x.com', permission: 'dockerConfig.immutableTags', resource: apps, operation: 'immutableTags.version.delete' })).title).toBe('user:a@x.com tried to delete a tagged image');
    // IAM denials keep their wording
    expect(describeEvent(ev('policy.violated', { principal: 'user:a@x.com', permission: 'artifactregistry.repositories.uploadArtifacts', resource: apps, operation: 'docker.push' })).title).toBe('user:a@x.com denied artifactregistry.repositories.uploadArtifacts');
  });

  it('reads moves of the virtual clock as server notices', () => {
    expect(describeEvent(ev('clock.changed', { now: '2027-01-01T00:00:00.000Z', offsetSeconds: 30 * 86_400 }))).toEqual({ category: 'server', title: 'Clock moved to 2027-01-01 00:00 UTC', detail: '+30 d from real time' });
    expect(describeEvent(ev('clock.changed', { now: '2026-01-01T00:00:00.000Z', offsetSeconds: 0 })).title).toBe('Clock reset to real time');
  });

  it('reads scans and advisory imports in the Scans category, failed scans included', () => {
    const base = { repository: REPO, package: 'web', version: DIGEST, resourceUri: `https://us-central1-docker.pkg.dev/p/js/web@${DIGEST}` };
    const img = `js/web@${DIGEST.slice(0, 19)}`;
    expect(describeEvent(ev('scan.started', { ...base, reason: 'push' }))).toEqual({ category: 'scan', repository: REPO, title: `Scanning ${img}`, detail: 'on push' });
    expect(describeEvent(ev('scan.started', { ...base, reason: 'rescan' })).detail).toBe('again: the advisory database changed');
    const found = describeEvent(ev('scan.completed', { ...base, counts: { HIGH: 2, CRITICAL: 1, SEVERITY_UNSPECIFIED: 1 }, total: 4, fixable: 3, worst: 'CRITICAL', status: 'FINISHED_SUCCESS' }));
    expect(found).toEqual({ category: 'scan', repository: REPO, title: `Scan of ${img} found 4 vulnerabilities, 1 critical`, detail: '1 critical · 2 high · 1 unrated · 3 fixable' });
    expect(describeEvent(ev('scan.completed', { ...base, counts: {}, total: 0, fixable: 0, status: 'FINISHED_SUCCESS' })).title).toBe(`Scan of ${img} found no vulnerabilities`);
    expect(describeEvent(ev('scan.completed', { ...base, counts: { LOW: 1 }, total: 1, fixable: 0, status: 'FINISHED_SUCCESS' })).title).toBe(`Scan of ${img} found 1 vulnerability`);
    expect(describeEvent(ev('scan.completed', { ...base, counts: {}, total: 0, fixable: 0, status: 'FINISHED_UNSUPPORTED' })).title).toBe(`Scan of ${img}: nothing it can scan`);
    expect(describeEvent(ev('scan.failed', { ...base, reason: 'layer sha256:ab… is not a tar stream' }))).toEqual({ category: 'scan', repository: REPO, title: `Scan of ${img} failed`, detail: 'layer sha256:ab… is not a tar stream' });
    expect(describeEvent(ev('vulndb.imported', { added: 3, updated: 1, advisories: 15 }))).toEqual({ category: 'scan', title: 'Advisory database updated: 3 added, 1 updated', detail: '15 advisories · stored images are scanned again' });
    expect(categoryOf(ev('push.failed', {}))).toBe('error');
  });

  it('reads config file events: what an edit changed, or why it was refused', () => {
    expect(describeEvent(ev('config.applied', { file: '/w/ar-emulator.yaml', created: ['a', 'b'], updated: [], deleted: ['c'], kept: [], iamPolicies: ['x'], serviceAccounts: [] }))).toEqual({
      category: 'server', title: 'Applied ar-emulator.yaml', detail: '2 created · 1 deleted · 1 IAM policy',
    });
    expect(describeEvent(ev('config.invalid', { file: '/w/ar-emulator.yaml', problems: ['/w/ar-emulator.yaml:8:5: unknown field "colour"', 'x'] }))).toEqual({
      category: 'error', title: 'Edit of ar-emulator.yaml refused: the previous state stays', detail: '/w/ar-emulator.yaml:8:5: unknown field "colour" (and 1 more)',
    });
  });
});
