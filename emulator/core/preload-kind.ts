// What a format offers the config file's `preload:` list (docs/config.md) when it has no `…:create` upload method:
// a local file (or, for an OCI layout, a directory) taken in through the format's own publish path, with the same
// checks a client's publish gets. Knows nothing of HTTP.
import type { RepositoryRef } from './names.js';

export interface PreloadKind {
  /** the repository format it serves (`NPM`, `PYTHON`, `MAVEN`, `DOCKER`) */
  format: string;
  /** a directory is accepted too (an OCI image layout) */
  directories?: boolean;
  /**
   * Publishes `path` into the repository; `metadata` holds the entry's other fields (`image`, `tag`, `groupId`, …).
   * Answers `exists` when the same artifact is already there (applying again uploads nothing twice); throws an
   * EmulatorError with a clear message for a file the format refuses, leaving nothing half-stored.
   */
  preload(ref: RepositoryRef, path: string, metadata: Record<string, string>): Promise<'created' | 'exists'>;
}
