// Which events notify, the per-kind grouping window and the per-minute cap, with a fake clock.
import { describe, expect, it } from 'vitest';
import type { ShellSettings } from '../ipc/contract.js';
import { NotificationRules, type ShellEvent } from './notification-rules.js';

const settings: ShellSettings = { notifyPushes: false, notifyViolations: true, notifyFailedPushes: true, openAtLogin: false };
const violation = (who: string): ShellEvent => ({
  type: 'policy.violated',
  data: { principal: who, permission: 'artifactregistry.repositories.uploadArtifacts', resource: 'projects/p/locations/l/repositories/apps' },
});
const failed: ShellEvent = { type: 'push.failed', data: { repository: 'projects/p/locations/l/repositories/apps', format: 'docker', package: 'web', code: 'DENIED', message: 'tag is immutable' } };
const pushed: ShellEvent = { type: 'artifact.pushed', data: { repository: 'projects/p/locations/l/repositories/apps', package: 'web', kind: 'manifest', tags: ['v1'] } };

function setup(s: Partial<ShellSettings> = {}) {
  const clock = { t: 1_000_000 };
  const rules = new NotificationRules(() => ({ ...settings, ...s }), () => clock.t, { groupWindowMs: 10_000, maxPerMinute: 3 });
  return { clock, rules };
}

