// The GENERIC format module: no data-plane routes (generic files are uploaded through the control plane's
// `genericArtifacts:create` and read through `files:download`), an inventory of packages, versions and files, and
// the `genericArtifacts` upload kind the control plane's upload protocol (control/upload/) commits through.
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { RepositoryRef } from '../../core/names.js';
import type { UploadKind } from '../../core/upload-kind.js';
import type { FormatModule } from '../../http/format-module.js';
import { Routes } from '../../http/routes.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { MetaStore } from '../../storage/meta-store.js';
import { renderGenericError } from './errors.js';
import { createGenericInventory } from './inventory.js';
import { fileId, parseGenericIds } from './names.js';
import { GenericStore, T, alreadyExists, type FileRecord } from './store.js';

/** The largest generic file accepted (Artifact Registry documents none for generic; [U]). */
export const MAX_GENERIC_FILE_BYTES = 8 * 1024 ** 3;

export interface GenericModuleDeps {
  meta: MetaStore;
  blobs: BlobStore;
  events: EventBus;
  clock: Clock;
  maxFileBytes?: number;
}

export function createGenericModule(m: GenericModuleDeps): FormatModule {
  const store = new GenericStore(m.meta);
  const maxBytes = m.maxFileBytes ?? MAX_GENERIC_FILE_BYTES;
  const genericArtifacts: UploadKind = {
    kind: 'genericArtifacts',
    responseType: 'UploadGenericArtifactResponse',
    metadataType: 'UploadGenericArtifactMetadata',
    metadataFromQuery: () => undefined,
    prepare(repo: RepositoryRef, metadata) {
      const ids = parseGenericIds(metadata);
      const t = store.target(repo);
      const id = fileId(ids);
      if (t.shard.has(T.files, id)) throw alreadyExists(t, id);
      return {
        maxBytes,
        async commit(blob) {
          const now = m.clock.now().toISOString();
          const record: FileRecord = { ...ids, digest: blob.digest, size: blob.size, sha256: blob.digests.sha256!, md5: blob.digests.md5!, createTime: now };
          await store.addFile(t, record);
          m.events.emit('artifact.pushed', { repository: t.repository, format: 'GENERIC', package: ids.packageId, version: ids.versionId, kind: 'file', sizeBytes: blob.size });
          // UploadGenericArtifactResponse is empty in generic.proto [U: the real service's response fields]
          return {};
        },
      };
    },
  };
  return {
    id: 'generic',
    repositoryFormat: 'GENERIC',
    routes: new Routes([]),
    renderError: renderGenericError,
    denialWording: 'rest',
    events: ['artifact.pushed', 'artifact.deleted'],
    inventory: createGenericInventory(store, m.blobs, m.events, m.clock),
    uploadKinds: [genericArtifacts],
    *referencedBlobs() {
      for (const shard of store.all()) for (const [, f] of shard.entries<FileRecord>(T.files)) yield f.digest;
    },
  };
}
