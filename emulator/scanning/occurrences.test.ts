// Occurrence shapes (spec §6.3): Grafeas versions, resource URIs, stable ids, the byte budget of one scan.
import { describe, expect, it } from 'vitest';
import type { Finding } from './match.js';
import { grafeasVersion, imageResourceUri, occurrenceId, osCpe, parseImageResourceUri, vulnerabilityOccurrences } from './occurrences.js';

const URI = imageResourceUri({ project: 'p', location: 'europe-west1', repository: 'r' }, 'team/app', `sha256:${'c'.repeat(64)}`);

describe('occurrence shapes', () => {
  it('splits OS versions into epoch, name and revision, and keeps language versions whole', () => {
    expect(grafeasVersion('3.0.11-1~deb12u1', 'OS')).toEqual({ name: '3.0.11', revision: '1~deb12u1', kind: 'NORMAL', fullName: '3.0.11-1~deb12u1' });
    expect(grafeasVersion('1:2.38.1-5+deb12u1', 'OS')).toEqual({ epoch: 1, name: '2.38.1', revision: '5+deb12u1', kind: 'NORMAL', fullName: '1:2.38.1-5+deb12u1' });
    expect(grafeasVersion('3.1.4-r0', 'OS')).toEqual({ name: '3.1.4', revision: 'r0', kind: 'NORMAL', fullName: '3.1.4-r0' });
    expect(grafeasVersion('1.2.3-beta.1', 'NPM')).toEqual({ name: '1.2.3-beta.1', kind: 'NORMAL', fullName: '1.2.3-beta.1' });
  });

  it('names images in the real form and parses it back', () => {
    expect(URI).toBe(`https://europe-west1-docker.pkg.dev/p/r/team/app@sha256:${'c'.repeat(64)}`);
    expect(parseImageResourceUri(URI)).toEqual({ location: 'europe-west1', project: 'p', repository: 'r', image: 'team/app', digest: `sha256:${'c'.repeat(64)}` });
    expect(parseImageResourceUri('https://gcr.io/p/app@sha256:x')).toBeUndefined();
  });

  it('derives UUID-shaped ids from (image, advisory)', () => {
    expect(occurrenceId(URI, 'GHSA-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(occurrenceId(URI, 'GHSA-1')).toBe(occurrenceId(URI, 'GHSA-1'));
    expect(occurrenceId(URI, 'GHSA-1')).not.toBe(occurrenceId(URI, 'GHSA-2'));
  });

  it('knows the CPEs of the OS families it names', () => {
    expect(osCpe({ id: 'debian', versionId: '12' })).toBe('cpe:/o:debian:debian_linux:12');
    expect(osCpe({ id: 'alpine', versionId: '3.18.4' })).toBe('cpe:/o:alpine:alpine_linux:3.18');
    expect(osCpe({ id: 'distroless' })).toBeUndefined();
  });

  it('groups findings by advisory, marks no fix as MAXIMUM, and keeps a scan under its byte budget, worst first', () => {
    const finding = (id: string, severity: Finding['severity'], fixed?: string): Finding => ({
      id, aliases: [], summary: 'x'.repeat(3000), severity, package: { ecosystem: 'npm', name: 'pkg' }, version: '1.0.0',
      affectedRange: { type: 'SEMVER', introduced: '0' }, ...(fixed ? { fixedVersion: fixed } : {}),
    });
    const pkg = (filePath: string) => ({ ecosystem: 'npm', name: 'pkg', version: '1.0.0', packageType: 'NPM' as const, filePath });
    const small = vulnerabilityOccurrences('p', URI, { packages: [], warnings: [] }, [
      { pkg: pkg('/a/package-lock.json'), findings: [finding('GHSA-a', 'LOW')] },
      { pkg: pkg('/b/package-lock.json'), findings: [finding('GHSA-a', 'LOW')] },
    ], '2026-01-01T00:00:00Z', () => undefined);
    expect(small.occurrences).toHaveLength(1);
    expect(small.occurrences[0]!.vulnerability!.packageIssue.map((i) => i.fileLocation[0]!.filePath)).toEqual(['/a/package-lock.json', '/b/package-lock.json']);
    expect(small.occurrences[0]!.vulnerability!.packageIssue[0]!.fixedVersion).toEqual({ kind: 'MAXIMUM' });
    expect(small.occurrences[0]!.vulnerability!.fixAvailable).toBe(false);
    const many = Array.from({ length: 5000 }, (_, i) => ({ pkg: pkg('/app/package-lock.json'), findings: [finding(`GHSA-${i}`, i === 4999 ? 'CRITICAL' : 'LOW', '2.0.0')] }));
    const big = vulnerabilityOccurrences('p', URI, { packages: [], warnings: [] }, many, '2026-01-01T00:00:00Z', () => undefined);
    expect(big.dropped).toBeGreaterThan(0);
    expect(big.occurrences.length + big.dropped).toBe(5000);
    expect(big.occurrences[0]!.vulnerability!.severity).toBe('CRITICAL');
    expect(big.occurrences.reduce((n, o) => n + JSON.stringify(o).length, 0)).toBeLessThanOrEqual(12 << 20);
  });
});
