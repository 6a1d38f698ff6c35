// What a format asks before it serves (or, in a remote repository, fetches from upstream) the bytes of a version
// (issue 17, rules: rule.proto's DOWNLOAD operation). content/download-rules.ts implements it over the rules the
// control plane stores in each repository; formats never import the control plane.
import type { RepositoryRef } from './names.js';

export interface DownloadRequest {
  /** the repository the client asked (a virtual or remote one included) */
  repository: RepositoryRef;
  /** the package as the control plane names it (npm `@scope/name`, Maven `group:artifact`, a Docker image path) */
  package: string;
  /** the version id (npm/Python/Maven/Go version, a Docker manifest digest); '' when the request names none */
  version: string;
  /** the tag the client named, when it named one (a Docker tag) */
  tag?: string;
}

export interface DownloadRules {
  /**
   * Returns when the download may go on; throws an EmulatorError PERMISSION_DENIED naming the rule, whose
   * `detail.violation` carries the `policy.violated` event's fields (the error boundary emits it with the caller).
   */
  check(req: DownloadRequest): void;
}

/** No rules anywhere: every download goes on. */
export const ALLOW_ALL_DOWNLOADS: DownloadRules = { check: () => {} };
