// What a format plugs into the control plane's Google media upload protocol (emulator/control/upload/): one
// `/upload/v1/{parent}/<kind>:create` method. The protocol (media, multipart, resumable) streams the bytes to the
// blob store; the kind checks the metadata first and links the stored blob into its tables at the end.
import type { RepositoryRef } from './names.js';

/** The stored bytes of an upload, as the ingest path computed them. */
export interface UploadedBlob {
  /** content address, `sha256:<hex>` */
  digest: string;
  size: number;
  /** lower-case hex digests by algorithm (sha256 and md5 at least) */
  digests: Partial<Record<string, string>>;
}

export interface PreparedUpload {
  /** the most bytes accepted */
  maxBytes: number;
  /**
   * Links the stored blob into the format's metadata (under the blob store's hold) and answers the operation's
   * response (an `Upload…Response` message without `@type`). ALREADY_EXISTS etc. leave nothing stored.
   */
  commit(blob: UploadedBlob): Promise<Record<string, unknown>>;
}

export interface UploadKind {
  /** the collection of the method, `genericArtifacts` (`goModules`, `aptArtifacts`, … later) */
  kind: string;
  /** the operation response's proto type, `UploadGenericArtifactResponse` */
  responseType: string;
  /** the operation's metadata proto type, `UploadGenericArtifactMetadata` */
  metadataType: string;
  /**
   * Checks the request's metadata (the JSON part, the resumable session's body, or the query parameters of a
   * media upload) against the repository: INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION or ALREADY_EXISTS
   * before any byte is read. Called again at the end of a resumable upload.
   */
  prepare(repo: RepositoryRef, metadata: Record<string, unknown>): PreparedUpload;
  /** Metadata of a `uploadType=media` upload, from the query (undefined: the method needs a JSON part). */
  metadataFromQuery?(query: Record<string, string | undefined>): Record<string, unknown> | undefined;
}
