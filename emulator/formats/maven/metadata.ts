// maven-metadata.xml (https://maven.apache.org/ref/3.9.6/maven-repository-metadata/repository-metadata.html), always
// generated here from what the repository holds: the artifact level lists versions (latest, release), the
// version level of a SNAPSHOT gives the newest timestamp and build number and every file's snapshotVersion. A
// client's own PUT of the file is accepted and dropped (docs/formats/maven.md, [U]). Parsing is for merging the
// metadata of upstreams and members (remote, virtual).
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { EmulatorError } from '../../core/errors.js';
import { classifierOf, isSnapshot, parseSnapshotFile } from './names.js';

export interface ArtifactVersions {
  groupId: string;
  artifactId: string;
  /** in the order they were first deployed (the last is `latest`) */
  versions: string[];
  /** yyyyMMddHHmmss of the last change */
  lastUpdated: string;
}

export interface SnapshotFileInfo {
  filename: string;
  updated: string;
}

const builder = new XMLBuilder({ format: true, indentBy: '  ', ignoreAttributes: false, suppressEmptyNode: true });
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'version' || name === 'snapshotVersion' || name === 'plugin' });

/** `2026-11-22T17:50:27.123Z` → `20261122175027`. */
export const lastUpdatedOf = (iso: string): string => iso.replace(/[-:T]/g, '').slice(0, 14);

const xml = (doc: Record<string, unknown>): Buffer => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(doc) as string}`);

export function artifactMetadataXml(a: ArtifactVersions): Buffer {
  const releases = a.versions.filter((v) => !isSnapshot(v));
  return xml({
    metadata: {
      groupId: a.groupId,
      artifactId: a.artifactId,
      versioning: {
        ...(a.versions.length ? { latest: a.versions[a.versions.length - 1] } : {}),
        ...(releases.length ? { release: releases[releases.length - 1] } : {}),
        versions: { version: a.versions },
        lastUpdated: a.lastUpdated,
      },
    },
  });
}

/**
 * A SNAPSHOT version's metadata: `snapshot` is the newest timestamp/build number among the timestamped files;
 * `snapshotVersions` the newest file of each classifier and extension. Undefined when it holds no file.
 */
export function versionMetadataXml(groupId: string, artifactId: string, version: string, files: SnapshotFileInfo[]): Buffer | undefined {
  if (!files.length) return undefined;
  let newest: { timestamp: string; buildNumber: number } | undefined;
  const byKind = new Map<string, { classifier?: string; extension: string; value: string; updated: string; order: string }>();
  let lastUpdated = '';
  for (const f of files) {
    if (f.updated > lastUpdated) lastUpdated = f.updated;
    const s = parseSnapshotFile(artifactId, version, f.filename);
    const plain = s ? undefined : classifierOf(artifactId, version, f.filename);
    if (!s && !plain) continue;
    const kind = s ?? plain!;
    const value = s ? `${version.slice(0, -'SNAPSHOT'.length)}${s.timestamp}-${s.buildNumber}` : version;
    const order = s ? `${s.timestamp}-${String(s.buildNumber).padStart(9, '0')}` : `0-${f.updated}`;
    if (s && (!newest || s.timestamp > newest.timestamp || (s.timestamp === newest.timestamp && s.buildNumber > newest.buildNumber))) newest = { timestamp: s.timestamp, buildNumber: s.buildNumber };
    const key = `${kind.classifier ?? ''}\0${kind.extension}`;
    const seen = byKind.get(key);
    if (!seen || order > seen.order) byKind.set(key, { ...(kind.classifier ? { classifier: kind.classifier } : {}), extension: kind.extension, value, updated: f.updated, order });
  }
  return xml({
    metadata: {
      '@_modelVersion': '1.1.0',
      groupId,
      artifactId,
      version,
      versioning: {
        snapshot: newest ? { timestamp: newest.timestamp, buildNumber: newest.buildNumber } : { localCopy: 'true' },
        lastUpdated,
        snapshotVersions: {
          snapshotVersion: [...byKind.values()].map((k) => ({ ...(k.classifier ? { classifier: k.classifier } : {}), extension: k.extension, value: k.value, updated: k.updated })),
        },
      },
    },
  });
}

/** The versions and lastUpdated an upstream's artifact metadata lists (INVALID_ARGUMENT when it is not metadata). */
export function parseArtifactMetadata(body: Buffer | string): { versions: string[]; lastUpdated?: string } {
  let doc: { metadata?: { versioning?: { versions?: { version?: unknown[] }; lastUpdated?: unknown } } };
  const text = body.toString();
  try {
    if (XMLValidator.validate(text) !== true) throw new Error('not well-formed');
    doc = parser.parse(text) as typeof doc;
  } catch {
    throw new EmulatorError('INVALID_ARGUMENT', 'maven-metadata.xml is not well-formed XML.');
  }
  if (!doc || typeof doc !== 'object' || !doc.metadata) throw new EmulatorError('INVALID_ARGUMENT', 'maven-metadata.xml has no <metadata> root element.');
  const versions = (doc.metadata.versioning?.versions?.version ?? []).filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256);
  const lu = doc.metadata.versioning?.lastUpdated;
  return { versions, ...(typeof lu === 'string' ? { lastUpdated: lu } : {}) };
}

/** Checks that a client-sent maven-metadata.xml is XML with a <metadata> root (its content is not kept). */
export function checkMetadataBody(body: Buffer): void {
  parseArtifactMetadata(body);
}
