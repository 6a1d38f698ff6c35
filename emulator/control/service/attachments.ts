// Attachments the control plane created (CreateAttachment), kept in the repository's shard beside its content.
// Docker attachments are OCI referrers too (their record names the referrer as `ociVersionName`); referrers
// pushed by clients (oras attach, cosign) are listed from the format's inventory (control/attachments-api.ts).
import { EmulatorError } from '../../core/errors.js';
import type { RepositoryRef } from '../../core/names.js';
import { repositoryShardKey } from '../../core/repository.js';
import type { MetaStore } from '../../storage/meta-store.js';

const TABLE = 'attachments';

export interface AttachmentRecord {
  name: string;
  target: string;
  type?: string;
  attachmentNamespace?: string;
  annotations?: Record<string, string>;
  files: string[];
  createTime: string;
  updateTime: string;
  ociVersionName?: string;
}

export class AttachmentStore {
  constructor(private readonly meta: MetaStore) {}

  list(ref: RepositoryRef): AttachmentRecord[] {
    const shard = this.meta.get(repositoryShardKey(ref));
    return shard ? [...shard.entries<AttachmentRecord>(TABLE)].map(([, a]) => a) : [];
  }

  get(ref: RepositoryRef, id: string): AttachmentRecord | undefined {
    return this.meta.get(repositoryShardKey(ref))?.get<AttachmentRecord>(TABLE, id);
  }

  /** Stores a new attachment; ALREADY_EXISTS (re-checked under the shard lock) when the id is taken. */
  async create(ref: RepositoryRef, id: string, record: AttachmentRecord): Promise<void> {
    const shard = this.meta.get(repositoryShardKey(ref));
    if (!shard) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    await shard.transact((tx) => {
      if (tx.get(TABLE, id)) throw new EmulatorError('ALREADY_EXISTS', `Attachment "${record.name}" already exists.`);
      tx.put(TABLE, id, record as unknown as Parameters<typeof tx.put>[2]);
    });
  }

  async delete(ref: RepositoryRef, id: string): Promise<void> {
    const shard = this.meta.get(repositoryShardKey(ref));
    if (shard?.get(TABLE, id)) await shard.transact((tx) => tx.delete(TABLE, id));
  }
}
