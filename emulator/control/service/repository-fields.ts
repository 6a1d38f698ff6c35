// The fields of google.devtools.artifactregistry.v1.Repository (repository.proto in @google-cloud/artifact-registry)
// and how each behaves under create and update (spec ar-fidelity §1.3, docs/api.md "Repository fields"):
// output-only fields are ignored on input, immutable ones may be repeated unchanged but never changed, and a
// name the message does not have is refused with the text of Google's JSON front end (ESF).
import { EmulatorError } from '../../core/errors.js';
import { clip } from '../../core/names.js';

/** Set by the service; ignored in a create body, in an update body and in an update mask (AIP-161, AIP-203). */
export const OUTPUT_ONLY = new Set(['createTime', 'updateTime', 'sizeBytes', 'satisfiesPzs', 'satisfiesPzi', 'registryUri']);
/** Fixed at create: an update may repeat the current value, never change it (AIP-203; `name` is the URL's). */
export const IMMUTABLE = new Set(['name', 'format', 'mode', 'kmsKeyName']);
/** What an update mask may name (top level; sub-paths are checked per field by RepositoryService.update). */
export const UPDATABLE = new Set([
  'description', 'labels', 'dockerConfig', 'mavenConfig', 'virtualRepositoryConfig', 'remoteRepositoryConfig',
  'cleanupPolicies', 'cleanupPolicyDryRun', 'vulnerabilityScanningConfig', 'disallowUnspecifiedMode',
]);
/** Every field of Repository, by its JSON (lowerCamelCase) name. */
export const REPOSITORY_FIELDS = new Set([...OUTPUT_ONLY, ...IMMUTABLE, ...UPDATABLE]);

/** `projects/P/locations/L/keyRings/K/cryptoKeys/C` (repository.proto kms_key_name). */
const KMS_KEY_NAME = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_a, c: string) => c.toUpperCase());
export const snake = (s: string): string => s.replace(/([A-Z])/g, (c) => `_${c.toLowerCase()}`);

/**
 * ESF's refusal of JSON names the message does not have: one line and one BadRequest violation per name, each
 * naming the message's path (`repository`, `repository.docker_config`), e.g.
 * `Invalid JSON payload received. Unknown name "foo" at 'repository': Cannot find field.`
 */
export function unknownNames(names: readonly string[], at: string): EmulatorError {
  const lines = names.map((n) => `Invalid JSON payload received. Unknown name "${clip(n)}" at '${at}': Cannot find field.`);
  return new EmulatorError('INVALID_ARGUMENT', lines.join('\n'), { field: at, fieldViolations: lines.map((description) => ({ field: at, description })) });
}

/** Throws unknownNames for the keys of `o` that are not in `known` (JSON names; proto names are accepted too). */
export function assertKnownNames(o: Record<string, unknown>, known: ReadonlySet<string> | readonly string[], at: string): void {
  const set = known instanceof Set ? known : new Set(known);
  const unknown = Object.keys(o).filter((k) => !set.has(k) && !set.has(camel(k)));
  if (unknown.length) throw unknownNames(unknown, at);
}

/**
 * A Repository body with its top-level names checked and in JSON form: proto3 JSON parsers accept the proto
 * name as well (`kms_key_name`), so a snake_case name is read as its lowerCamelCase twin.
 */
export function repositoryBody(input: Record<string, unknown>): Record<string, unknown> {
  assertKnownNames(input, REPOSITORY_FIELDS, 'repository');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) out[REPOSITORY_FIELDS.has(k) ? k : camel(k)] = v;
  return out;
}

/** kmsKeyName on create: a CMEK key name, or empty/absent for Google-managed encryption. */
export function kmsKeyNameOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !KMS_KEY_NAME.test(value)) {
    throw new EmulatorError(
      'INVALID_ARGUMENT',
      `Invalid value for field "repository.kms_key_name": "${clip(String(value))}" is not a Cloud KMS key name of the form projects/PROJECT/locations/LOCATION/keyRings/KEY_RING/cryptoKeys/KEY.`,
      { field: 'repository.kms_key_name' },
    );
  }
  return value;
}
