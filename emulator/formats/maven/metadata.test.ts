import { describe, expect, it } from 'vitest';
import { artifactMetadataXml, checkMetadataBody, lastUpdatedOf, parseArtifactMetadata, versionMetadataXml } from './metadata.js';

describe('artifact metadata', () => {
  it('lists versions in deploy order, latest the last, release the last non-SNAPSHOT, and parses back', () => {
    const xml = artifactMetadataXml({ groupId: 'com.x', artifactId: 'lib', versions: ['1.0', '1.1', '2.0-SNAPSHOT'], lastUpdated: '20260101120000' }).toString();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<latest>2.0-SNAPSHOT</latest>');
    expect(xml).toContain('<release>1.1</release>');
    expect(parseArtifactMetadata(xml)).toEqual({ versions: ['1.0', '1.1', '2.0-SNAPSHOT'], lastUpdated: '20260101120000' });
  });

  it('refuses what is not well-formed metadata', () => {
    expect(() => checkMetadataBody(Buffer.from('<metadata><versioning>'))).toThrow(/well-formed/);
    expect(() => checkMetadataBody(Buffer.from('<project/>'))).toThrow(/<metadata>/);
  });

  it('formats lastUpdated as Maven does', () => {
    expect(lastUpdatedOf('2026-11-22T17:50:27.123Z')).toBe('20261122175027');
  });
});

describe('version metadata', () => {
  it('gives the newest timestamp and build number and the newest file of each classifier and extension', () => {
    const xml = versionMetadataXml('com.x', 'lib', '2.1.0-SNAPSHOT', [
      { filename: 'lib-2.1.0-20261122.175027-1.jar', updated: '20261122175027' },
      { filename: 'lib-2.1.0-20261122.175027-1.pom', updated: '20261122175027' },
      { filename: 'lib-2.1.0-20261123.080000-2.jar', updated: '20261123080000' },
      { filename: 'lib-2.1.0-20261123.080000-2-sources.jar', updated: '20261123080000' },
    ])!.toString();
    expect(xml).toContain('<timestamp>20261123.080000</timestamp>');
    expect(xml).toContain('<buildNumber>2</buildNumber>');
    expect(xml).toContain('<lastUpdated>20261123080000</lastUpdated>');
    expect(xml).toMatch(/<extension>jar<\/extension>\s*<value>2\.1\.0-20261123\.080000-2<\/value>/);
    expect(xml).toMatch(/<extension>pom<\/extension>\s*<value>2\.1\.0-20261122\.175027-1<\/value>/);
    expect(xml).toMatch(/<classifier>sources<\/classifier>\s*<extension>jar<\/extension>/);
    expect(xml).toContain('modelVersion="1.1.0"');
  });

  it('is undefined for a version without files', () => {
    expect(versionMetadataXml('com.x', 'lib', '1.0-SNAPSHOT', [])).toBeUndefined();
  });
});
