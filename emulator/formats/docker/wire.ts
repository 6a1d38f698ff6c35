// Wire shapes of the OCI/Docker registry protocol and the validation of pushed manifests.
// https://github.com/opencontainers/image-spec/blob/main/manifest.md, …/image-index.md
import { parseDigest } from '../../core/digests.js';
import { EmulatorError } from '../../core/errors.js';
import { MANIFEST_KINDS, SCHEMA1_TYPES, type ManifestKind } from './media-types.js';

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: OciPlatform;
}

export interface OciPlatform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface OciErrorBody {
  errors: Array<{ code: string; message: string; detail?: unknown }>;
}

export interface OciTagList {
  name: string;
  tags: string[];
}

/** What validation extracts from a pushed manifest. */
export interface ParsedManifest {
  kind: ManifestKind;
  mediaType: string;
  /** config and layers (image) */
  blobs: OciDescriptor[];
  /** child manifests (index) */
  manifests: OciDescriptor[];
  subject?: OciDescriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  configMediaType?: string;
}

/**
 * Parses and checks a manifest body against its Content-Type. Throws MANIFEST_INVALID (naming the
 * problem) for anything malformed.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (!isObject(parsed)) throw new Error('not a JSON object');
    doc = parsed;
  } catch (err) {
    throw new EmulatorError('MANIFEST_INVALID', `manifest is not valid JSON: ${(err as Error).message}`);
  }
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const headerType = contentType?.split(';')[0]?.trim() || undefined;
  if (headerType && SCHEMA1_TYPES.has(headerType)) {
    throw new EmulatorError('MANIFEST_INVALID', 'Docker image manifest schema 1 is deprecated and not accepted; push schema 2 or OCI');
  }
  if (headerType && !MANIFEST_KINDS[headerType]) {
    throw new EmulatorError('MANIFEST_INVALID', `unsupported manifest media type "${clip(headerType)}"`);
  }
  if (declared !== undefined && headerType && declared !== headerType) {
    throw new EmulatorError('MANIFEST_INVALID', `mediaType "${clip(declared)}" in the manifest does not match Content-Type "${headerType}"`);
  }
  const mediaType = headerType ?? declared;
  if (!mediaType || !MANIFEST_KINDS[mediaType]) {
    throw new EmulatorError('MANIFEST_INVALID', 'manifest media type is missing or unsupported: send a Content-Type header');
  }
  if (doc.schemaVersion !== 2) throw new EmulatorError('MANIFEST_INVALID', 'schemaVersion must be 2');
  const kind = MANIFEST_KINDS[mediaType]!;
  const result: ParsedManifest = { kind, mediaType, blobs: [], manifests: [] };
  if (kind === 'image') {
    const config = descriptor(doc.config, 'config');
    if (!Array.isArray(doc.layers)) throw new EmulatorError('MANIFEST_INVALID', 'layers must be an array');
    result.blobs = [config, ...doc.layers.map((l, i) => descriptor(l, `layers[${i}]`))];
    result.configMediaType = config.mediaType;
  } else {
    if (!Array.isArray(doc.manifests)) throw new EmulatorError('MANIFEST_INVALID', 'manifests must be an array');
    result.manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
  }
  if (doc.subject !== undefined) result.subject = descriptor(doc.subject, 'subject');
  if (doc.artifactType !== undefined) {
    if (typeof doc.artifactType !== 'string') throw new EmulatorError('MANIFEST_INVALID', 'artifactType must be a string');
    result.artifactType = doc.artifactType;
  }
  if (doc.annotations !== undefined) result.annotations = stringMap(doc.annotations, 'annotations');
  return result;
}

function descriptor(value: unknown, field: string): OciDescriptor {
  if (!isObject(value)) throw new EmulatorError('MANIFEST_INVALID', `${field} must be a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || !mediaType) throw new EmulatorError('MANIFEST_INVALID', `${field}.mediaType is required`);
  if (typeof digest !== 'string') throw new EmulatorError('MANIFEST_INVALID', `${field}.digest is required`);
  try {
    parseDigest(digest);
  } catch {
    throw new EmulatorError('MANIFEST_INVALID', `${field}.digest "${clip(digest)}" is not a valid digest`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new EmulatorError('MANIFEST_INVALID', `${field}.size must be a non-negative integer`);
  }
  const d: OciDescriptor = { mediaType, digest, size };
  if (typeof value.artifactType === 'string') d.artifactType = value.artifactType;
  if (value.annotations !== undefined) d.annotations = stringMap(value.annotations, `${field}.annotations`);
  if (Array.isArray(value.urls)) d.urls = value.urls.filter((u): u is string => typeof u === 'string');
  if (isObject(value.platform)) d.platform = value.platform as unknown as OciPlatform;
  return d;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new EmulatorError('MANIFEST_INVALID', `${field} must map strings to strings`);
  }
  return value as Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
