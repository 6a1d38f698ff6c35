// Virtual repositories (mode VIRTUAL_REPOSITORY, spec ar-fidelity §4.4): one read-only endpoint over an ordered
// list of standard and remote repositories of one format. What every format's virtual read path shares: the
// members in the order they are asked (a larger `priority` first), the IAM check on each member (the service
// agent's `readViaVirtualRepository`), and the per-package resolution rule: the first member, in that order,
// that holds a package answers for ALL of it (every version, every tag, every file), so an internal package
// shadows a public one of the same name. docs/virtual.md has the choices where the spec is silent.
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import { clip, type RepositoryRef } from '../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../core/repository.js';
import type { MetaShard, MetaStore } from '../storage/meta-store.js';

/** One entry of `virtualRepositoryConfig.upstreamPolicies`, as stored. */
export interface UpstreamPolicy {
  id: string;
  /** `projects/P/locations/L/repositories/R` */
  repository: string;
  priority: number;
}

/** A member of a virtual repository, resolved to its shard and record. */
export interface VirtualMember {
  id: string;
  priority: number;
  /** full resource name */
  repository: string;
  ref: RepositoryRef;
  shard: MetaShard;
  record: RepositoryRecord;
}

/**
 * May the virtual repository `virtual` read `upstream` on a caller's behalf? The real service reads upstreams as
 * its service agent, which needs `artifactregistry.repositories.readViaVirtualRepository` on each upstream. Open
 * mode: always. Enforce mode: the agent holds roles/artifactregistry.serviceAgent on its own project (as the real
 * service grants it), so a member in another project must grant it (docs/virtual.md).
 */
export interface VirtualAccess {
  mayRead(virtual: RepositoryRef, upstream: RepositoryRef): boolean;
}

export const ALLOW_ALL_VIRTUAL: VirtualAccess = { mayRead: () => true };

const REPOSITORY_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/;

/** The stored upstream policies of a virtual repository (empty for any other mode). */
export function upstreamPoliciesOf(record: RepositoryRecord): UpstreamPolicy[] {
  const vc = record.virtualRepositoryConfig as { upstreamPolicies?: UpstreamPolicy[] } | undefined;
  return Array.isArray(vc?.upstreamPolicies) ? vc.upstreamPolicies : [];
}

/**
 * The policies in the order members are asked: a larger `priority` first; equal priorities keep the order the
 * config lists them in (the real service's tie-break is undocumented, spec §4.4 [U]).
 */
export function orderedPolicies(policies: readonly UpstreamPolicy[]): UpstreamPolicy[] {
  return policies
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.priority - a.p.priority || a.i - b.i)
    .map((x) => x.p);
}

/**
 * The members of a virtual repository in resolution order, each one that exists, is of the virtual repository's
 * format and is not itself virtual, and that `access` lets it read. Members that are missing or refused are
 * skipped (reported through `skipped`, so a format can put them in the feed).
 */
export function membersOf(
  meta: MetaStore,
  record: RepositoryRecord,
  access: VirtualAccess = ALLOW_ALL_VIRTUAL,
  skipped?: (policy: UpstreamPolicy, why: 'missing' | 'format' | 'virtual' | 'denied') => void,
): VirtualMember[] {
  const out: VirtualMember[] = [];
  for (const p of orderedPolicies(upstreamPoliciesOf(record))) {
    const m = REPOSITORY_NAME.exec(p.repository);
    if (!m) {
      skipped?.(p, 'missing');
      continue;
    }
    const ref: RepositoryRef = { project: m[1]!, location: m[2]!, repository: m[3]! };
    const shard = meta.get(repositoryShardKey(ref));
    const member = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !member) {
      skipped?.(p, 'missing');
      continue;
    }
    if (member.format !== record.format) {
      skipped?.(p, 'format');
      continue;
    }
    if (member.mode === 'VIRTUAL_REPOSITORY') {
      skipped?.(p, 'virtual');
      continue;
    }
    if (!access.mayRead(record, ref)) {
      skipped?.(p, 'denied');
      continue;
    }
    out.push({ id: p.id, priority: p.priority, repository: p.repository, ref, shard, record: member });
  }
  return out;
}

/**
 * The per-package rule: asks `holds` of each member in order and returns the first that holds the package, with
 * what `holds` found (a format passes its own probe: a standard member looks in its shard, a remote one in its
 * cache and then its upstream). A probe that throws (an upstream failure with nothing cached) counts as "does not
 * hold" and is reported to `failed`, so one broken remote member does not hide the members after it.
 */
export async function resolvePackage<T>(
  members: readonly VirtualMember[],
  holds: (member: VirtualMember) => Promise<T | undefined> | T | undefined,
  failed?: (member: VirtualMember, err: unknown) => void,
): Promise<{ member: VirtualMember; found: T } | undefined> {
  for (const member of members) {
    let found: T | undefined;
    try {
      found = await holds(member);
    } catch (err) {
      failed?.(member, err);
      continue;
    }
    if (found !== undefined) return { member, found };
  }
  return undefined;
}

/** How often one (virtual repository, members, package) shadowing is reported on reads, in emulator time. */
export const SHADOWING_EVERY_MS = 60_000;

/**
 * The read-time half of the dependency-confusion warning: after a read through a virtual repository was answered by
 * a REMOTE member, the first STANDARD member asked after it that also holds the package is named in a
 * `virtual.shadowing` event (`when: 'read'`), at most once a minute of emulator time per (virtual repository,
 * members, package), so a busy build does not flood the feed.
 */
export class ReadShadowing {
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  check(virtual: { repository: string; format: string }, members: readonly VirtualMember[], winner: VirtualMember, pkg: string, holds: (member: VirtualMember) => boolean): void {
    if (winner.record.mode !== 'REMOTE_REPOSITORY') return;
    const below = members.slice(members.indexOf(winner) + 1).find((m) => m.record.mode === 'STANDARD_REPOSITORY' && holds(m));
    if (!below) return;
    const key = `${virtual.repository}|${winner.repository}|${below.repository}|${pkg}`;
    const now = this.clock.now().getTime();
    const last = this.reported.get(key);
    if (last !== undefined && now - last < SHADOWING_EVERY_MS) return;
    if (this.reported.size > 10_000) this.reported.clear();
    this.reported.set(key, now);
    this.events.emit('virtual.shadowing', {
      repository: virtual.repository, format: virtual.format, when: 'read', remote: winner.repository, standard: below.repository, packages: [pkg],
      message: `${clip(pkg)} was served from remote repository ${winner.ref.repository} (priority ${winner.priority}), which outranks standard repository ` +
        `${below.ref.repository} (priority ${below.priority}) that also holds it: a dependency-confusion risk; give the standard repository the higher priority`,
    });
  }
}
