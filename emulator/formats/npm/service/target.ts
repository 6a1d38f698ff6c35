// Resolves `/PROJECT/REPO/` of an npm request to its Artifact Registry repository (it must exist and be an
// NPM repository) and opens its content through the content layer.
import { ContentLayer, type RepositoryContent } from '../../../content/content-layer.js';
import type { VirtualMember } from '../../../content/virtual.js';
import { EmulatorError } from '../../../core/errors.js';
import { clip, repositoryName, type RepositoryRef } from '../../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../../core/repository.js';
import type { MetaShard, MetaStore } from '../../../storage/meta-store.js';
import { NPM_CONTENT } from './tables.js';

export interface NpmTarget {
  ref: RepositoryRef;
  /** full resource name of the repository */
  repository: string;
  shard: MetaShard;
  record: RepositoryRecord;
  content: RepositoryContent;
}

export class NpmTargets {
  readonly content = new ContentLayer(NPM_CONTENT);

  constructor(private readonly meta: MetaStore) {}

  /** The repository of a data-plane request; REPOSITORY_NOT_FOUND in npm's words otherwise. */
  resolve(ref: RepositoryRef): NpmTarget {
    const t = this.open(ref);
    if (!t) throw new EmulatorError('REPOSITORY_NOT_FOUND', `Repository "${clip(ref.repository)}" was not found in project "${clip(ref.project)}", location "${ref.location}".`);
    return t;
  }

  /** The repository named by the control plane (NOT_FOUND in Google's words). */
  forControl(ref: RepositoryRef): NpmTarget {
    const t = this.open(ref);
    if (!t) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return t;
  }

  /** Every NPM repository shard (garbage collection, warm-up). */
  all(): Array<{ shard: MetaShard; record: RepositoryRecord }> {
    return this.meta
      .list(['repos'])
      .map((shard) => ({ shard, record: shard.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY) }))
      .filter((x): x is { shard: MetaShard; record: RepositoryRecord } => x.record?.format === 'NPM');
  }

  /** A member of a virtual repository as a target of its own (a standard or remote NPM repository). */
  ofMember(m: VirtualMember): NpmTarget {
    return { ref: m.ref, repository: m.repository, shard: m.shard, record: m.record, content: this.content.open(m.shard, m.record) };
  }

  private open(ref: RepositoryRef): NpmTarget | undefined {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record || record.format !== 'NPM') return undefined;
    // a virtual repository holds nothing of its own: its reads go to its members (service/virtual.ts)
    const content = record.mode === 'VIRTUAL_REPOSITORY' ? EMPTY_CONTENT : this.content.open(shard, record);
    return { ref, repository: repositoryName(ref), shard, record, content };
  }
}

/** What a virtual repository holds of its own: nothing (control-plane listings of it are empty, docs/virtual.md). */
const EMPTY_CONTENT: RepositoryContent = {
  mode: 'VIRTUAL_REPOSITORY',
  policy: {},
  versionsOf: () => [],
  versionRecords: () => [],
  hasVersion: () => false,
  tagsOf: () => [],
  tagTarget: () => undefined,
  tagsOfVersion: () => [],
};
