// Wire shapes of the control plane (proto3 JSON mapping: lowerCamelCase, int64 as strings, defaults
// omitted). The renderer may `import type` from here.

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

export interface RepositoryResource {
  name: string;
  format: string | number;
  mode?: string | number;
  description?: string;
  labels?: Record<string, string>;
  createTime: string;
  updateTime: string;
  dockerConfig?: { immutableTags?: boolean };
  registryUri?: string;
  sizeBytes?: string;
  /** CMEK key name given at create; immutable */
  kmsKeyName?: string;
  disallowUnspecifiedMode?: boolean;
  /** scanning on or off (enablementConfig) and its output-only state (docs/scanning.md) */
  vulnerabilityScanningConfig?: {
    enablementConfig?: 'INHERITED' | 'DISABLED';
    lastEnableTime?: string;
    enablementState?: 'SCANNING_ACTIVE' | 'SCANNING_DISABLED' | 'SCANNING_UNSUPPORTED';
    enablementStateReason?: string;
  };
  /** VIRTUAL_REPOSITORY: its members, as stored */
  virtualRepositoryConfig?: { upstreamPolicies?: Array<{ id: string; repository: string; priority: number }> };
}

/** GET /_emulator/warnings?repository=NAME: a virtual repository's dependency-confusion warnings (docs/virtual.md). */
export interface VirtualWarningsResponse {
  warnings: Array<{
    repository: string;
    format: string;
    remote: string;
    remotePriority: number;
    standard: string;
    standardPriority: number;
    /** up to 20 of the standard member's package names */
    packages: string[];
    packageCount: number;
    message: string;
  }>;
}

export interface ListRepositoriesResponse {
  repositories?: RepositoryResource[];
  nextPageToken?: string;
}

export interface OperationResource {
  name: string;
  metadata?: Record<string, unknown>;
  done: boolean;
  response?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export interface HealthResponse {
  status: 'ok';
  version: string;
  uptimeSeconds: number;
  url: string;
}

/** GET /_emulator/info, shown in the dashboard's Settings. */
export interface EmulatorInfo {
  version: string;
  url: string;
  host: string;
  port: number;
  grpcPort?: number;
  dataDir: string;
  defaultProject: string;
  defaultLocation: string;
  /** `open` or `enforce` */
  iamMode: string;
  startedAt: string;
}
