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
