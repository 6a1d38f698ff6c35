// Docker virtual repositories (mode VIRTUAL_REPOSITORY, spec ar-fidelity §4.4): reads resolved per image over
// the members (content/virtual.ts: priority desc, ties in listed order, IAM-refused and missing members skipped).
// The first member holding the image answers for all of it (every tag, every digest): a standard member holds
// it when its shard has a manifest of it, a remote member when it has one cached or its upstream has the
// reference asked for. Blobs are content addressed: any member holding the blob under that image serves it.
// Writes are refused (refuseRemoteWrite). docs/virtual.md.
import type { ParsedDigest } from '../../../core/digests.js';
import { isEmulatorError } from '../../../core/errors.js';
import type { Clock } from '../../../core/clock.js';
import type { EventBus } from '../../../core/events.js';
import { membersOf, ReadShadowing, resolvePackage, type VirtualAccess, type VirtualMember } from '../../../content/virtual.js';
import type { MetaStore } from '../../../storage/meta-store.js';
import type { DockerRemote } from './remote.js';
import { T, blobKey, isLive, type BlobLink } from './tables.js';
import type { DockerTarget, DockerTargets } from './target.js';

export class DockerVirtual {
  private readonly shadowing: ReadShadowing;

  constructor(
    private readonly meta: MetaStore,
    private readonly targets: DockerTargets,
    private readonly access: VirtualAccess,
    events: EventBus,
    private readonly remote: DockerRemote | undefined,
    clock: Clock,
  ) {
    this.shadowing = new ReadShadowing(events, clock);
  }

  /** The members of the virtual repository `t` names, in the order they are asked, each as a target for the same image. */
  members(t: DockerTarget): Array<{ member: VirtualMember; target: DockerTarget }> {
    return membersOf(this.meta, t.record, this.access).map((member) => ({ member, target: this.memberTarget(member, t.image) }));
  }

  /**
   * The member target that answers for the image of `t` when `reference` is asked. Remote members not holding
   * the image yet ask their upstream for the reference (fetching it into their cache). `count`: a GET (cache
   * events, and the read-time shadowing event). Undefined: no member holds the image.
   */
  async forManifest(t: DockerTarget, reference: string, count: boolean): Promise<{ target: DockerTarget; stale: boolean } | undefined> {
    const members = this.members(t);
    const targetOf = new Map(members.map((m) => [m.member, m.target]));
    let failure: unknown;
    const found = await resolvePackage(members.map((m) => m.member), async (member) => {
      const target = targetOf.get(member)!;
      if (holdsImage(target)) return { target, probed: false, stale: false };
      if (member.record.mode !== 'REMOTE_REPOSITORY' || !this.remote) return undefined;
      try {
        return { target, probed: true, stale: (await this.remote.manifest(target, reference, count)).stale };
      } catch (err) {
        if (isEmulatorError(err) && err.code === 'MANIFEST_UNKNOWN') return undefined;
        throw err;
      }
    }, (_member, err) => (failure ??= err));
    // nothing answered and a remote member could not ask its upstream: say so (UNAVAILABLE), not "unknown"
    if (!found && failure !== undefined) throw failure;
    if (!found) return undefined;
    if (count) this.shadowing.check({ repository: t.repository, format: 'DOCKER' }, members.map((m) => m.member), found.member, t.image, (m) => holdsImage(this.memberTarget(m, t.image)));
    const { target, probed } = found.found;
    let stale = found.found.stale;
    // a remote member that already held the image revalidates or fetches the reference itself (its TTL, its cache)
    if (!probed && found.member.record.mode === 'REMOTE_REPOSITORY' && this.remote) stale = (await this.remote.manifest(target, reference, count)).stale;
    return { target, stale };
  }

  /** The member target whose tags tags/list shows: the first holding the image (cached content only). */
  forImage(t: DockerTarget): DockerTarget | undefined {
    return this.members(t).find((m) => holdsImage(m.target))?.target;
  }

  /**
   * The member target that serves a blob of the image: the first member linking it under this image, else the
   * remote member answering for the image, which fetches it from its upstream. Undefined: none.
   */
  forBlob(t: DockerTarget, digest: ParsedDigest): DockerTarget | undefined {
    const members = this.members(t);
    const linked = members.find((m) => isLive(m.target.shard.get<BlobLink>(T.blobs, blobKey(t.image, digest.value))));
    if (linked) return linked.target;
    const owner = members.find((m) => holdsImage(m.target));
    return owner && owner.member.record.mode === 'REMOTE_REPOSITORY' ? owner.target : undefined;
  }

  private memberTarget(member: VirtualMember, image: string): DockerTarget {
    return this.targets.forImage(member.ref, image);
  }

}

/** The image has at least one manifest in the member (stored, or cached for a remote member). */
function holdsImage(t: DockerTarget): boolean {
  return t.content.versionsOf(t.image).length > 0;
}
