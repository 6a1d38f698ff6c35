// Google-style resource names and identifier rules (spec ar-fidelity §1.2, §8.3). Names are built and
// parsed only here.
import { EmulatorError } from './errors.js';

export interface RepositoryRef {
  project: string;
  location: string;
  repository: string;
}

export const LOCATIONS: readonly string[] = [
  // multi-regions
  'us', 'europe', 'asia',
  // regions where Artifact Registry is offered
  'africa-south1', 'asia-east1', 'asia-east2', 'asia-northeast1', 'asia-northeast2', 'asia-northeast3',
  'asia-south1', 'asia-south2', 'asia-southeast1', 'asia-southeast2', 'australia-southeast1',
  'australia-southeast2', 'europe-central2', 'europe-north1', 'europe-north2', 'europe-southwest1', 'europe-west1',
  'europe-west10', 'europe-west12', 'europe-west2', 'europe-west3', 'europe-west4', 'europe-west6',
  'europe-west8', 'europe-west9', 'me-central1', 'me-central2', 'me-west1', 'northamerica-northeast1',
  'northamerica-northeast2', 'northamerica-south1', 'southamerica-east1', 'southamerica-west1', 'us-central1',
  'us-east1', 'us-east4', 'us-east5', 'us-south1', 'us-west1', 'us-west2', 'us-west3', 'us-west4',
];

const PROJECT_ID = /^(?:[a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const REPOSITORY_ID = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
const GCR_REPOSITORY_IDS = new Set(['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io']);
export const REPOSITORY_ID_MAX_LENGTH = 63;
export const INVALID_REPOSITORY_ID_MESSAGE =
  'Names may only contain lowercase letters, numbers, and hyphens, and must begin with a letter and end with a letter or number.';

export function isValidProjectId(project: string): boolean {
  return PROJECT_ID.test(project);
}

export function isKnownLocation(location: string): boolean {
  return LOCATIONS.includes(location);
}

export function isValidRepositoryId(id: string): boolean {
  return GCR_REPOSITORY_IDS.has(id) || (id.length <= REPOSITORY_ID_MAX_LENGTH && REPOSITORY_ID.test(id));
}

/** Throws INVALID_ARGUMENT naming the field when the parent (project, location) is malformed. */
export function assertValidParent(project: string, location: string): void {
  if (!isValidProjectId(project)) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid project id "${clip(project)}" in field "parent".`, { field: 'parent' });
  }
  if (!isKnownLocation(location)) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid resource field value in the request. Unknown location "${clip(location)}" in field "parent".`, { field: 'parent' });
  }
}

