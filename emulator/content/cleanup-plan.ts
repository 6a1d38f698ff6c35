// What a repository's cleanup policies delete (spec ar-fidelity §4.2), as a pure function of the policies,
// the versions and the time: a version is deleted when at least one DELETE policy matches it and no KEEP
// policy does (Keep always wins); within a condition the fields are AND-ed and the values of one prefix list
// OR-ed; formats without tags count as untagged; mostRecentVersions keeps the keepCount newest versions of
// each matching package by upload time. Tagged versions of a repository with immutable tags are never
// deleted, and neither is a manifest an image index that stays still references. The scheduler, `POST /_emulator/cleanup:run` and the dry run all call this one function.
import { parseDurationMs } from '../core/duration.js';

/** A policy as normalizeCleanupPolicies stores it (canonical enums, "2592000s" durations). */
export interface CleanupPolicy {
  id: string;
  action: 'DELETE' | 'KEEP';
  condition?: {
    tagState?: 'TAG_STATE_UNSPECIFIED' | 'TAGGED' | 'UNTAGGED' | 'ANY';
    tagPrefixes?: string[];
    versionNamePrefixes?: string[];
    packageNamePrefixes?: string[];
    olderThan?: string;
    newerThan?: string;
  };
  mostRecentVersions?: { packageNamePrefixes?: string[]; keepCount?: number };
}

export interface CleanupCandidate {
  package: string;
  version: string;
  /** upload time, ms since the epoch (emulator time) */
  createdAt: number;
  /** empty for formats without tags */
  tags: readonly string[];
  /**
   * versions of the same package that reference this one (the image indexes a platform manifest belongs to): it
   * is deleted only with all of them, as the real registry refuses to delete a manifest a parent still references
   */
  parents?: readonly string[];
}

export interface CleanupPlan {
  /** what is (or in a dry run would be) deleted, with the DELETE policy that matched first (by id order) */
  deleted: Array<{ package: string; version: string; policy: string }>;
  /** versions looked at and kept */
  keptCount: number;
}

export function planCleanup(
  policies: Record<string, CleanupPolicy>,
  versions: readonly CleanupCandidate[],
  now: number,
  opts: { immutableTags?: boolean } = {},
): CleanupPlan {
  const ordered = Object.values(policies).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const deletes = ordered.filter((p) => p.action === 'DELETE' && p.condition);
  const keeps = ordered.filter((p) => p.action === 'KEEP');
  const keptByRecency = mostRecentKept(keeps, versions);
  const deleted: CleanupPlan['deleted'] = [];
  for (const v of versions) {
    if (opts.immutableTags && v.tags.length > 0) continue;
    const match = deletes.find((p) => matches(p.condition!, v, now));
    if (!match) continue;
    const kept = keptByRecency.has(v) || keeps.some((p) => p.condition !== undefined && matches(p.condition, v, now));
    if (!kept) deleted.push({ package: v.package, version: v.version, policy: match.id });
  }
  const safe = withoutReferenced(deleted, versions);
  return { deleted: safe, keptCount: versions.length - safe.length };
}

/**
 * Drops from `deleted` every version a surviving version still references (until nothing changes: an index of
 * indexes), and orders parents before their children, so a run never leaves a kept index pointing at nothing.
 */
function withoutReferenced(deleted: CleanupPlan['deleted'], versions: readonly CleanupCandidate[]): CleanupPlan['deleted'] {
  const key = (pkg: string, version: string) => `${pkg}\u0000${version}`;
  const parentsOf = new Map<string, readonly string[]>();
  for (const v of versions) if (v.parents?.length) parentsOf.set(key(v.package, v.version), v.parents);
  if (parentsOf.size === 0) return deleted;
  const going = new Set(deleted.map((d) => key(d.package, d.version)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of deleted) {
      const k = key(d.package, d.version);
      if (going.has(k) && parentsOf.get(k)?.some((p) => !going.has(key(d.package, p)))) {
        going.delete(k);
        changed = true;
      }
    }
  }
  const depth = (pkg: string, version: string, seen = new Set<string>()): number => {
    const k = key(pkg, version);
    if (seen.has(k)) return 0;
    seen.add(k);
    return Math.max(0, ...(parentsOf.get(k) ?? []).map((p) => 1 + depth(pkg, p, seen)));
  };
  return deleted.filter((d) => going.has(key(d.package, d.version)))
    .map((d, i) => ({ d, i, depth: depth(d.package, d.version) }))
    .sort((a, b) => a.depth - b.depth || a.i - b.i)
    .map((x) => x.d);
}

function matches(c: NonNullable<CleanupPolicy['condition']>, v: CleanupCandidate, now: number): boolean {
  const state = c.tagState ?? 'ANY';
  if (state === 'TAGGED' && v.tags.length === 0) return false;
  if (state === 'UNTAGGED' && v.tags.length > 0) return false;
  if (c.tagPrefixes?.length && !v.tags.some((t) => c.tagPrefixes!.some((p) => t.startsWith(p)))) return false;
  if (c.versionNamePrefixes?.length && !c.versionNamePrefixes.some((p) => v.version.startsWith(p))) return false;
  if (c.packageNamePrefixes?.length && !c.packageNamePrefixes.some((p) => v.package.startsWith(p))) return false;
  const age = now - v.createdAt;
  if (c.olderThan !== undefined && !(age > (parseDurationMs(c.olderThan) ?? Infinity))) return false;
  if (c.newerThan !== undefined && !(age < (parseDurationMs(c.newerThan) ?? -Infinity))) return false;
  return true;
}

/** The versions each mostRecentVersions policy keeps: the keepCount newest of every package it names. */
function mostRecentKept(keeps: readonly CleanupPolicy[], versions: readonly CleanupCandidate[]): Set<CleanupCandidate> {
  const kept = new Set<CleanupCandidate>();
  const recency = keeps.filter((p) => p.mostRecentVersions);
  if (recency.length === 0) return kept;
  const byPackage = new Map<string, CleanupCandidate[]>();
  for (const v of versions) {
    const list = byPackage.get(v.package);
    if (list) list.push(v);
    else byPackage.set(v.package, [v]);
  }
  for (const p of recency) {
    const { packageNamePrefixes, keepCount = 0 } = p.mostRecentVersions!;
    for (const [pkg, list] of byPackage) {
      if (packageNamePrefixes?.length && !packageNamePrefixes.some((x) => pkg.startsWith(x))) continue;
      const newest = [...list].sort((a, b) => b.createdAt - a.createdAt || (a.version < b.version ? -1 : 1));
      for (const v of newest.slice(0, keepCount)) kept.add(v);
    }
  }
  return kept;
}
