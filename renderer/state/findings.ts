// An image's findings as the dashboard shows them: its VULNERABILITY occurrences grouped by severity (worst
// first), one row per package an advisory matched (advisory id, package, installed and fixed version or "no
// fix"), and the scan status of its DISCOVERY occurrence. Pure: the occurrences come from the Container
// Analysis API (renderer/api/control-client.ts listOccurrences).
import type { Occurrence } from '../api/analysis-types.js';

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'MINIMAL'] as const;
/** OSV's Debian and Alpine records carry no severity: such findings are listed last, under this name */
export const UNSPECIFIED = 'UNSPECIFIED';

export interface FindingRow {
  advisory: string;
  severity: string;
  cvssScore?: number;
  package: string;
  packageType?: string;
  installed: string;
  /** the fixed version, or undefined when no fix is known */
  fixed?: string;
  filePath?: string;
}

export interface FindingGroup {
  severity: string;
  rows: FindingRow[];
}

export interface ScanStatus {
  status: string;
  lastScanTime?: string;
  error?: string;
}

/** The resourceUri Artifact Analysis names an image by. */
export function imageResourceUri(project: string, location: string, repository: string, image: string, digest: string): string {
  return `https://${location}-docker.pkg.dev/${project}/${repository}/${image}@${digest}`;
}

/** The filter selecting one image's occurrences (quotes and backslashes escaped). */
export function resourceFilter(resourceUri: string): string {
  return `resourceUrl = "${resourceUri.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function groupFindings(occurrences: Occurrence[]): FindingGroup[] {
  const groups = new Map<string, FindingRow[]>();
  for (const o of occurrences) {
    if (o.kind !== 'VULNERABILITY' || !o.vulnerability) continue;
    const v = o.vulnerability;
    const severity = v.effectiveSeverity ?? v.severity ?? UNSPECIFIED;
    const advisory = v.shortDescription ?? o.noteName.slice(o.noteName.lastIndexOf('/') + 1);
    const issues = v.packageIssue?.length ? v.packageIssue : [{}];
    const rows = groups.get(severity) ?? [];
    for (const p of issues) {
      const fixed = p.fixedVersion && p.fixedVersion.kind !== 'MAXIMUM' ? (p.fixedVersion.fullName ?? p.fixedVersion.name) : undefined;
      rows.push({
        advisory,
        severity,
        ...(v.cvssScore !== undefined ? { cvssScore: v.cvssScore } : {}),
        package: p.affectedPackage ?? '?',
        ...(p.packageType ? { packageType: p.packageType } : {}),
        installed: p.affectedVersion?.fullName ?? p.affectedVersion?.name ?? '?',
        ...(fixed ? { fixed } : {}),
        ...(p.fileLocation?.[0]?.filePath ? { filePath: p.fileLocation[0].filePath } : {}),
      });
    }
    groups.set(severity, rows);
  }
  const order = [...SEVERITIES, UNSPECIFIED] as string[];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return [...groups]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([severity, rows]) => ({ severity, rows: rows.sort((a, b) => (b.cvssScore ?? -1) - (a.cvssScore ?? -1) || a.advisory.localeCompare(b.advisory) || a.package.localeCompare(b.package)) }));
}

/** The image's DISCOVERY occurrence in words, or undefined when it was never scanned. */
export function scanStatus(occurrences: Occurrence[]): ScanStatus | undefined {
  const d = occurrences.find((o) => o.kind === 'DISCOVERY')?.discovery;
  if (!d) return undefined;
  const error = d.analysisStatusError?.message ?? d.analysisError?.map((e) => e.message).filter(Boolean).join('; ');
  return { status: d.analysisStatus ?? 'PENDING', ...(d.lastScanTime ? { lastScanTime: d.lastScanTime } : {}), ...(error ? { error } : {}) };
}

/** `FINISHED_SUCCESS` → `finished`, … for the status pill. */
export function statusLabel(status: string): string {
  const labels: Record<string, string> = {
    PENDING: 'pending', SCANNING: 'scanning', FINISHED_SUCCESS: 'finished', FINISHED_FAILED: 'failed', FINISHED_UNSUPPORTED: 'unsupported',
  };
  return labels[status] ?? status.toLowerCase();
}
