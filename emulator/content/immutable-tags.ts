// Immutable tags (spec ar-fidelity §4.1), as a ContentPolicy every path of a format goes through: the registry's
// manifest PUT and DELETE, the control plane's tags.patch/delete and versions.delete (REST and gRPC), and cleanup.
// In a repository with `dockerConfig.immutableTags`: an existing tag cannot move to another digest or be deleted,
// a tagged version cannot be deleted; a new tag (also on an existing digest) and re-pushing the same digest under
// the same tag are allowed (the caller does not ask when nothing changes). The real service documents no text:
// ours names the tag and the digest it holds (docs/fidelity.md).
import { EmulatorError } from '../core/errors.js';
import { repositoryName } from '../core/names.js';
import type { RepositoryRecord } from '../core/repository.js';
import type { ContentPolicy, TagChange } from './content-layer.js';

export interface ImmutabilityViolation {
  /** full repository resource name */
  repository: string;
  pkg: string;
  /** the tag that would have moved or gone, or the tags that hold a version that would have gone */
  tags: string[];
  /** the digest (version) the tag holds */
  version: string;
  operation: 'tag.move' | 'tag.delete' | 'version.delete';
}

export function isImmutable(repository: RepositoryRecord): boolean {
  return repository.dockerConfig?.immutableTags === true;
}

/** The policy; `violated` hears every refusal (the composition root turns it into a `policy.violated` event). */
export function immutableTagsPolicy(violated: (v: ImmutabilityViolation) => void = () => {}): ContentPolicy {
  return {
    checkTagChange(change: TagChange) {
      if (!isImmutable(change.repository) || change.from === undefined || change.from === change.to) return;
      const name = repositoryName(change.repository);
      const deleting = change.to === undefined;
      violated({ repository: name, pkg: change.pkg, tags: [change.tag], version: change.from, operation: deleting ? 'tag.delete' : 'tag.move' });
      const what = deleting ? 'deleted' : `moved to ${change.to}`;
      throw new EmulatorError(
        'TAG_IMMUTABLE',
        `Tag "${change.tag}" of "${change.pkg}" cannot be ${what}: repository ${name} has immutable tags and the tag holds ${change.from}.`,
        { tag: change.tag, digest: change.from, violation: violationDetail(name, deleting ? 'tag.delete' : 'tag.move') },
      );
    },
    checkVersionDelete(change) {
      if (!isImmutable(change.repository) || change.tags.length === 0) return;
      const name = repositoryName(change.repository);
      violated({ repository: name, pkg: change.pkg, tags: [...change.tags], version: change.version, operation: 'version.delete' });
      const shown = change.tags.slice(0, 5).map((t) => `"${t}"`).join(', ') + (change.tags.length > 5 ? ', …' : '');
      throw new EmulatorError(
        'TAG_IMMUTABLE',
        `Version ${change.version} of "${change.pkg}" cannot be deleted: repository ${name} has immutable tags and the version is tagged ${shown}.`,
        { tag: change.tags[0], digest: change.version, violation: violationDetail(name, 'version.delete') },
      );
    },
  };
}

/**
 * What a refusal carries for the `policy.violated` event: the boundary that renders the error (HTTP or gRPC) knows
 * the caller and emits it (security.ts), so the event names who tried.
 */
export interface PolicyViolationDetail {
  permission: string;
  resource: string;
  operation: string;
}

function violationDetail(resource: string, operation: ImmutabilityViolation['operation']): PolicyViolationDetail {
  return { permission: 'dockerConfig.immutableTags', resource, operation: `immutableTags.${operation}` };
}
