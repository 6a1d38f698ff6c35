// Writes a small multi-arch OCI image layout (index → one manifest per platform) for `skopeo copy oci:DIR:TAG`.
// Spec: https://github.com/opencontainers/image-spec/blob/main/image-layout.md (index.json, oci-layout, blobs/).
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTar, type TarEntries } from './tar.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface PlatformImage {
  architecture: string;
  os?: string;
  files: TarEntries;
}

export interface WrittenOciIndex {
  /** Digest of the index blob the tag points at. */
  indexDigest: string;
  manifests: { digest: string; architecture: string; os: string }[];
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function writeMultiArchOciLayout(dir: string, tag: string, images: PlatformImage[]): Promise<WrittenOciIndex> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const putBlob = async (data: Buffer): Promise<{ digest: string; size: number }> => {
    const digest = sha256Digest(data);
    await writeFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), data);
    return { digest, size: data.length };
  };
  const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

  const manifests: WrittenOciIndex['manifests'] = [];
  const descriptors: unknown[] = [];
  for (const image of images) {
    const os = image.os ?? 'linux';
    const tar = createTar(image.files);
    const layer = await putBlob(gzipSync(tar));
    const config = await putBlob(
      json({
        architecture: image.architecture,
        os,
        config: {},
        rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
      }),
    );
    const manifest = await putBlob(
      json({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, ...config },
        layers: [{ mediaType: OCI_LAYER_GZIP, ...layer }],
      }),
    );
    manifests.push({ digest: manifest.digest, architecture: image.architecture, os });
    descriptors.push({ mediaType: OCI_MANIFEST, ...manifest, platform: { architecture: image.architecture, os } });
  }
  const index = await putBlob(json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: descriptors }));

  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: OCI_INDEX, ...index, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return { indexDigest: index.digest, manifests };
}