describe('NotificationRules', () => {
  it('notifies a policy violation at once, naming principal, permission and repository', () => {
    const { rules } = setup();
    expect(rules.offer(violation('user:a@x.com'))).toEqual({
      kind: 'violation', title: 'Permission denied', body: 'user:a@x.com lacks artifactregistry.repositories.uploadArtifacts on apps', count: 1, route: '#/iam',
    });
  });

  it('notifies a virtual repository\'s dependency-confusion risk, opening its page, with violations\' setting', () => {
    const e: ShellEvent = { type: 'virtual.shadowing', data: {
      repository: 'projects/p/locations/l/repositories/all', format: 'DOCKER', when: 'config', remote: 'projects/p/locations/l/repositories/hub',
      standard: 'projects/p/locations/l/repositories/internal', packages: ['team/app'], message: 'm',
    } };
    expect(setup().rules.offer(e)).toEqual({
      kind: 'shadowing', title: 'Dependency-confusion risk', body: 'all: remote hub outranks standard internal', count: 1, route: '#/repositories/p/l/all',
    });
    expect(setup({ notifyViolations: false }).rules.offer(e)).toBeUndefined();
  });

  it('notifies failed pushes, and pushes only when asked', () => {
    expect(setup().rules.offer(failed)?.title).toBe('Push failed');
    expect(setup().rules.offer(pushed)).toBeUndefined();
    expect(setup({ notifyPushes: true }).rules.offer(pushed)?.body).toBe('apps/web:v1');
    expect(setup({ notifyViolations: false }).rules.offer(violation('user:a@x.com'))).toBeUndefined();
    expect(setup().rules.offer({ type: 'artifact.pulled', data: {} })).toBeUndefined();
  });

  it('notifies a published package version in the format\'s own words, and not its files', () => {
    const { rules, clock } = setup({ notifyPushes: true });
    const version: ShellEvent = { type: 'artifact.pushed', data: { repository: 'projects/p/locations/l/repositories/js', format: 'npm', package: '@acme/ui', version: '1.2.0', kind: 'version', action: 'npm publish @acme/ui@1.2.0' } };
    const file: ShellEvent = { type: 'artifact.pushed', data: { ...version.data, kind: 'file' } };
    expect(rules.offer(file)).toBeUndefined();
    expect(rules.offer(version)).toEqual({ kind: 'push', title: 'Package published', body: 'npm publish @acme/ui@1.2.0 (js)', count: 1, route: '#/feed' });
    clock.t += 1000;
    rules.offer(pushed);
    rules.offer(version);
    clock.t += 10_000;
    expect(rules.due()).toMatchObject([{ title: '2 artifacts pushed', body: 'apps/web:v1\nnpm publish @acme/ui@1.2.0 (js)' }]);
  });

  it('notifies a scan that found CRITICAL vulnerabilities, opening the image, and groups a burst of them', () => {
    const digest = 'sha256:' + '0'.repeat(64);
    const scan = (pkg: string, counts: Record<string, number>, total: number): ShellEvent => ({
      type: 'scan.completed',
      data: { repository: 'projects/p/locations/l/repositories/apps', package: pkg, version: digest, resourceUri: `https://l-docker.pkg.dev/p/apps/${pkg}@${digest}`, counts, total, fixable: 1, status: 'FINISHED_SUCCESS' },
    });
    const { rules, clock } = setup();
    // no CRITICAL finding: not news; the start and failure of a scan neither
    expect(rules.offer(scan('web', { HIGH: 3 }, 3))).toBeUndefined();
    expect(rules.offer({ type: 'scan.started', data: { repository: 'projects/p/locations/l/repositories/apps', package: 'web', version: digest, reason: 'push' } })).toBeUndefined();
    expect(rules.offer(scan('team/web', { CRITICAL: 2, HIGH: 1 }, 3))).toEqual({
      kind: 'critical', title: 'Critical vulnerabilities found', body: 'apps/team/web@sha256:000000000000: 2 critical, 3 in all (1 fixable)', count: 1,
      route: `#/image/p/l/apps/team%2Fweb/${encodeURIComponent(digest)}`,
    });
    clock.t += 1000;
    expect(rules.offer(scan('a', { CRITICAL: 1 }, 1))).toBeUndefined();
    expect(rules.offer(scan('b', { CRITICAL: 1 }, 1))).toBeUndefined();
    clock.t += 10_000;
    expect(rules.due()).toEqual([{ kind: 'critical', title: '2 scans found critical vulnerabilities', body: 'apps/a@sha256:000000000000: 1 critical, 1 in all (1 fixable)\napps/b@sha256:000000000000: 1 critical, 1 in all (1 fixable)', count: 2, route: '#/feed' }]);
  });

  it('groups further events of a kind into one notice when the window ends', () => {
    const { clock, rules } = setup();
    expect(rules.offer(violation('user:a@x.com'))).toBeDefined();
    clock.t += 1000;
    for (const who of ['user:b@x.com', 'user:c@x.com', 'user:d@x.com', 'user:e@x.com']) expect(rules.offer(violation(who))).toBeUndefined();
    expect(rules.due()).toEqual([]);
    expect(rules.nextDueAt()).toBe(1_000_000 + 10_000);
    clock.t = 1_000_000 + 10_000;
    const [group, ...rest] = rules.due();
    expect(rest).toEqual([]);
    expect(group).toMatchObject({ kind: 'violation', title: '4 permission denials', count: 4 });
    expect(group!.body.split('\n')).toEqual([
      'user:b@x.com lacks artifactregistry.repositories.uploadArtifacts on apps',
      'user:c@x.com lacks artifactregistry.repositories.uploadArtifacts on apps',
      'user:d@x.com lacks artifactregistry.repositories.uploadArtifacts on apps',
      '…and 1 more',
    ]);
    expect(rules.nextDueAt()).toBeUndefined();
  });

  it('keeps kinds apart: a failed push is not held back by a recent violation', () => {
    const { rules } = setup();
    rules.offer(violation('user:a@x.com'));
    expect(rules.offer(failed)?.kind).toBe('failedPush');
  });

  it('caps notices per minute and releases held ones when the minute has passed', () => {
    const { clock, rules } = setup({ notifyPushes: true });
    expect(rules.offer(violation('user:a@x.com'))).toBeDefined();
    expect(rules.offer(failed)).toBeDefined();
    expect(rules.offer(pushed)).toBeDefined();
    clock.t += 20_000;
    expect(rules.offer(violation('user:b@x.com'))).toBeUndefined();
    expect(rules.due()).toEqual([]);
    expect(rules.nextDueAt()).toBe(1_000_000 + 60_000);
    clock.t = 1_000_000 + 60_000;
    expect(rules.due().map((n) => n.title)).toEqual(['Permission denied']);
  });

  it('notifies a deploy-policy denial naming the image, the rule and the worst finding', () => {
    const { rules } = setup();
    const denied: ShellEvent = {
      type: 'policy.violated',
      data: {
        principal: 'serviceAccount:deployer@p.iam.gserviceaccount.com', permission: 'binaryauthorization.policy', resource: 'projects/p/policy',
        operation: 'deployPolicy.kubernetesServiceAccountAdmissionRules', image: 'us-central1-docker.pkg.dev/p/main/app@sha256:ab', rule: 'defaultAdmissionRule',
        worst: { id: 'GHSA-35jh-r3h4-6jhm', severity: 'HIGH' },
      },
    };
    expect(rules.offer(denied)).toMatchObject({
      kind: 'violation', title: 'Pull denied by the deploy policy', count: 1,
      body: "serviceAccount:deployer@p.iam.gserviceaccount.com: pull of us-central1-docker.pkg.dev/p/main/app@sha256:ab denied by the deploy policy's defaultAdmissionRule; worst finding GHSA-35jh-r3h4-6jhm HIGH",
    });
  });

  it('notifies a download-rule refusal naming the rule, not a missing permission', () => {
    const { rules } = setup();
    const denied: ShellEvent = {
      type: 'policy.violated',
      data: {
        principal: 'anonymous', permission: 'artifactregistry.repositories.downloadArtifacts', resource: 'projects/p/locations/l/repositories/npmjs', operation: 'download',
        rule: 'projects/p/locations/l/repositories/npmjs/rules/block-hijack', message: 'Download of version "0.7.29" of package "ua-parser-js" … is denied by rule …',
      },
    };
    expect(rules.offer(denied)).toMatchObject({ kind: 'violation', title: 'Download denied by a rule', body: 'anonymous: download denied by rule block-hijack of npmjs', count: 1 });
  });

  it('notifies an immutable-tags refusal saying what was refused', () => {
    const { rules } = setup();
    const refused: ShellEvent = {
      type: 'policy.violated',
      data: { principal: 'user:owner@ar-emulator.local', permission: 'dockerConfig.immutableTags', resource: 'projects/p/locations/l/repositories/frozen', operation: 'immutableTags.tag.move' },
    };
    expect(rules.offer(refused)).toMatchObject({ kind: 'violation', body: 'user:owner@ar-emulator.local cannot move a tag in frozen: its tags are immutable', count: 1 });
  });

  it('notifies a cleanup run that deleted something, or in a dry run would have, in words; not an empty one', () => {
    const repository = 'projects/p/locations/us-central1/repositories/apps';
    const deleted = ['a', 'b', 'c'].map((c) => ({ package: 'web', version: `sha256:${c.repeat(64)}`, policy: 'delete-untagged' }));
    const run = (dryRun: boolean, d = deleted): ShellEvent => ({ type: 'cleanup.completed', data: { repository, dryRun, deleted: d, keptCount: 7 } });
    expect(setup().rules.offer(run(false))).toEqual({
      kind: 'cleanup', title: 'Cleanup deleted 3 versions in apps',
      body: 'web@sha256:aaaaaaaaaaaa, web@sha256:bbbbbbbbbbbb, web@sha256:cccccccccccc; 7 kept', count: 1, route: '#/repositories/p/us-central1/apps',
    });
    expect(setup().rules.offer(run(true, deleted.slice(0, 1)))).toMatchObject({ title: 'Dry run: cleanup would delete 1 version in apps', body: 'web@sha256:aaaaaaaaaaaa; 7 kept' });
    expect(setup().rules.offer(run(true, []))).toBeUndefined();
    expect(setup().rules.offer(run(false, []))).toBeUndefined();
  });

  it('groups cleanup runs by their sentences', () => {
    const { clock, rules } = setup();
    const run = (repo: string, dryRun: boolean): ShellEvent => ({
      type: 'cleanup.completed', data: { repository: `projects/p/locations/l/repositories/${repo}`, dryRun, deleted: [{ package: 'x', version: '1.0.0', policy: 'old' }], keptCount: 0 },
    });
    expect(rules.offer(run('a', false))).toBeDefined();
    clock.t += 1000;
    expect(rules.offer(run('b', true))).toBeUndefined();
    expect(rules.offer(run('c', false))).toBeUndefined();
    clock.t += 10_000;
    expect(rules.due()).toEqual([{
      kind: 'cleanup', title: '2 cleanup runs', body: 'Dry run: cleanup would delete 1 version in b\nCleanup deleted 1 version in c', count: 2, route: '#/feed',
    }]);
  });

  it('titles refused immutable tags as such and points at the repository', () => {
    const refusal = (operation: string, extra: Record<string, unknown> = {}): ShellEvent => ({
      type: 'policy.violated', data: { principal: 'user:dev@x.com', permission: 'dockerConfig.immutableTags', resource: 'projects/p/locations/l/repositories/apps', operation, ...extra },
    });
    expect(setup().rules.offer(refusal('immutableTags.tag.move'))).toEqual({
      kind: 'violation', title: 'Immutable tag protected', body: 'user:dev@x.com cannot move a tag in apps: its tags are immutable', count: 1, route: '#/repositories/p/l/apps',
    });
    expect(setup().rules.offer(refusal('immutableTags.version.delete'))?.body).toBe('user:dev@x.com cannot delete a tagged image in apps: its tags are immutable');
    expect(setup({ notifyViolations: false }).rules.offer(refusal('immutableTags.tag.move'))).toBeUndefined();
    // mixed with an IAM denial: the group reads as violations
    const { clock, rules } = setup();
    rules.offer(refusal('immutableTags.tag.move'));
    clock.t += 1000;
    rules.offer(refusal('immutableTags.tag.move', { principal: 'user:b@x.com' }));
    rules.offer(violation('user:c@x.com'));
    clock.t += 10_000;
    expect(rules.due()).toMatchObject([{ title: '2 permission denials', route: '#/iam' }]);
  });

  it('reads a violation generically from {principal, permission}', () => {
    const { rules } = setup();
    expect(rules.offer({ type: 'iam.denied', data: { principal: 'user:z@x.com', permission: 'p.q', resource: 'r' } })?.kind).toBe('violation');
  });
});
