import { describe, expect, it } from 'vitest';
import { checksumOfBody, classifierOf, parseMavenPath, parseSnapshotFile } from './names.js';

describe('parseMavenPath', () => {
  it('reads GROUP/ARTIFACT/VERSION/FILE with a multi-segment group', () => {
    expect(parseMavenPath('com/google/guava/guava/31.0-jre/guava-31.0-jre.pom')).toEqual({
      kind: 'file', groupId: 'com.google.guava', artifactId: 'guava', version: '31.0-jre', filename: 'guava-31.0-jre.pom', path: 'com/google/guava/guava/31.0-jre/guava-31.0-jre.pom',
    });
  });

  it('tells checksum files and which file they are of', () => {
    expect(parseMavenPath('com/x/lib/1.0/lib-1.0.jar.sha512')).toMatchObject({ kind: 'file', checksum: 'sha512', path: 'com/x/lib/1.0/lib-1.0.jar', filename: 'lib-1.0.jar' });
    expect(parseMavenPath('com/x/lib/maven-metadata.xml.md5')).toMatchObject({ kind: 'artifactMetadata', checksum: 'md5', path: 'com/x/lib/maven-metadata.xml' });
  });

  it('reads metadata under a -SNAPSHOT directory as version metadata, any other as artifact metadata', () => {
    expect(parseMavenPath('com/x/lib/2.1.0-SNAPSHOT/maven-metadata.xml')).toMatchObject({ kind: 'versionMetadata', groupId: 'com.x', artifactId: 'lib', version: '2.1.0-SNAPSHOT' });
    expect(parseMavenPath('com/x/lib/maven-metadata.xml')).toMatchObject({ kind: 'artifactMetadata', groupId: 'com.x', artifactId: 'lib' });
  });

  it('accepts timestamped SNAPSHOT files and classifiers', () => {
    expect(parseMavenPath('com/x/lib/2.1.0-SNAPSHOT/lib-2.1.0-20261122.175027-1-sources.jar')).toMatchObject({ kind: 'file', version: '2.1.0-SNAPSHOT' });
  });

  it.each([
    ['com/../x/1.0/x-1.0.jar', /not allowed/],
    ['com/./x/1.0/x-1.0.jar', /not allowed/],
    ['com//x/1.0/x-1.0.jar', /empty/],
    ['com/x/1.0/x-1.0.jar/', /empty/],
    ['com/x%2fy/1.0/x-1.0.jar', /slash/],
    ['com/x%5cy/1.0/x-1.0.jar', /backslash/],
    ['com/x/1.0/x-1.0.jar%252e', /characters/],
    ['com/x/1.0/y-1.0.jar', /does not belong/],
    ['com/x y/1.0/x-1.0.jar', /characters/],
    ['x/1.0/x-1.0.jar', /GROUP\/ARTIFACT\/VERSION\/FILE/],
    ['com/x/1.0/x-1.0.jar%', /percent-encoding/],
    [`com/${'a'.repeat(300)}/1.0/x.jar`, /longer than 255/],
    [`${'a/'.repeat(70)}x-1.jar`, /too many/],
  ])('refuses %s', (path, why) => {
    expect(() => parseMavenPath(path)).toThrow(why);
  });

  it('decodes percent-escapes once only', () => {
    // %2525 is "%25" after one decoding: a literal % is not a Maven path character
    expect(() => parseMavenPath('com/x/1.0/x-1.0%2525.jar')).toThrow(/characters/);
  });
});

describe('snapshot and classifier names', () => {
  it('splits a timestamped file into timestamp, build number, classifier and extension', () => {
    expect(parseSnapshotFile('lib', '2.1.0-SNAPSHOT', 'lib-2.1.0-20261122.175027-12-sources.jar')).toEqual({ timestamp: '20261122.175027', buildNumber: 12, classifier: 'sources', extension: 'jar' });
    expect(parseSnapshotFile('lib', '2.1.0-SNAPSHOT', 'lib-2.1.0-20261122.175027-1.pom')).toEqual({ timestamp: '20261122.175027', buildNumber: 1, extension: 'pom' });
    expect(parseSnapshotFile('lib', '2.1.0-SNAPSHOT', 'lib-2.1.0-SNAPSHOT.jar')).toBeUndefined();
  });

  it('reads a release file\'s classifier and extension', () => {
    expect(classifierOf('lib', '1.0', 'lib-1.0-javadoc.jar')).toEqual({ classifier: 'javadoc', extension: 'jar' });
    expect(classifierOf('lib', '1.0', 'lib-1.0.tar.gz')).toEqual({ extension: 'tar.gz' });
  });

  it('reads the digest of a checksum file, sha1sum output included', () => {
    const hex = 'a'.repeat(40);
    expect(checksumOfBody('sha1', `${hex.toUpperCase()}  lib-1.0.jar\n`)).toBe(hex);
    expect(() => checksumOfBody('sha1', 'abc')).toThrow(/40 hex digits/);
  });
});
