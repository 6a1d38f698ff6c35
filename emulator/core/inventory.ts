// What a format tells the rest of the emulator about its artifacts, in Artifact Registry's terms:
// packages, versions, tags and files (the control plane lists and edits them; scanning reads them). A
// format implements it over its own metadata; nobody else knows the format's tables (zot's Lint pattern).
import type { ImageReader } from './image-reader.js';
import type { RepositoryRef } from './names.js';
import type { RepositoryFormat } from './repository.js';
import type { AttestationWriter } from './pull-policy.js';

export interface PackageInfo {
  /** the package id as clients know it (a Docker image name may contain `/`) */
  id: string;
  createTime: string;
  updateTime: string;
  annotations?: Record<string, string>;
}

export interface VersionInfo {
  /** the version id (a manifest digest for Docker) */
  id: string;
  createTime: string;
  updateTime: string;
  description?: string;
  /** tag ids pointing at this version */
  tags: string[];
  /** format metadata shown in the FULL view (a google.protobuf.Struct) */
  metadata?: Record<string, unknown>;
  annotations?: Record<string, string>;
}

export interface TagInfo {
  id: string;
  /** version id */
  version: string;
}

export interface FileInfo {
  /** file id, unescaped (for Docker the blob digest) */
  id: string;
  sizeBytes: number;
  /** hex-encoded digests by algorithm */
  hashes: Array<{ type: 'SHA256' | 'MD5'; hex: string }>;
  createTime: string;
  updateTime: string;
  /** the package and, when known, version the file belongs to */
  owner: { package: string; version?: string };
  /** remote repositories: when the file was fetched from the upstream (File.fetchTime) */
  fetchTime?: string;
  /**
   * Where the format serves the file, relative to the repository's `registryUri` (Python: `packages/NAME/FILE`);
   * the control plane builds download URIs from it (PythonPackage.uri). Absent: `PACKAGE/FILE`, as in artifact.proto.
   */
  path?: string;
}

export interface DockerImageInfo {
  /** `IMAGE@sha256:…` */
  id: string;
  image: string;
  digest: string;
  tags: string[];
  imageSizeBytes: number;
  uploadTime: string;
  updateTime: string;
  /** the image config's `created` (an index: its newest child's); absent when unknown */
  buildTime?: string;
  mediaType: string;
  artifactType?: string;
  imageManifests?: Array<{ digest: string; mediaType: string; architecture?: string; os?: string; variant?: string; osVersion?: string; osFeatures?: string[] }>;
}

export interface ArtifactInventory {
  readonly format: RepositoryFormat;
  listPackages(repo: RepositoryRef): PackageInfo[];
  getPackage(repo: RepositoryRef, pkg: string): PackageInfo | undefined;
  /** Deletes every version and tag of the package. NOT_FOUND if absent. */
  deletePackage(repo: RepositoryRef, pkg: string): Promise<void>;
  /**
   * Versions in createTime order, each built only when called: a page of 1,000 out of 20,000 versions
   * builds 1,000 (issue 9).
   */
  listVersions(repo: RepositoryRef, pkg: string): Array<() => VersionInfo>;
  getVersion(repo: RepositoryRef, pkg: string, version: string): VersionInfo | undefined;
  /** FAILED_PRECONDITION when the version is tagged and `force` is false; with force its tags go too. */
  deleteVersion(repo: RepositoryRef, pkg: string, version: string, force: boolean): Promise<void>;
  /** Tags of the package in code-unit order (O(tags), never a whole-table scan). */
  listTags(repo: RepositoryRef, pkg: string): TagInfo[];
  getTag(repo: RepositoryRef, pkg: string, tag: string): TagInfo | undefined;
  /** Creates or moves a tag to an existing version. */
  setTag(repo: RepositoryRef, pkg: string, tag: string, version: string): Promise<TagInfo>;
  deleteTag(repo: RepositoryRef, pkg: string, tag: string): Promise<void>;
  listFiles(repo: RepositoryRef): FileInfo[];
  getFile(repo: RepositoryRef, file: string): FileInfo | undefined;
  /** The file's bytes. */
  openFile(repo: RepositoryRef, file: string): Promise<AsyncIterable<Uint8Array>>;
  /** Formats whose files can be deleted one by one (GENERIC, files.delete); absent: FAILED_PRECONDITION. */
  deleteFile?(repo: RepositoryRef, file: string): Promise<void>;
  /** Bytes [start, end] of the file, read from there (formats without it: the whole stream is cut). */
  openFileRange?(repo: RepositoryRef, file: string, span: { start: number; end: number }): Promise<AsyncIterable<Uint8Array>>;
  /** Total bytes stored for the repository (Repository.sizeBytes). */
  sizeBytes(repo: RepositoryRef): number;
  /** Docker only: the dockerImages view. */
  listDockerImages?(repo: RepositoryRef): DockerImageInfo[];
  /** Formats that store container images: their layers, for vulnerability scanning (core/image-reader.ts). */
  readonly images?: ImageReader;
  /** Formats that store container images: attestations attached as OCI referrers (core/pull-policy.ts, docs/deploy-policy.md). */
  readonly attestations?: AttestationWriter;
  /** Formats that store container images: OCI referrers (artifact manifests with a subject), which are attachments (control/attachments-api.ts). */
  readonly referrers?: OciReferrers;
}

/**
 * The OCI annotation an attachment's `attachmentNamespace` travels in on its referrer manifest (the emulator's own key
 * [U]: the real service's is not published), so attachments written by scanning (SBOMs) and by CreateAttachment read
 * back with their namespace from `/v2/…/referrers/` alone.
 */
export const ATTACHMENT_NAMESPACE_ANNOTATION = 'dev.ar-emulator.attachment.namespace';

/** One OCI referrer stored in a repository: an artifact manifest whose `subject` is another manifest of the same image. */
export interface ReferrerInfo {
  image: string;
  digest: string;
  subject: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** the layers' digests (the attachment's files) */
  layers: string[];
  createTime: string;
}

export interface OciReferrers {
  /** Every referrer in the repository (each image's manifests that carry a subject). */
  list(repo: RepositoryRef): Promise<ReferrerInfo[]>;
  /**
   * Writes an artifact manifest of `artifactType` (empty config) whose layers are blobs already in the repository
   * and whose subject is IMAGE@subject; answers its digest.
   */
  attach(repo: RepositoryRef, image: string, subject: string, artifact: { artifactType: string; layers: string[]; annotations: Record<string, string> }): Promise<string>;
}
