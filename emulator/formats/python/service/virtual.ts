// Python virtual repositories (mode VIRTUAL_REPOSITORY): reads only, resolved per project over the members in
// priority order (content/virtual.ts): the first member that has the project (a standard one in its shard, a remote
// one in its cache or on its upstream) serves its whole page and its files, so an internal project shadows every
// file of a public one of the same name. A remote member winning over a lower standard member that holds the
// project is a dependency-confusion risk: `virtual.shadowing` (when: 'read') says so. docs/virtual.md.
import type { Clock } from '../../../core/clock.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { clip } from '../../../core/names.js';
import { membersOf, ReadShadowing, resolvePackage, type VirtualAccess, type VirtualMember } from '../../../content/virtual.js';
import type { MetaStore } from '../../../storage/meta-store.js';
import type { PythonPackages, PythonTarget } from './packages.js';
import type { PythonRemote, RemotePage } from './remote.js';
import type { ProjectRecord } from './tables.js';

/** The member that answers for a project, opened as a target, and what its probe found. */
export interface VirtualResolution {
  member: VirtualMember;
  target: PythonTarget;
  /** a remote member: the upstream page it read while probing (standard members: undefined) */
  upstream?: RemotePage;
}

export class PythonVirtual {
  private readonly shadowing: ReadShadowing;

  constructor(
    private readonly meta: MetaStore,
    private readonly access: VirtualAccess | undefined,
    private readonly packages: PythonPackages,
    private readonly remote: PythonRemote | undefined,
    events: EventBus,
    clock: Clock,
  ) {
    this.shadowing = new ReadShadowing(events, clock);
  }

  /** The members in resolution order, opened as targets. */
  members(t: PythonTarget): Array<{ member: VirtualMember; target: PythonTarget }> {
    return membersOf(this.meta, t.record, this.access).map((member) => ({ member, target: this.packages.ofMember(member) }));
  }

  /** Every project the members hold (standard: uploaded; remote: cached), the first member's name for each. */
  projects(t: PythonTarget): Array<[string, ProjectRecord]> {
    const out = new Map<string, ProjectRecord>();
    for (const { target } of this.members(t)) {
      for (const [key, p] of this.packages.projects(target)) if (!out.has(key)) out.set(key, p);
    }
    return [...out].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /**
   * The member answering for `project`: NOT_FOUND when none has it, UNAVAILABLE when none has it and a remote
   * member's upstream failed (the project may exist there).
   */
  async resolve(t: PythonTarget, project: string): Promise<VirtualResolution> {
    const members = membersOf(this.meta, t.record, this.access);
    let failure: unknown;
    const found = await resolvePackage(
      members,
      async (m): Promise<{ target: PythonTarget; upstream?: RemotePage } | undefined> => {
        const target = this.packages.ofMember(m);
        if (m.record.mode !== 'REMOTE_REPOSITORY' || !this.remote) return this.packages.project(target, project) ? { target } : undefined;
        const upstream = await this.remote.page(target, project);
        return upstream.page !== undefined || this.packages.project(target, project) ? { target, upstream } : undefined;
      },
      (_m, err) => {
        failure ??= err;
      },
    );
    if (!found) {
      if (failure && !(isEmulatorError(failure) && failure.code === 'NOT_FOUND')) throw failure;
      throw new EmulatorError('NOT_FOUND', `No project named '${clip(project)}' in this repository.`);
    }
    this.shadowing.check({ repository: t.repository, format: 'PYTHON' }, members, found.member, project, (m) => this.packages.project(this.packages.ofMember(m), project) !== undefined);
    return { member: found.member, ...found.found };
  }
}
