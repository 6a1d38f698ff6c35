// The Docker format's ImageReader (core/image-reader.ts): what scanning reads of stored images. An image manifest
// gives its layers when its config is a container image config (an artifact, a signature or a Helm chart has nothing
// to scan); a manifest list gives those of its first linux/amd64 image (spec ar-fidelity §6.1). Reads the manifest
// records and blobs only: nothing is written.
import type { ImageLayers, ImageReader, StoredImage } from '../../core/image-reader.js';
import type { RepositoryRef } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { T, manifestKey, tagKey, type ManifestRecord, type TagRecord } from './service/tables.js';
import type { DockerTargets } from './service/target.js';

const IMAGE_CONFIGS = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

interface ManifestDoc {
  config?: { mediaType?: string };
  layers?: Array<{ mediaType?: string; digest?: string; size?: number }>;
  manifests?: Array<{ mediaType?: string; digest?: string; platform?: { os?: string; architecture?: string } }>;
}

export function createDockerImageReader(targets: DockerTargets, blobs: BlobStore): ImageReader {
  const record = (repo: RepositoryRef, image: string, digest: string): ManifestRecord | undefined => {
    try {
      return targets.forImage(repo, image).shard.get<ManifestRecord>(T.manifests, manifestKey(image, digest));
    } catch {
      return undefined; // the repository is gone
    }
  };
  const doc = async (digest: string): Promise<ManifestDoc | undefined> => {
    try {
      return JSON.parse((await blobs.read(digest)).toString('utf8')) as ManifestDoc;
    } catch {
      return undefined;
    }
  };

  const layersOf = async (repo: RepositoryRef, image: string, digest: string, depth = 0): Promise<ImageLayers> => {
    const m = record(repo, image, digest);
    if (!m) return { kind: 'missing' };
    const body = await doc(m.digest);
    if (!body) return { kind: 'missing' };
    if (Array.isArray(body.manifests)) {
      if (depth > 0) return { kind: 'unsupported', reason: 'a manifest list inside a manifest list is not scanned' };
      const child = body.manifests.find((c) => c.platform?.os === 'linux' && c.platform?.architecture === 'amd64' && typeof c.digest === 'string');
      if (!child) return { kind: 'unsupported', reason: 'the manifest list holds no linux/amd64 image (only that one is scanned)' };
      const inner = await layersOf(repo, image, child.digest!, depth + 1);
      return inner.kind === 'missing' ? { kind: 'unsupported', reason: `the linux/amd64 image ${child.digest} is not stored in the repository` } : inner;
    }
    const configType = body.config?.mediaType ?? m.configMediaType;
    if (!configType || !IMAGE_CONFIGS.has(configType)) {
      return { kind: 'unsupported', reason: `not a container image (config media type ${String(configType).slice(0, 100)})` };
    }
    const layers = (body.layers ?? []).filter((l): l is { mediaType: string; digest: string; size: number } => typeof l.digest === 'string' && typeof l.mediaType === 'string');
    return {
      kind: 'layers',
      scanned: m.digest,
      layers: layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: typeof l.size === 'number' ? l.size : 0, open: () => blobs.open(l.digest) })),
    };
  };

  return {
    layersOf: (repo, image, digest) => layersOf(repo, image, digest),
    resolveTag(repo, image, tag) {
      try {
        return targets.forImage(repo, image).shard.get<TagRecord>(T.tags, tagKey(image, tag))?.digest;
      } catch {
        return undefined;
      }
    },
    *listImages(): Generator<StoredImage> {
      for (const { shard, record: r } of targets.all()) {
        const repository = { project: r.project, location: r.location, repository: r.repository };
        for (const [, m] of shard.entries<ManifestRecord>(T.manifests)) yield { repository, image: m.image, digest: m.digest };
      }
    },
  };
}
