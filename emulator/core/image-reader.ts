// What scanning needs to read of stored container images (issue 13), in the registry's own terms: the layers of an
// image by digest (for a manifest list, those of its first linux/amd64 image, spec ar-fidelity §6.1), the digest a tag
// points at, and every stored image (continuous analysis rescans them). A format that stores images implements it over
// its own tables and the blob store (formats/docker/image-reader.ts); scanning consumes it and never imports formats.
import type { RepositoryRef } from './names.js';

/** One layer, bottom first: its blob digest, media type (tar, tar+gzip, tar+zstd), size and a way to stream it. */
export interface ImageLayer {
  digest: string;
  mediaType: string;
  size: number;
  /** the blob's bytes (the Docker format gives a Node Readable) */
  open(): Promise<AsyncIterable<Uint8Array>>;
}

export type ImageLayers =
  /** `scanned` is the manifest whose layers these are (the digest itself, or a manifest list's linux/amd64 child) */
  | { kind: 'layers'; scanned: string; layers: ImageLayer[] }
  /** a manifest with nothing to scan (an artifact, a list without a linux/amd64 image): why */
  | { kind: 'unsupported'; reason: string }
  | { kind: 'missing' };

export interface StoredImage {
  repository: RepositoryRef;
  image: string;
  digest: string;
}

export interface ImageReader {
  /** The layers of `IMAGE@digest` in the repository. */
  layersOf(repo: RepositoryRef, image: string, digest: string): Promise<ImageLayers>;
  /** The digest `IMAGE:tag` points at, if any. */
  resolveTag(repo: RepositoryRef, image: string, tag: string): string | undefined;
  /** Every stored image manifest of every repository of the format. */
  listImages(): Iterable<StoredImage>;
}
