// The occurrence filter (spec ar-fidelity §6.2): the strings gcloud sends, copied from the spec, and the refusals.
import { describe, expect, it } from 'vitest';
import { parseOccurrenceFilter, pinnedResource, resourceValues, type FilterSubject } from './filter.js';

const IMG = 'https://us-central1-docker.pkg.dev/p/r/img@sha256:' + 'a'.repeat(64);
const OTHER = 'https://us-central1-docker.pkg.dev/p/other/img@sha256:' + 'b'.repeat(64);
const vuln = (resourceUri: string): FilterSubject => ({ kind: 'VULNERABILITY', resourceUri, noteName: 'projects/goog-vulnz/notes/CVE-2023-1234' });
const disc = (resourceUri: string): FilterSubject => ({ kind: 'DISCOVERY', resourceUri, noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY' });
const ALL = [vuln(IMG), disc(IMG), vuln(OTHER), disc(OTHER)];
const matching = (filter: string) => ALL.filter(parseOccurrenceFilter(filter));

describe('parseOccurrenceFilter', () => {
  it('takes gcloud artifacts vulnerabilities list', () => {
    expect(matching(`((kind = "VULNERABILITY")) AND ((resourceUrl = "${IMG}"))`)).toEqual([vuln(IMG)]);
    expect(matching(`(noteId = "PACKAGE_VULNERABILITY") AND (kind = "DISCOVERY") AND (resourceUrl = "${IMG}")`)).toEqual([disc(IMG)]);
  });

  it('takes docker images list --show-occurrences (has_prefix, OR of kinds) and chunked resource lists', () => {
    expect(matching('has_prefix(resourceUrl, "https://us-central1-docker.pkg.dev/p/r/") AND (kind = "BUILD" OR kind = "IMAGE" OR kind = "DISCOVERY" OR kind = "SBOM_REFERENCE")')).toEqual([disc(IMG)]);
    expect(matching(`(resourceUrl = "${IMG}" OR resourceUrl = "${OTHER}") AND kind = "DISCOVERY"`)).toEqual([disc(IMG), disc(OTHER)]);
  });

  it('matches resourceUrl against any name of the resource (the host-swapped one the dockerImages API gives out)', () => {
    const swapped = 'localhost:8088/p/r/img@sha256:' + 'a'.repeat(64);
    const subject = { ...disc(IMG), resourceAliases: [`https://${swapped}`, swapped] };
    const gcloud = `((has_prefix(resourceUrl, "https://us-central1-docker.pkg.dev/p/r") OR has_prefix(resourceUrl, "us-central1-docker.pkg.dev/p/r")) AND (kind="DISCOVERY")) AND ((resourceUrl = "${swapped}") OR (resourceUrl = "https://${swapped}"))`;
    expect(parseOccurrenceFilter(gcloud)(subject)).toBe(true);
    expect(parseOccurrenceFilter(gcloud)(disc(IMG))).toBe(false);
    expect(parseOccurrenceFilter(`resourceUrl != "${swapped}"`)(subject)).toBe(false);
    expect(resourceValues(gcloud)).toEqual([swapped, `https://${swapped}`]);
  });

  it('knows noteProjectId, bare values, NOT, juxtaposition as AND, and an empty filter', () => {
    expect(matching('noteProjectId = "goog-vulnz"')).toEqual([vuln(IMG), vuln(OTHER)]);
    expect(matching('kind = DISCOVERY NOT has_prefix(resourceUrl, "https://us-central1-docker.pkg.dev/p/r/")')).toEqual([disc(OTHER)]);
    expect(matching('')).toEqual(ALL);
    expect(matching('kind != "DISCOVERY"')).toEqual([vuln(IMG), vuln(OTHER)]);
  });

  it.each([
    ['kind =', /expected a value/],
    ['(kind = "A"', /expected "\)"/],
    ['severity = "HIGH"', /unknown field "severity"/],
    ['has_suffix(resourceUrl, "x")', /unknown function "has_suffix"/],
    ['kind = "A" AND AND', /expected a value|expected a field/],
    ['kind = "unterminated', /unterminated string/],
    ['kind = "A")', /unexpected "\)"/],
  ])('refuses %s with INVALID_ARGUMENT', (filter, why) => {
    expect(() => parseOccurrenceFilter(filter)).toThrow(why);
    try {
      parseOccurrenceFilter(filter);
    } catch (err) {
      expect((err as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('pinnedResource', () => {
  it('names the resource an AND-only filter pins, and none when OR or NOT could widen it', () => {
    expect(pinnedResource(`((kind = "VULNERABILITY")) AND ((resourceUrl = "${IMG}"))`)).toBe(IMG);
    expect(pinnedResource(`resourceUrl = "${IMG}" OR resourceUrl = "${OTHER}"`)).toBeUndefined();
    expect(pinnedResource(`NOT resourceUrl = "${IMG}"`)).toBeUndefined();
    expect(pinnedResource('has_prefix(resourceUrl, "https://")')).toBeUndefined();
  });
});
