// Maven repository paths (https://maven.apache.org/repository/layout.html): GROUP/ARTIFACT/VERSION/FILE, the
// metadata files GROUP/ARTIFACT/maven-metadata.xml and (SNAPSHOTs) GROUP/ARTIFACT/VERSION/maven-metadata.xml, and
// the checksum files beside each. Strict: every segment is percent-decoded once and checked; `..`, `.`, empty
// segments, backslashes and control characters are refused. Client names never become file paths.
import { EmulatorError } from '../../core/errors.js';
import { decodePercent } from '../../core/decode-percent.js';

export const METADATA_FILE = 'maven-metadata.xml';
export const CHECKSUMS = ['sha1', 'md5', 'sha256', 'sha512'] as const;
export type ChecksumKind = (typeof CHECKSUMS)[number];
/** hex length of each checksum */
export const CHECKSUM_HEX: Record<ChecksumKind, number> = { sha1: 40, md5: 32, sha256: 64, sha512: 128 };

const MAX_PATH = 1024;
const MAX_SEGMENT = 255;
const MAX_SEGMENTS = 64;
/** What a groupId / artifactId segment may hold (Maven's id rule `[A-Za-z0-9_\-.]+`). */
const ID_SEGMENT = /^[A-Za-z0-9_.-]+$/;
/** A version or file name: printable, no path separators or shell-hostile characters. */
const FREE_SEGMENT = /^[A-Za-z0-9_.+~@!$()=,;-]+$/;
const SNAPSHOT_FILE = /^(\d{8}\.\d{6})-(\d+)(?:-([^.]+))?\.(.+)$/;

export type MavenPath =
  | { kind: 'file'; groupId: string; artifactId: string; version: string; filename: string; path: string; checksum?: ChecksumKind }
  | { kind: 'artifactMetadata'; groupId: string; artifactId: string; path: string; checksum?: ChecksumKind }
  | { kind: 'versionMetadata'; groupId: string; artifactId: string; version: string; path: string; checksum?: ChecksumKind };

const invalid = (why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid Maven path: ${why}`);

export const isSnapshot = (version: string): boolean => version.endsWith('-SNAPSHOT');

/**
 * Parses the part of a request path after `/PROJECT/REPO/` (still percent-encoded). A metadata file whose parent
 * ends in `-SNAPSHOT` is version metadata; any other is artifact metadata (plugin group metadata reads as artifact
 * metadata of its last group segment: accepted, never generated).
 */
export function parseMavenPath(raw: string): MavenPath {
  if (raw.length > MAX_PATH * 3) throw invalid('the path is too long');
  const segments = raw.split('/').map((s) => decodePercent(s, 'Maven path segment'));
  if (segments.length > MAX_SEGMENTS) throw invalid('too many path segments');
  for (const s of segments) {
    if (s === '') throw invalid('empty path segment');
    if (s === '.' || s === '..') throw invalid(`"${s}" is not allowed as a path segment`);
    if (s.includes('/') || s.includes('\\')) throw invalid('a path segment may not contain a slash or backslash');
    if (s.length > MAX_SEGMENT) throw invalid('a path segment is longer than 255 characters');
    if (!FREE_SEGMENT.test(s)) throw invalid(`"${s.slice(0, 80)}" contains characters a Maven path does not use`);
  }
  const path = segments.join('/');
  if (path.length > MAX_PATH) throw invalid('the path is too long');
  let file = segments[segments.length - 1]!;
  let checksum: ChecksumKind | undefined;
  for (const c of CHECKSUMS) {
    if (file.endsWith(`.${c}`) && file.length > c.length + 1) {
      checksum = c;
      file = file.slice(0, -(c.length + 1));
      break;
    }
  }
  const base = checksum ? path.slice(0, -(checksum.length + 1)) : path;
  const dirs = segments.slice(0, -1);
  const ids = (n: number) => {
    for (const s of dirs.slice(0, n)) if (!ID_SEGMENT.test(s)) throw invalid(`"${s.slice(0, 80)}" is not a valid groupId or artifactId segment`);
  };
  const cs = checksum ? { checksum } : {};
  if (file === METADATA_FILE) {
    if (dirs.length >= 3 && isSnapshot(dirs[dirs.length - 1]!)) {
      ids(dirs.length - 1);
      return { kind: 'versionMetadata', groupId: dirs.slice(0, -2).join('.'), artifactId: dirs[dirs.length - 2]!, version: dirs[dirs.length - 1]!, path: base, ...cs };
    }
    if (dirs.length < 2) throw invalid('maven-metadata.xml needs a groupId and an artifactId');
    ids(dirs.length);
    return { kind: 'artifactMetadata', groupId: dirs.slice(0, -1).join('.'), artifactId: dirs[dirs.length - 1]!, path: base, ...cs };
  }
  if (dirs.length < 3) throw invalid('expected GROUP/ARTIFACT/VERSION/FILE');
  ids(dirs.length - 1);
  const version = dirs[dirs.length - 1]!;
  const artifactId = dirs[dirs.length - 2]!;
  const groupId = dirs.slice(0, -2).join('.');
  const expected = isSnapshot(version) ? `${artifactId}-${version.slice(0, -'SNAPSHOT'.length)}` : `${artifactId}-${version}`;
  if (!file.startsWith(expected) || file.length === expected.length) {
    throw invalid(`file "${file.slice(0, 120)}" does not belong to ${groupId}:${artifactId}:${version} (expected a name starting with "${expected}")`);
  }
  return { kind: 'file', groupId, artifactId, version, filename: file, path: base, ...cs };
}

/** The directory of an artifact (`com/example/lib`). */
export const artifactDir = (groupId: string, artifactId: string): string => `${groupId.replace(/\./g, '/')}/${artifactId}`;

/** A timestamped SNAPSHOT file's parts: `lib-2.1.0-20261122.175027-1-sources.jar` of `lib` `2.1.0-SNAPSHOT`. */
export function parseSnapshotFile(artifactId: string, version: string, filename: string): { timestamp: string; buildNumber: number; classifier?: string; extension: string } | undefined {
  const prefix = `${artifactId}-${version.slice(0, -'SNAPSHOT'.length)}`;
  if (!filename.startsWith(prefix)) return undefined;
  const m = SNAPSHOT_FILE.exec(filename.slice(prefix.length));
  if (!m) return undefined;
  return { timestamp: m[1]!, buildNumber: Number(m[2]), ...(m[3] ? { classifier: m[3] } : {}), extension: m[4]! };
}

/** The classifier and extension of a (release or non-timestamped) file: `lib-1.0-sources.jar` → sources, jar. */
export function classifierOf(artifactId: string, version: string, filename: string): { classifier?: string; extension: string } | undefined {
  const prefix = `${artifactId}-${version}`;
  if (!filename.startsWith(prefix)) return undefined;
  const rest = filename.slice(prefix.length);
  const m = /^(?:-([^.]+))?\.(.+)$/.exec(rest);
  return m ? { ...(m[1] ? { classifier: m[1] } : {}), extension: m[2]! } : undefined;
}

/** The hex digest a checksum file body carries (its first token; `sha1sum` output is accepted). */
export function checksumOfBody(kind: ChecksumKind, body: string): string {
  const token = body.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (token.length !== CHECKSUM_HEX[kind] || !/^[0-9a-f]+$/.test(token)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid ${kind} checksum file: expected ${CHECKSUM_HEX[kind]} hex digits.`);
  return token;
}
