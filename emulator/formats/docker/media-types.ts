// Media types of the Docker and OCI manifest formats.
// https://github.com/opencontainers/image-spec/blob/main/media-types.md
// https://distribution.github.io/distribution/spec/manifest-v2-2/

export const DOCKER_MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST_V1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_MANIFEST_V1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

export type ManifestKind = 'image' | 'index';

export const MANIFEST_KINDS: Record<string, ManifestKind> = {
  [DOCKER_MANIFEST_V2]: 'image',
  [OCI_MANIFEST]: 'image',
  [DOCKER_MANIFEST_LIST]: 'index',
  [OCI_INDEX]: 'index',
};

export const SCHEMA1_TYPES = new Set([DOCKER_MANIFEST_V1, DOCKER_MANIFEST_V1_SIGNED]);

/** Layer media types whose blobs may live elsewhere (descriptor `urls`), so they need not be pushed. */
export function isNonDistributable(mediaType: string): boolean {
  return mediaType.includes('.foreign.') || mediaType.includes('nondistributable');
}

/** The maximum manifest size the registry accepts (OCI distribution-spec suggests at least 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
