// Resolves a registry name `PROJECT/REPO/IMAGE[/…]` to its Artifact Registry repository (spec §2.1): the location
// by the rule every data-plane path follows (a `LOCATION-docker.pkg.dev` Host, else the default location, else the
// one location holding REPO); the repository must exist and be a DOCKER repository. Errors use the real service's texts.
import { EmulatorError } from '../../../core/errors.js';
import { clip, isValidImageName, isValidProjectId, isValidRepositoryId, repositoryName, type RepositoryRef } from '../../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../../core/repository.js';
import type { MetaShard, MetaStore } from '../../../storage/meta-store.js';
import { ContentLayer, type ContentPolicy, type RepositoryContent } from '../../../content/content-layer.js';
import { inSeveralLocations, type RepositoryLocator } from '../../../http/dispatch.js';
import { DOCKER_CONTENT } from './tables.js';

export interface DockerTarget {
  ref: RepositoryRef;
  /** full resource name of the repository */
  repository: string;
  /** image name inside the repository (may contain `/`) */
  image: string;
  /** the registry name as the client wrote it: PROJECT/REPO/IMAGE */
  name: string;
  shard: MetaShard;
  record: RepositoryRecord;
  /** reads of tags and versions go through here (indexed; the repository's mode decides the source) */
  content: RepositoryContent;
}

export const MISSING_IMAGE_MESSAGE =
  'Missing image name. Pushes should be of the form docker push HOST-NAME/PROJECT-ID/REPOSITORY/IMAGE';
/** The same for a Container Registry host, whose names carry no repository segment [U: wording adapted]. */
export const MISSING_GCR_IMAGE_MESSAGE = 'Missing image name. Pushes should be of the form docker push HOST-NAME/PROJECT-ID/IMAGE';

/**
 * Splits a registry name; NAME_INVALID when it cannot name an image in a repository. `hostRepository` is the
 * repository a Container Registry Host named (`gcr.io`, …): the name is then `PROJECT/IMAGE…`, as on gcr.io.
 */
export function splitName(name: string, location: string, hostRepository?: string): { ref: RepositoryRef; image: string } {
  const parts = name.split('/');
  const minimum = hostRepository ? 2 : 3;
  if (parts.length < minimum || parts.some((p) => p === '')) throw new EmulatorError('NAME_INVALID', hostRepository ? MISSING_GCR_IMAGE_MESSAGE : MISSING_IMAGE_MESSAGE);
  const [project, repository, ...rest] = (hostRepository ? [parts[0], hostRepository, ...parts.slice(1)] : parts) as [string, string, ...string[]];
  const image = rest.join('/');
  if (!isValidProjectId(project)) throw new EmulatorError('NAME_INVALID', `invalid project id "${clip(project)}" in repository name`);
  if (!isValidRepositoryId(repository)) throw new EmulatorError('NAME_INVALID', `invalid repository id "${clip(repository)}" in repository name`);
  if (!isValidImageName(image)) throw new EmulatorError('NAME_INVALID', `invalid image name "${clip(image)}"`);
  return { ref: { project, location, repository }, image };
}

/** Where PROJECT/REPO lives when the Host does not say: the location rule (emulator/index.ts repositoryLocator). */
export interface DockerLocationRule {
  defaultLocation: string;
  /** absent: always the default location */
  locateRepository?: RepositoryLocator;
}

export class DockerTargets {
  readonly content: ContentLayer;

  constructor(
    private readonly meta: MetaStore,
    policy: ContentPolicy = {},
    private readonly rule: DockerLocationRule = { defaultLocation: 'us-central1' },
  ) {
    this.content = new ContentLayer(DOCKER_CONTENT, policy);
  }

  /**
   * The location of PROJECT/REPO for a request whose Host named `hostLocation` (or none): the Host's, else the
   * default location's repository, else the one location holding one of that name (the default location when
   * none does). FAILED_PRECONDITION when several do: the client must name one by Host.
   */
  locationOf(project: string, repository: string, hostLocation: string | undefined): string {
    if (hostLocation) return hostLocation;
    const found = this.rule.locateRepository?.(project, repository, undefined);
    if (!found) return this.rule.defaultLocation;
    if ('several' in found) throw new EmulatorError('FAILED_PRECONDITION', inSeveralLocations(project, repository, found.several, 'DOCKER'));
    return found.location;
  }

  /**
   * Builds the indexes of the shards loaded at startup, one shard per turn of the event loop, right after
   * the server is ready: the first request that lists does not pay a pass over 20,000 tags, and startup does
   * not wait for it. A request that comes first builds its shard's index itself; shards created later start
   * empty and cost nothing.
   */
  async warmIndexes(): Promise<void> {
    for (const { shard, record } of this.all()) {
      if (record.mode === 'STANDARD_REPOSITORY') this.content.indexOf(shard);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * The target a registry name denotes in `location` (already chosen by locationOf: access checks and handlers
   * agree); `hostRepository` as for splitName. The target's `name` stays the name the client wrote.
   */
  resolve(name: string, location: string, hostRepository?: string): DockerTarget {
    const { ref, image } = splitName(name, location, hostRepository);
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record) throw new EmulatorError('REPOSITORY_NOT_FOUND', `Repository "${ref.repository}" not found`);
    if (record.format !== 'DOCKER') {
      throw new EmulatorError(
        'REPOSITORY_NOT_FOUND',
        `Repository "${ref.repository}" is a ${record.format} repository, not a DOCKER repository: use the ${record.format} client's URL for it.`,
      );
    }
    return { ref, repository: repositoryName(ref), image, name, shard, record, content: this.content.open(shard, record) };
  }

  /** Whether any repository (of any format) holds this name. */
  exists(ref: RepositoryRef): boolean {
    return !!this.meta.get(repositoryShardKey(ref))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
  }

  /** The target for an image of a repository named by the control plane (no registry-name parsing). */
  forImage(ref: RepositoryRef, image: string): DockerTarget {
    const shard = this.meta.get(repositoryShardKey(ref));
    const record = shard?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!shard || !record) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return { ref, repository: repositoryName(ref), image, name: `${ref.project}/${ref.repository}/${image}`, shard, record, content: this.content.open(shard, record) };
  }

  /** Every Docker repository shard (for the catalog). */
  all(): Array<{ shard: MetaShard; record: RepositoryRecord }> {
    return this.meta
      .list(['repos'])
      .map((shard) => ({ shard, record: shard.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY) }))
      .filter((x): x is { shard: MetaShard; record: RepositoryRecord } => x.record?.format === 'DOCKER');
  }
}
