// OCI referrers as the control plane's attachments (issue 17; control/attachments-api.ts): every manifest with a
// subject is one, whoever pushed it (oras attach, cosign, the deploy policy's attestations, CreateAttachment).
import { Readable } from 'node:stream';
import { digestOf, parseDigest } from '../../core/digests.js';
import { EmulatorError } from '../../core/errors.js';
import type { OciReferrers, ReferrerInfo } from '../../core/inventory.js';
import { repositoryShardKey } from '../../core/repository.js';
import type { DockerDeps } from './handlers/deps.js';
import { OCI_EMPTY_CONFIG, OCI_MANIFEST } from './media-types.js';
import { isLive, manifestKey, blobKey, T, type BlobLink, type ManifestRecord } from './service/tables.js';
import type { MetaStore } from '../../storage/meta-store.js';

const EMPTY_CONFIG = Buffer.from('{}');
const EMPTY_CONFIG_DIGEST = digestOf(EMPTY_CONFIG, 'sha256');

export function ociReferrers(deps: DockerDeps, meta: MetaStore): OciReferrers {
  return {
    async list(repo) {
      const shard = meta.get(repositoryShardKey(repo));
      if (!shard) return [];
      const bySubject = new Map<string, ManifestRecord[]>();
      for (const [, m] of shard.entries<ManifestRecord>(T.manifests)) {
        if (!m.subject) continue;
        const key = `${m.image}@${m.subject}`;
        bySubject.set(key, [...(bySubject.get(key) ?? []), m]);
      }
      const out: ReferrerInfo[] = [];
      for (const records of bySubject.values()) {
        const first = records[0]!;
        const t = deps.targets.forImage(repo, first.image);
        const described = new Map((await deps.manifests.referrers(t, first.subject!)).map((d) => [d.digest, d]));
        for (const m of records) {
          const d = described.get(m.digest);
          out.push({
            image: m.image, digest: m.digest, subject: m.subject!, createTime: m.createTime,
            layers: m.references.filter((r) => r !== EMPTY_CONFIG_DIGEST),
            ...(d?.artifactType ?? m.artifactType ? { artifactType: d?.artifactType ?? m.artifactType } : {}),
            ...(d?.annotations ? { annotations: d.annotations } : {}),
          });
        }
      }
      return out.sort((a, b) => (a.createTime < b.createTime ? -1 : a.createTime > b.createTime ? 1 : 0));
    },

    async attach(repo, image, subject, artifact) {
      const t = deps.targets.forImage(repo, image);
      const target = t.shard.get<ManifestRecord>(T.manifests, manifestKey(image, subject));
      if (!target) throw new EmulatorError('NOT_FOUND', `Image ${t.name}@${subject} is not stored.`);
      const layers = artifact.layers.map((digest) => {
        const link = t.shard.get<BlobLink>(T.blobs, blobKey(image, digest));
        if (!isLive(link)) throw new EmulatorError('INVALID_ARGUMENT', `File ${digest} is not a blob of ${t.name}.`, { field: 'attachment.files' });
        return { mediaType: 'application/octet-stream', digest, size: link.size };
      });
      await deps.blobs.uploadWhole(t, Readable.from([EMPTY_CONFIG]), parseDigest(EMPTY_CONFIG_DIGEST), { length: EMPTY_CONFIG.length });
      const body = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: artifact.artifactType,
        config: { mediaType: OCI_EMPTY_CONFIG, digest: EMPTY_CONFIG_DIGEST, size: EMPTY_CONFIG.length },
        layers,
        subject: { mediaType: target.mediaType, digest: target.digest, size: target.size },
        ...(Object.keys(artifact.annotations).length ? { annotations: artifact.annotations } : {}),
      }));
      return (await deps.manifests.put(t, digestOf(body, 'sha256'), body, OCI_MANIFEST)).digest;
    },
  };
}
