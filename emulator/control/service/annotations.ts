// Client annotations on packages, versions and files (packages.patch, versions.patch, files.patch with
// updateMask=annotations). Kept by the control plane in the repository's shard, beside the format's data.
import { EmulatorError } from '../../core/errors.js';
import type { RepositoryRef } from '../../core/names.js';
import { repositoryShardKey } from '../../core/repository.js';
import type { MetaStore } from '../../storage/meta-store.js';

export type AnnotatedKind = 'package' | 'version' | 'file';
const TABLE = 'annotations';
const MAX_ENTRIES = 64;
const MAX_BYTES = 256 * 1024;

export class AnnotationStore {
  constructor(private readonly meta: MetaStore) {}

  get(ref: RepositoryRef, kind: AnnotatedKind, id: string): Record<string, string> | undefined {
    return this.meta.get(repositoryShardKey(ref))?.get<Record<string, string>>(TABLE, `${kind}|${id}`);
  }

  async set(ref: RepositoryRef, kind: AnnotatedKind, id: string, value: unknown, field: string): Promise<void> {
    const annotations = validateAnnotations(value ?? {}, field);
    const shard = this.meta.get(repositoryShardKey(ref));
    if (!shard) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    await shard.transact((tx) => {
      if (Object.keys(annotations).length) tx.put(TABLE, `${kind}|${id}`, annotations);
      else tx.delete(TABLE, `${kind}|${id}`);
    });
  }

  /** Forgets the annotations of a deleted package (and its versions) or version. */
  async forget(ref: RepositoryRef, kind: 'package' | 'version', id: string): Promise<void> {
    const shard = this.meta.get(repositoryShardKey(ref));
    if (!shard) return;
    const keys = [...shard.entries(TABLE)].map(([k]) => k).filter((k) => k === `${kind}|${id}` || (kind === 'package' && k.startsWith(`version|${id}@`)));
    if (keys.length) await shard.transact((tx) => keys.forEach((k) => tx.delete(TABLE, k)));
  }
}

/** AIP-128 annotations as a request gives them: a string map of at most 64 keys (1 to 253 characters) and 256 KiB; INVALID_ARGUMENT on `field` otherwise. */
export function validateAnnotations(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": must map strings to strings.`, { field });
  }
  const map = value as Record<string, string>;
  if (Object.keys(map).length > MAX_ENTRIES) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": at most ${MAX_ENTRIES} annotations.`, { field });
  if (Buffer.byteLength(JSON.stringify(map)) > MAX_BYTES) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": annotations may hold at most 256 KiB.`, { field });
  if (Object.keys(map).some((k) => !k || k.length > 253)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": keys are 1 to 253 characters.`, { field });
  return map;
}
