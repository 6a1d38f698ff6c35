// Container Analysis (Grafeas v1) wire shapes the dashboard reads: occurrences as GET /v1/projects/P/occurrences
// answers them (emulator/scanning/occurrences.ts writes them), and POST /_emulator/scans' answer. Plain types only.

export interface GrafeasVersion {
  name?: string;
  revision?: string;
  epoch?: number;
  kind?: 'NORMAL' | 'MINIMUM' | 'MAXIMUM' | string;
  fullName?: string;
}

export interface PackageIssue {
  affectedPackage?: string;
  affectedVersion?: GrafeasVersion;
  fixedPackage?: string;
  fixedVersion?: GrafeasVersion;
  fixAvailable?: boolean;
  packageType?: string;
  effectiveSeverity?: string;
  fileLocation?: Array<{ filePath?: string }>;
}

export interface Occurrence {
  name: string;
  resourceUri: string;
  noteName: string;
  kind: 'VULNERABILITY' | 'DISCOVERY' | string;
  createTime?: string;
  updateTime?: string;
  vulnerability?: {
    severity?: string;
    effectiveSeverity?: string;
    cvssScore?: number;
    fixAvailable?: boolean;
    shortDescription?: string;
    longDescription?: string;
    packageIssue?: PackageIssue[];
  };
  discovery?: {
    analysisStatus?: string;
    analysisStatusError?: { code?: number; message?: string };
    analysisError?: Array<{ code?: number; message?: string }>;
    lastScanTime?: string;
  };
}

export interface ListOccurrencesResponse {
  occurrences?: Occurrence[];
  nextPageToken?: string;
}

/** POST /_emulator/scans */
export interface ScanResponse {
  resourceUri: string;
  status: string;
  counts: Record<string, number>;
  total: number;
  fixable: number;
  worst?: string;
  reason?: string;
}
