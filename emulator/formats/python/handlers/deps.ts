// What the Python handlers are built from (wired in ../index.ts).
import type { DownloadRules } from '../../../core/download-rules.js';
import type { Clock } from '../../../core/clock.js';
import type { EventBus } from '../../../core/events.js';
import type { RepositoryRef } from '../../../core/names.js';
import type { AppContext, RouteParams } from '../../../http/context.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import type { BlobIngest } from '../../../storage/ingest.js';
import type { PythonPackages } from '../service/packages.js';
import type { PythonRemote } from '../service/remote.js';
import type { PythonVirtual } from '../service/virtual.js';

export interface PythonDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  packages: PythonPackages;
  ingest: BlobIngest;
  blobs: BlobStore;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  /** the largest distribution file accepted */
  maxFileBytes: number;
  /** remote repositories' read-through (absent: REMOTE repositories serve only their cache) */
  remote?: PythonRemote;
  virtual: PythonVirtual;
}

/** The repository a `/PROJECT/REPO/…` route names (dispatch resolved its location). */
export function refOf(params: RouteParams, ctx: AppContext, defaultLocation: string): RepositoryRef {
  return { project: params.project ?? '', location: ctx.state.hostLocation ?? defaultLocation, repository: params.repository ?? '' };
}
