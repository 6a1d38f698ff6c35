// Runs a repository's cleanup policies over a format's inventory: gathers every version (package, upload time,
// tags), asks planCleanup what goes, and, unless it is a dry run, deletes exactly that through the inventory
// (the same path the control plane's versions.delete takes, so immutability and events apply). The scheduler
// (every 24 h of emulator time) and `POST /_emulator/cleanup:run` call it.
import type { Clock } from '../core/clock.js';
import type { ArtifactInventory } from '../core/inventory.js';
import { repositoryName } from '../core/names.js';
import type { RepositoryRecord } from '../core/repository.js';
import { planCleanup, type CleanupCandidate, type CleanupPolicy } from './cleanup-plan.js';
import { isImmutable } from './immutable-tags.js';

export interface CleanupReport {
  repository: string;
  dryRun: boolean;
  deleted: Array<{ package: string; version: string; policy: string }>;
  keptCount: number;
  /** versions the plan named that could not be deleted (gone meanwhile, or refused), with the reason */
  failed?: Array<{ package: string; version: string; reason: string }>;
}

export async function runCleanup(
  record: RepositoryRecord,
  inventory: ArtifactInventory | undefined,
  clock: Clock,
  opts: { dryRun?: boolean } = {},
): Promise<CleanupReport> {
  const dryRun = opts.dryRun ?? record.cleanupPolicyDryRun === true;
  const repository = repositoryName(record);
  const policies = (record.cleanupPolicies ?? {}) as Record<string, CleanupPolicy>;
  if (!inventory || Object.keys(policies).length === 0) return { repository, dryRun, deleted: [], keptCount: inventory ? countVersions(record, inventory) : 0 };
  const parents = parentIndexes(record, inventory);
  const candidates: CleanupCandidate[] = [];
  for (const pkg of inventory.listPackages(record)) {
    for (const build of inventory.listVersions(record, pkg.id)) {
      const v = build();
      const of = parents.get(`${pkg.id}@${v.id}`);
      candidates.push({ package: pkg.id, version: v.id, createdAt: Date.parse(v.createTime), tags: v.tags, ...(of ? { parents: of } : {}) });
    }
  }
  const plan = planCleanup(policies, candidates, clock.now().getTime(), { immutableTags: isImmutable(record) });
  if (dryRun) return { repository, dryRun, ...plan };
  const deleted: CleanupReport['deleted'] = [];
  const failed: NonNullable<CleanupReport['failed']> = [];
  for (const d of plan.deleted) {
    try {
      await inventory.deleteVersion(record, d.package, d.version, true);
      deleted.push(d);
    } catch (err) {
      failed.push({ package: d.package, version: d.version, reason: (err as Error).message });
    }
  }
  return { repository, dryRun, deleted, keptCount: candidates.length - deleted.length, ...(failed.length ? { failed } : {}) };
}

/** Docker: `image@child digest` → the digests of the image indexes that list it. Empty for other formats. */
function parentIndexes(record: RepositoryRecord, inventory: ArtifactInventory): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const index of inventory.listDockerImages?.(record) ?? []) {
    for (const child of index.imageManifests ?? []) {
      const k = `${index.image}@${child.digest}`;
      const list = out.get(k);
      if (list) list.push(index.digest);
      else out.set(k, [index.digest]);
    }
  }
  return out;
}

function countVersions(record: RepositoryRecord, inventory: ArtifactInventory): number {
  let n = 0;
  for (const pkg of inventory.listPackages(record)) n += inventory.listVersions(record, pkg.id).length;
  return n;
}
