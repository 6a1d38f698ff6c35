// npm virtual repositories (mode VIRTUAL_REPOSITORY): reads only, resolved per package over the members in
// priority order (content/virtual.ts): the first member that holds the package (a standard one in its shard, a
// remote one in its cache or upstream) answers for ALL of it, so an internal package shadows every version of a
// public one of the same name. A remote member winning over a lower standard member that holds the package is a
// dependency-confusion risk: `virtual.shadowing` (when: 'read') says so. docs/virtual.md has the choices.
import type { Clock } from '../../../core/clock.js';
import { isEmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { membersOf, ReadShadowing, resolvePackage, type VirtualAccess, type VirtualMember } from '../../../content/virtual.js';
import type { MetaStore } from '../../../storage/meta-store.js';
import type { PackumentKind } from '../remote-wire.js';
import { notFound } from './packages.js';
import type { NpmRemote, UpstreamPackument } from './remote.js';
import { T } from './tables.js';
import type { NpmTarget, NpmTargets } from './target.js';

/** The member that answers for a package, opened as a target, and what its probe found. */
export interface VirtualResolution {
  member: VirtualMember;
  target: NpmTarget;
  /** a remote member: the upstream packument it fetched while probing (standard members: undefined) */
  upstream?: UpstreamPackument;
}

export class NpmVirtual {
  private readonly shadowing: ReadShadowing;

  constructor(
    private readonly meta: MetaStore,
    private readonly access: VirtualAccess | undefined,
    private readonly targets: NpmTargets,
    private readonly remote: NpmRemote | undefined,
    events: EventBus,
    clock: Clock,
  ) {
    this.shadowing = new ReadShadowing(events, clock);
  }

  /**
   * The member answering for `name`: NOT_FOUND when none holds it, UNAVAILABLE when none holds it and a remote
   * member's upstream failed (the package may exist there).
   */
  async resolve(t: NpmTarget, name: string, kind: PackumentKind, hops = 0): Promise<VirtualResolution> {
    const members = membersOf(this.meta, t.record, this.access);
    let failure: unknown;
    const found = await resolvePackage(
      members,
      async (m): Promise<{ target: NpmTarget; upstream?: UpstreamPackument } | undefined> => {
        const target = this.targets.ofMember(m);
        if (m.record.mode !== 'REMOTE_REPOSITORY') return target.shard.get(T.packages, name) ? { target } : undefined;
        if (!this.remote) return target.shard.get(T.packages, name) ? { target } : undefined;
        const upstream = await this.remote.packument(target, name, kind, true, hops);
        return upstream.doc !== undefined || this.remote.cachedVersions(target, name).length > 0 ? { target, upstream } : undefined;
      },
      (_m, err) => {
        failure ??= err;
      },
    );
    if (!found) {
      if (failure && isEmulatorError(failure) && failure.code !== 'NOT_FOUND') throw failure;
      if (failure && !isEmulatorError(failure)) throw failure;
      throw notFound(name);
    }
    this.shadowing.check({ repository: t.repository, format: 'NPM' }, members, found.member, name, (m) => m.shard.get(T.packages, name) !== undefined);
    return { member: found.member, ...found.found };
  }
}
