// The tables a Docker repository keeps in its metadata shard, and their record shapes.
import type { ContentSchema } from '../../../content/content-index.js';
import type { OciDescriptor, OciPlatform } from '../wire.js';

/** `blobs` table, key `IMAGE@DIGEST`: a blob linked into an image (distribution's layer links). */
export interface BlobLink {
  size: number;
  createTime: string;
  /** remote repositories: when the blob was fetched from the upstream (File.fetchTime) */
  fetchTime?: string;
  /**
   * The last manifest of the image that used the blob was deleted: the blob is gone for every read (HEAD, GET,
   * mounts, manifests) and for garbage collection, but `DELETE /blobs/` still answers 202 once, as distribution
   * does after a manifest delete. A new upload or mount of the blob links it again.
   */
  orphaned?: true;
}

/** A link that reads see (not tombstoned by a manifest delete). */
export const isLive = (link: BlobLink | undefined): link is BlobLink => link !== undefined && link.orphaned !== true;

/** `manifests` table, key `IMAGE@DIGEST`. */
export interface ManifestRecord {
  image: string;
  digest: string;
  mediaType: string;
  /** bytes of the manifest itself */
  size: number;
  /** config + layers, or the children's sizes for an index (AR's imageSizeBytes) */
  imageSizeBytes: number;
  createTime: string;
  /**
   * DockerImage.buildTime: the image config's `created` (RFC 3339, normalised); for an index the newest of its
   * children's. Absent when the config has none, was not readable at push, or for records written before issue 17.
   */
  buildTime?: string;
  /** remote repositories: when the manifest was fetched from the upstream (File.fetchTime) */
  fetchTime?: string;
  artifactType?: string;
  configMediaType?: string;
  /**
   * The manifest has annotations: they are read from the manifest blob where needed (referrers), never
   * copied here (issue 8: copies made journals too large to read back).
   */
  hasAnnotations?: boolean;
  /** Copied annotations, in records written before issue 8 only; never written now. */
  annotations?: Record<string, string>;
  subject?: string;
  /** digests this manifest references (blobs for images, child manifests for indexes), as far as the record's budget goes */
  references: string[];
  /** child platforms of an index, as far as the record's budget goes */
  platforms?: Array<{ digest: string; mediaType: string; platform?: OciPlatform }>;
  /**
   * Some details did not fit the record's budget (manifestRecord in manifests.ts): references, platforms or
   * a type string; the manifest blob has them all.
   */
  clipped?: boolean;
}

/** `tags` table, key `IMAGE:TAG`. */
export interface TagRecord {
  digest: string;
  updateTime: string;
  /** remote repositories: when the tag was last fetched or revalidated from the upstream (its TTL runs from here) */
  fetchTime?: string;
}

/** `images` table, key IMAGE: the Artifact Registry package. */
export interface ImageRecord {
  createTime: string;
  updateTime: string;
}

/** `referrers` table, key `IMAGE@SUBJECT_DIGEST`: digests of manifests whose subject it is. */
export type ReferrerList = string[];

export const T = { blobs: 'blobs', manifests: 'manifests', tags: 'tags', images: 'images', referrers: 'referrers' } as const;

export const blobKey = (image: string, digest: string) => `${image}@${digest}`;
export const manifestKey = blobKey;
export const tagKey = (image: string, tag: string) => `${image}:${tag}`;

/** Images are packages, manifests versions (id = digest), tags tags: what the content layer indexes. */
export const DOCKER_CONTENT: ContentSchema = {
  versions: { table: T.manifests, parse: (key) => splitAt(key, key.lastIndexOf('@')) },
  tags: {
    table: T.tags,
    parse: (key) => {
      const at = splitAt(key, key.lastIndexOf(':'));
      return at && { pkg: at.pkg, tag: at.version };
    },
    versionOf: (value) => (value as TagRecord | undefined)?.digest,
  },
};

// A digest holds ':' (sha256:…) but no '@'; a tag holds neither; an image name holds neither.
function splitAt(key: string, i: number): { pkg: string; version: string } | undefined {
  return i > 0 ? { pkg: key.slice(0, i), version: key.slice(i + 1) } : undefined;
}

export type { OciDescriptor };
