import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { EmulatorError } from '../core/errors.js';
import type { ArtifactInventory, VersionInfo } from '../core/inventory.js';
import type { RepositoryRecord } from '../core/repository.js';
import { runCleanup } from './cleanup-runner.js';

const DAY = 86_400_000;
const clock = new ManualClock('2026-06-01T00:00:00Z');

/** An inventory over a plain list; deleteVersion removes from it and refuses versions named `stuck`. */
function inventoryOf(versions: Array<{ pkg: string; id: string; ageDays: number; tags?: string[] }>): ArtifactInventory & { left(): string[] } {
  const list = [...versions];
  const info = (v: (typeof list)[number]): VersionInfo => {
    const t = new Date(clock.now().getTime() - v.ageDays * DAY).toISOString();
    return { id: v.id, createTime: t, updateTime: t, tags: v.tags ?? [] };
  };
  const unused = () => {
    throw new Error('not used');
  };
  return {
    format: 'DOCKER',
    listPackages: () => [...new Set(list.map((v) => v.pkg))].map((id) => ({ id, createTime: '', updateTime: '' })),
    listVersions: (_r, pkg) => list.filter((v) => v.pkg === pkg).map((v) => () => info(v)),
    async deleteVersion(_r, pkg, id) {
      if (id === 'stuck') throw new EmulatorError('FAILED_PRECONDITION', 'refused');
      list.splice(list.findIndex((v) => v.pkg === pkg && v.id === id), 1);
    },
    left: () => list.map((v) => `${v.pkg}/${v.id}`),
    getPackage: unused, deletePackage: unused, getVersion: unused, listTags: unused, getTag: unused, setTag: unused, deleteTag: unused,
    listFiles: unused, getFile: unused, openFile: unused, sizeBytes: unused,
  };
}

const record = (extra: Partial<RepositoryRecord>): RepositoryRecord => ({
  project: 'p', location: 'us-central1', repository: 'r', format: 'DOCKER', mode: 'STANDARD_REPOSITORY', createTime: '', updateTime: '',
  cleanupPolicies: { 'delete-old': { id: 'delete-old', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '2592000s' } } },
  ...extra,
});

describe('runCleanup', () => {
  it('reports without deleting in a dry run, then deletes exactly that set', async () => {
    const inv = inventoryOf([{ pkg: 'img', id: 'old', ageDays: 40 }, { pkg: 'img', id: 'new', ageDays: 1 }, { pkg: 'img', id: 'tagged', ageDays: 40, tags: ['v1'] }]);
    const dry = await runCleanup(record({ cleanupPolicyDryRun: true }), inv, clock);
    expect(dry).toEqual({ repository: 'projects/p/locations/us-central1/repositories/r', dryRun: true, deleted: [{ package: 'img', version: 'old', policy: 'delete-old' }], keptCount: 2 });
    expect(inv.left()).toHaveLength(3);
    const real = await runCleanup(record({ cleanupPolicyDryRun: true }), inv, clock, { dryRun: false });
    expect(real.deleted).toEqual(dry.deleted);
    expect(inv.left()).toEqual(['img/new', 'img/tagged']);
  });

  it('reports a refused deletion without stopping the run', async () => {
    const inv = inventoryOf([{ pkg: 'img', id: 'stuck', ageDays: 40 }, { pkg: 'img', id: 'old', ageDays: 40 }]);
    const report = await runCleanup(record({}), inv, clock);
    expect(report.deleted.map((d) => d.version)).toEqual(['old']);
    expect(report.failed).toEqual([{ package: 'img', version: 'stuck', reason: 'refused' }]);
    expect(report.keptCount).toBe(1);
  });

  it('does nothing without policies or without an inventory', async () => {
    const inv = inventoryOf([{ pkg: 'img', id: 'old', ageDays: 40 }]);
    expect(await runCleanup(record({ cleanupPolicies: {} }), inv, clock)).toMatchObject({ deleted: [], keptCount: 1, dryRun: false });
    expect(await runCleanup(record({ format: 'GENERIC' }), undefined, clock)).toMatchObject({ deleted: [], keptCount: 0 });
  });
});