export function assertValidRepositoryId(id: string, field = 'repository_id'): void {
  if (!id) throw new EmulatorError('INVALID_ARGUMENT', `Field "${field}" is required.`, { field });
  if (!isValidRepositoryId(id)) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid ${field} "${clip(id)}": ${INVALID_REPOSITORY_ID_MESSAGE}`, { field });
  }
}

export function locationName(project: string, location: string): string {
  return `projects/${project}/locations/${location}`;
}

export function repositoryName(ref: RepositoryRef): string {
  return `${locationName(ref.project, ref.location)}/repositories/${ref.repository}`;
}

export function operationName(project: string, location: string, id: string): string {
  return `${locationName(project, location)}/operations/${id}`;
}

const REPOSITORY_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/;

export function parseRepositoryName(name: string): RepositoryRef | undefined {
  const m = REPOSITORY_NAME.exec(name);
  if (!m) return undefined;
  return { project: m[1]!, location: m[2]!, repository: m[3]! };
}

/**
 * OCI image name path components (distribution-spec "name" grammar): lowercase alphanumerics separated by
 * `.`, `_`, `__` or runs of `-`. https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
const OCI_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

export function isValidImageName(image: string): boolean {
  if (!image || image.length > 255) return false;
  return image.split('/').every((c) => OCI_COMPONENT.test(c));
}

/** OCI tag grammar: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
export function isValidTag(tag: string): boolean {
  return /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(tag);
}

/** Package ids in resource names escape `/` as `%2F` (spec §1.2). */
export function escapePackageId(pkg: string): string {
  return pkg.replaceAll('/', '%2F');
}

export function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** A parsed control-plane resource name. Package, version, tag and file ids are unescaped. */
export type ResourceName =
  | { kind: 'location'; project: string; location: string }
  | { kind: 'operation'; project: string; location: string; operation: string }
  | { kind: 'repository'; ref: RepositoryRef }
  | { kind: 'package'; ref: RepositoryRef; package: string }
  | { kind: 'version'; ref: RepositoryRef; package: string; version: string }
  | { kind: 'tag'; ref: RepositoryRef; package: string; tag: string }
  | { kind: 'file'; ref: RepositoryRef; file: string }
  | { kind: 'dockerImage'; ref: RepositoryRef; image: string; digest: string }
  | { kind: 'projectSettings'; project: string }
  | { kind: 'rule'; ref: RepositoryRef; rule: string }
  | { kind: 'attachment'; ref: RepositoryRef; attachment: string }
  | { kind: 'vpcscConfig'; project: string; location: string };

const SEG = '([^/]+)';
const REPO = `projects/${SEG}/locations/${SEG}/repositories/${SEG}`;
const PATTERNS: Array<[ResourceName['kind'], RegExp]> = [
  ['projectSettings', new RegExp(`^projects/${SEG}/projectSettings$`)],
  ['location', new RegExp(`^projects/${SEG}/locations/${SEG}$`)],
  ['operation', new RegExp(`^projects/${SEG}/locations/${SEG}/operations/${SEG}$`)],
  ['repository', new RegExp(`^${REPO}$`)],
  ['package', new RegExp(`^${REPO}/packages/${SEG}$`)],
  ['version', new RegExp(`^${REPO}/packages/${SEG}/versions/${SEG}$`)],
  ['tag', new RegExp(`^${REPO}/packages/${SEG}/tags/${SEG}$`)],
  ['file', new RegExp(`^${REPO}/files/(.+)$`)],
  ['dockerImage', new RegExp(`^${REPO}/dockerImages/${SEG}$`)],
  ['rule', new RegExp(`^${REPO}/rules/${SEG}$`)],
  ['attachment', new RegExp(`^${REPO}/attachments/${SEG}$`)],
  ['vpcscConfig', new RegExp(`^projects/${SEG}/locations/${SEG}/vpcscConfig$`)],
];

/** Parses a resource name of the expected kind; INVALID_ARGUMENT naming `field` otherwise. */
export function parseResourceName<K extends ResourceName['kind']>(name: string, kind: K, field = 'name'): Extract<ResourceName, { kind: K }> {
  const pattern = PATTERNS.find(([k]) => k === kind)![1];
  const m = typeof name === 'string' ? pattern.exec(name) : null;
  const bad = () => new EmulatorError('INVALID_ARGUMENT', `Invalid resource name "${clip(String(name))}" in field "${field}": expected ${describeKind(kind)}.`, { field });
  if (!m) throw bad();
  let g: string[];
  try {
    g = m.slice(1).map((s) => decodeURIComponent(s!));
  } catch {
    throw bad();
  }
  const ref = (): RepositoryRef => ({ project: g[0]!, location: g[1]!, repository: g[2]! });
  let out: ResourceName;
  switch (kind) {
    case 'projectSettings': out = { kind, project: g[0]! }; break;
    case 'location': out = { kind, project: g[0]!, location: g[1]! }; break;
    case 'operation': out = { kind, project: g[0]!, location: g[1]!, operation: g[2]! }; break;
    case 'repository': out = { kind, ref: ref() }; break;
    case 'package': out = { kind, ref: ref(), package: g[3]! }; break;
    case 'version': out = { kind, ref: ref(), package: g[3]!, version: g[4]! }; break;
    case 'tag': out = { kind, ref: ref(), package: g[3]!, tag: g[4]! }; break;
    case 'file': out = { kind, ref: ref(), file: g[3]! }; break;
    case 'rule': out = { kind, ref: ref(), rule: g[3]! }; break;
    case 'attachment': out = { kind, ref: ref(), attachment: g[3]! }; break;
    case 'vpcscConfig': out = { kind, project: g[0]!, location: g[1]! }; break;
    default: {
      const at = g[3]!.lastIndexOf('@');
      if (at <= 0) throw bad();
      out = { kind: 'dockerImage', ref: ref(), image: g[3]!.slice(0, at), digest: g[3]!.slice(at + 1) };
    }
  }
  if (!isValidProjectId((out as { project?: string }).project ?? (out as { ref: RepositoryRef }).ref.project)) throw bad();
  return out as Extract<ResourceName, { kind: K }>;
}

function describeKind(kind: string): string {
  const shapes: Record<string, string> = {
    projectSettings: 'projects/PROJECT/projectSettings',
    location: 'projects/PROJECT/locations/LOCATION',
    operation: 'projects/PROJECT/locations/LOCATION/operations/ID',
    repository: 'projects/PROJECT/locations/LOCATION/repositories/REPOSITORY',
    package: 'projects/PROJECT/locations/LOCATION/repositories/REPOSITORY/packages/PACKAGE',
    version: '…/packages/PACKAGE/versions/VERSION',
    tag: '…/packages/PACKAGE/tags/TAG',
    file: '…/repositories/REPOSITORY/files/FILE',
    dockerImage: '…/repositories/REPOSITORY/dockerImages/IMAGE@DIGEST',
    rule: '…/repositories/REPOSITORY/rules/RULE',
    attachment: '…/repositories/REPOSITORY/attachments/ATTACHMENT',
    vpcscConfig: 'projects/PROJECT/locations/LOCATION/vpcscConfig',
  };
  return shapes[kind] ?? kind;
}

export function packageName(ref: RepositoryRef, pkg: string): string {
  return `${repositoryName(ref)}/packages/${escapePackageId(pkg)}`;
}

export function versionName(ref: RepositoryRef, pkg: string, version: string): string {
  return `${packageName(ref, pkg)}/versions/${version}`;
}

/** Tag ids keep `[a-zA-Z0-9-._~:@]` literal and percent-encode the rest (tag.proto). */
export function tagName(ref: RepositoryRef, pkg: string, tag: string): string {
  return `${packageName(ref, pkg)}/tags/${tag.replace(/[^a-zA-Z0-9\-._~:@]/g, (c) => encodeURIComponent(c))}`;
}

export function fileName(ref: RepositoryRef, file: string): string {
  return `${repositoryName(ref)}/files/${file.replaceAll('/', '%2F')}`;
}

export function dockerImageName(ref: RepositoryRef, image: string, digest: string): string {
  return `${repositoryName(ref)}/dockerImages/${escapePackageId(image)}@${digest}`;
}
