// OSV validation: what is accepted, what is refused and the reason given, what is ignored (no ecosystem the
// database matches), trimming, and the severity derived at import.
import { describe, expect, it } from 'vitest';
import { LIMITS, toStored, validateOsv } from './osv.js';
import { cvssBaseScore, severityOf } from './severity.js';

const base = (over: Record<string, unknown> = {}) => ({
  id: 'GHSA-test-0001-0001',
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }] }],
  ...over,
});

const reason = (doc: unknown) => {
  const v = validateOsv(doc);
  return v.ok ? 'ok' : v.reason;
};

describe('validateOsv', () => {
  it('accepts a well-formed advisory and names its ecosystems', () => {
    const v = validateOsv(base());
    expect(v.ok && v.ecosystems).toEqual(['npm']);
  });

  it.each([
    ['not an object', [], /^document: an OSV advisory is a JSON object, not an array/],
    ['no id', { modified: '2024-01-01T00:00:00Z' }, /^id: must be a string/],
    ['a bad id', base({ id: '../etc/passwd' }), /^id: "\.\.\/etc\/passwd" is not an advisory id/],
    ['no modified', base({ modified: undefined }), /^modified: must be a string/],
    ['a modified that is no time', base({ modified: 'yesterday' }), /^modified: "yesterday" is not an RFC 3339 time/],
    ['aliases not strings', base({ aliases: [1] }), /^aliases\[0\]: must be a string, not number/],
    ['an unknown severity type', base({ severity: [{ type: 'CVSS_V9', score: 'x' }] }), /^severity\[0\]\.type: "CVSS_V9" is not CVSS_V2/],
    ['a range type', base({ affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'RANGE', events: [{ introduced: '0' }] }] }] }), /^affected\[0\]\.ranges\[0\]\.type: "RANGE" is not SEMVER, ECOSYSTEM or GIT/],
    ['empty events', base({ affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'ECOSYSTEM', events: [] }] }] }), /events: must be a non-empty array/],
    ['an event with two keys', base({ affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1.0.0' }] }] }] }), /events\[0\]: must hold exactly one of/],
    ['no introduced', base({ affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: '1.0.0' }] }] }] }), /must hold at least one "introduced" event/],
    ['fixed and last_affected', base({ affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0' }, { last_affected: '0.9.0' }] }] }] }), /not both/],
    ['a version of another scheme', base({ affected: [{ package: { ecosystem: 'Alpine:v3.18', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0bc' }] }] }] }), /events\[1\]\.fixed: "1\.0bc" is not a Alpine version/],
    ['a Debian version without a leading digit', base({ affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: 'foo5.2' }] }] }] }), /is not a Debian version/],
    ['a GIT range without repo', base({ affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }] }] }] }), /repo: is required for a GIT range/],
  ])('refuses %s, saying why', (_what, doc, want) => {
    expect(reason(doc)).toMatch(want);
  });

  it('ignores (does not reject) an advisory with no package in a matched ecosystem', () => {
    const v = validateOsv(base({ affected: [{ package: { ecosystem: 'crates.io', name: 'serde' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] }));
    expect(v.ok).toBe(false);
    expect(!v.ok && v.ignored).toBe(true);
    expect(!v.ok && v.reason).toContain('"crates.io"');
  });

  it('keeps unsupported entries next to supported ones, and GIT ranges unchecked', () => {
    const v = validateOsv(base({ affected: [
      { package: { ecosystem: 'purl-type:swift', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: 'whatever' }] }] },
      { package: { ecosystem: 'Go', name: 'golang.org/x/net' }, ranges: [{ type: 'GIT', repo: 'https://go.googlesource.com/net', events: [{ introduced: '0' }, { fixed: 'abcdef' }] }, { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.17.0' }] }] },
    ] }));
    expect(v.ok && v.ecosystems).toEqual(['Go']);
  });

  it('cuts long details and many references, and refuses what stays over the record cap', () => {
    const v = validateOsv(base({ details: 'x'.repeat(LIMITS.detailsChars + 10), references: Array.from({ length: 500 }, (_, i) => ({ type: 'WEB', url: `https://example.com/${i}` })) }));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.advisory.details).toHaveLength(LIMITS.detailsChars + 1);
    expect(v.advisory.references).toHaveLength(LIMITS.references);
    const huge = validateOsv(base({ affected: [{ package: { ecosystem: 'npm', name: 'a' }, versions: Array.from({ length: 90_000 }, (_, i) => `1.0.${i}`) }] }));
    expect(huge.ok).toBe(true);
    if (!huge.ok) return;
    const stored = toStored(huge.advisory, huge.ecosystems, '2024-01-01T00:00:00Z');
    expect('problem' in stored && stored.problem).toMatch(/bytes even with details cut .* at most 1000000 bytes per advisory/);
  });
});

describe('severity', () => {
  it('computes CVSS base scores (3.1, 3.0, 2.0, 4.0) and refuses incomplete vectors', () => {
    expect(cvssBaseScore('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')).toEqual({ score: 10, version: 'CVSS_VERSION_3' });
    expect(cvssBaseScore('CVSS_V3', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N')).toEqual({ score: 6.1, version: 'CVSS_VERSION_3' });
    expect(cvssBaseScore('CVSS_V2', 'AV:N/AC:L/Au:N/C:P/I:P/A:P')).toEqual({ score: 7.5, version: 'CVSS_VERSION_2' });
    expect(cvssBaseScore('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toEqual({ score: 9.3, version: 'CVSS_VERSION_4' });
    expect(cvssBaseScore('CVSS_V3', 'CVSS:3.1/AV:N')).toHaveProperty('problem');
    expect(cvssBaseScore('CVSS_V3', 'CVSS:3.1/AV:Q/AC:L')).toHaveProperty('problem');
  });
  it('labels from database_specific (GitHub MODERATE is MEDIUM), else the score, else MAL- ids are CRITICAL', () => {
    expect(severityOf({ id: 'GHSA-x', databaseSpecificSeverity: 'MODERATE', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }] }))
      .toEqual({ severity: 'MEDIUM', cvssScore: 10, cvssVersion: 'CVSS_VERSION_3', cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' });
    expect(severityOf({ id: 'CVE-1', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }] }).severity).toBe('HIGH');
    expect(severityOf({ id: 'MAL-2022-1' }).severity).toBe('CRITICAL');
    expect(severityOf({ id: 'DSA-1-1' }).severity).toBe('SEVERITY_UNSPECIFIED');
  });
});
