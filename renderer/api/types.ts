// Control-plane wire shapes the dashboard reads that emulator/control/dto.ts does not declare yet. Kept as
// plain types: the renderer may not import emulator/ at run time.
export type { EmulatorInfo, HealthResponse, ListRepositoriesResponse, RepositoryResource, VirtualWarningsResponse } from '../../emulator/control/dto.js';

/** GET /_emulator/settings/TOOL: what `ar-emulator print-settings TOOL` prints (emulator/settings). */
export interface SettingsSnippet {
  tool: string;
  text: string;
  notes: string[];
}

export interface PackageResource {
  name: string;
  displayName?: string;
  createTime?: string;
  updateTime?: string;
}

export interface TagResource {
  name: string;
  version: string;
}

export interface VersionResource {
  name: string;
  createTime?: string;
  updateTime?: string;
  relatedTags?: TagResource[];
  metadata?: { imageSizeBytes?: string; mediaType?: string; name?: string };
}

export interface DockerImageResource {
  name: string;
  uri: string;
  tags?: string[];
  imageSizeBytes?: string;
  uploadTime?: string;
  mediaType?: string;
}

export interface PolicyBinding {
  role: string;
  members: string[];
  condition?: { expression: string; title?: string };
}

export interface PolicyResource {
  version?: number;
  bindings?: PolicyBinding[];
  etag: string;
}

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
  artifactType?: string;
}

/** An image manifest or an index / manifest list (the fields the image view shows). */
export interface OciManifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config?: OciDescriptor;
  layers?: OciDescriptor[];
  manifests?: OciDescriptor[];
  subject?: OciDescriptor;
  annotations?: Record<string, string>;
}

export interface OciImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  config?: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[] };
  history?: Array<{ created_by?: string; empty_layer?: boolean }>;
}

/** One event of GET /_emulator/events, read generically so new event types show without a release. */
export interface FeedEvent {
  id: number;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

/** GET /_emulator/clock (and the clock.changed event): the emulator's time and how far it is from real time. */
export interface ClockResponse {
  now: string;
  offsetSeconds: number;
}

/** POST /_emulator/cleanup:run, and the cleanup.completed event's data. */
export interface CleanupReport {
  repository: string;
  dryRun: boolean;
  deleted: Array<{ package: string; version: string; policy: string }>;
  keptCount: number;
}

/** GET /_emulator/cleanup/last?repository=: the latest run with its emulator time, or `{}` when none ran. */
export type LastCleanup = (CleanupReport & { time: string }) | Record<string, never>;

/** An upstream fault of a remote repository (GET /_emulator/faults). */
export interface UpstreamFault {
  repository: string;
  mode: 'down' | 'slow' | 'status';
  status?: number;
  delayMs?: number;
  /** emulator time it ends; absent: until cleared */
  until?: string;
}

/** GET /_emulator/offline */
export interface OfflineState {
  global: boolean;
  repositories: string[];
}
