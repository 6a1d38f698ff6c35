// An image's occurrences as the image view shows them: grouped by severity worst first, one row per package
// issue with installed and fixed version ("no fix" when the fixed version is MAXIMUM), and the DISCOVERY status.
import { describe, expect, it } from 'vitest';
import type { Occurrence } from '../api/analysis-types.js';
import { groupFindings, imageResourceUri, resourceFilter, scanStatus } from './findings.js';

const URI = imageResourceUri('p', 'us-central1', 'apps', 'team/web', 'sha256:' + 'a'.repeat(64));
const vuln = (id: string, severity: string | undefined, issues: NonNullable<Occurrence['vulnerability']>['packageIssue'], cvssScore?: number): Occurrence => ({
  name: `projects/p/occurrences/${id}`, resourceUri: URI, noteName: `projects/goog-vulnz/notes/${id}`, kind: 'VULNERABILITY',
  vulnerability: { ...(severity ? { severity, effectiveSeverity: severity } : {}), ...(cvssScore ? { cvssScore } : {}), shortDescription: id, packageIssue: issues },
});

describe('findings', () => {
  it('names the image as Artifact Analysis does and filters on it', () => {
    expect(URI).toBe(`https://us-central1-docker.pkg.dev/p/apps/team/web@sha256:${'a'.repeat(64)}`);
    expect(resourceFilter('https://x/"a\\b')).toBe('resourceUrl = "https://x/\\"a\\\\b"');
  });

  it('groups by severity, worst first, with unrated findings last', () => {
    const groups = groupFindings([
      vuln('DSA-5532-1', undefined, [{ affectedPackage: 'openssl', affectedVersion: { fullName: '3.0.11-1~deb12u1' }, fixedVersion: { fullName: '3.0.11-1~deb12u2', kind: 'NORMAL' }, packageType: 'OS' }]),
      vuln('GHSA-low', 'LOW', [{ affectedPackage: 'a', affectedVersion: { fullName: '1' }, fixedVersion: { kind: 'MAXIMUM' } }]),
      vuln('GHSA-crit', 'CRITICAL', [{ affectedPackage: 'b', affectedVersion: { fullName: '2' }, fixedVersion: { fullName: '3', kind: 'NORMAL' } }], 9.8),
      vuln('GHSA-high', 'HIGH', [{ affectedPackage: 'c', affectedVersion: { name: '4' } }, { affectedPackage: 'd', affectedVersion: { fullName: '5' } }]),
      { name: 'projects/p/occurrences/x', resourceUri: URI, noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY', kind: 'DISCOVERY', discovery: { analysisStatus: 'FINISHED_SUCCESS' } },
    ]);
    expect(groups.map((g) => [g.severity, g.rows.length])).toEqual([['CRITICAL', 1], ['HIGH', 2], ['LOW', 1], ['UNSPECIFIED', 1]]);
    expect(groups[0]!.rows[0]).toEqual({ advisory: 'GHSA-crit', severity: 'CRITICAL', cvssScore: 9.8, package: 'b', installed: '2', fixed: '3' });
    expect(groups[2]!.rows[0]!.fixed).toBeUndefined();
    expect(groups[3]!.rows[0]).toMatchObject({ advisory: 'DSA-5532-1', package: 'openssl', installed: '3.0.11-1~deb12u1', fixed: '3.0.11-1~deb12u2', packageType: 'OS' });
  });

  it('reads the scan status, its time and its error from the DISCOVERY occurrence', () => {
    const d = (discovery: Occurrence['discovery']): Occurrence[] => [{ name: 'n', resourceUri: URI, noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY', kind: 'DISCOVERY', discovery }];
    expect(scanStatus([])).toBeUndefined();
    expect(scanStatus(d({ analysisStatus: 'FINISHED_SUCCESS', lastScanTime: '2026-01-01T00:00:00Z' }))).toEqual({ status: 'FINISHED_SUCCESS', lastScanTime: '2026-01-01T00:00:00Z' });
    expect(scanStatus(d({ analysisStatus: 'FINISHED_FAILED', analysisStatusError: { code: 13, message: 'corrupt layer' } }))).toEqual({ status: 'FINISHED_FAILED', error: 'corrupt layer' });
  });
});
