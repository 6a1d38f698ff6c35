// What the Maven handlers are built from (wired in ../index.ts).
import type { DownloadRules } from '../../../core/download-rules.js';
import type { Clock } from '../../../core/clock.js';
import type { EventBus } from '../../../core/events.js';
import type { RepositoryRef } from '../../../core/names.js';
import type { AppContext, RouteParams } from '../../../http/context.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import type { BlobIngest } from '../../../storage/ingest.js';
import type { MavenPackages } from '../service/packages.js';
import type { MavenReads } from '../service/reads.js';

export interface MavenDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  packages: MavenPackages;
  reads: MavenReads;
  ingest: BlobIngest;
  blobs: BlobStore;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  maxFileBytes: number;
}

export function refOf(params: RouteParams, ctx: AppContext, defaultLocation: string): RepositoryRef {
  return { project: params.project ?? '', location: ctx.state.hostLocation ?? defaultLocation, repository: params.repository ?? '' };
}
