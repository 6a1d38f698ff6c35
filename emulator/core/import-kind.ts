// What a format plugs into the control plane's `…/<kind>:import` methods (`aptArtifacts:import`,
// `yumArtifacts:import`; spec ar-fidelity §1.5): the request's `gcsSource.uris` are resolved to local files first
// (storage/gcs-source.ts: `gs://BUCKET/OBJECT` → `<gcsRoot>/BUCKET/OBJECT`, docs/upload-protocol.md), then the kind
// ingests each one like an upload. The operation is returned done, its response the kind's Import…Response.
import type { RepositoryRef } from './names.js';

/** One `gcsSource` URI after resolution: a readable local file, or why it is not one. */
export type ImportSource = { uri: string; path: string; size: number } | { uri: string; error: string };

export interface ImportKind {
  /** the collection of the method, `aptArtifacts` */
  kind: string;
  /** the repository format it imports into (`APT`); FAILED_PRECONDITION for a repository of another format */
  format: string;
  /** the operation response's proto type, `ImportAptArtifactsResponse` */
  responseType: string;
  /** the operation metadata's proto type, `ImportAptArtifactsMetadata` */
  metadataType: string;
  /**
   * Ingests every resolved file (conflicts and bad files are skipped and reported in the response's `errors[]` as
   * `{gcsSource: {uris: [uri]}, error: Status}`) and answers the response without `@type`, e.g.
   * `{aptArtifacts: [...], errors: [...]}`.
   */
  run(repo: RepositoryRef, sources: readonly ImportSource[]): Promise<Record<string, unknown>>;
}
