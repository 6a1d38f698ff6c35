// The shape check every `setIamPolicy` runs before anything is stored (repository and project policies, REST and
// gRPC): Policy JSON of spec ar-fidelity §1.9. A bad shape is INVALID_ARGUMENT naming the field (rendered as a
// google.rpc.BadRequest field violation) and the stored policy stays as it was.
import { EmulatorError } from '../core/errors.js';

export interface PolicyBinding {
  role: string;
  members: string[];
  condition?: { expression: string; title?: string; description?: string; location?: string };
}

/** A policy as it arrives once validated: bindings normalised (members sorted, duplicates dropped). */
export interface ValidPolicy {
  version?: number;
  bindings: PolicyBinding[];
  etag?: string;
}

const MEMBER = /^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|deleted:user|deleted:serviceAccount|deleted:group):.+|principal:\/\/.+|principalSet:\/\/.+)$/;
const ROLE = /^(roles|projects\/[^/]+\/roles|organizations\/[^/]+\/roles)\/[a-zA-Z0-9_.]+$/;
/** Fields of google.iam.v1.Policy and Binding; `auditConfigs` is accepted and ignored (no audit logs here). */
const POLICY_FIELDS = new Set(['version', 'bindings', 'etag', 'auditConfigs']);
const BINDING_FIELDS = new Set(['role', 'members', 'condition']);
const CONDITION_FIELDS = new Set(['expression', 'title', 'description', 'location']);
const MAX_PRINCIPALS = 1500;

const invalid = (field: string, why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": ${why}`, { field });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function assertKnownFields(value: Record<string, unknown>, known: ReadonlySet<string>, at: string): void {
  const unknown = Object.keys(value).find((k) => !known.has(k));
  if (unknown !== undefined) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${unknown.slice(0, 60)}" at '${at}': Cannot find field.`, { field: at });
  }
}

export function validatePolicy(input: unknown): ValidPolicy {
  if (!isObject(input)) throw invalid('policy', 'a Policy object is required.');
  assertKnownFields(input, POLICY_FIELDS, 'policy');
  const version = parseVersion(input.version);
  if (input.etag != null && typeof input.etag !== 'string') throw invalid('policy.etag', 'must be a base64 string.');
  if (input.bindings != null && !Array.isArray(input.bindings)) throw invalid('policy.bindings', 'must be a list of bindings.');
  const bindings = ((input.bindings ?? []) as unknown[]).map((b, i) => validateBinding(b, `policy.bindings[${i}]`, version));
  const principals = bindings.reduce((n, b) => n + b.members.length, 0);
  if (principals > MAX_PRINCIPALS) throw invalid('policy.bindings', `a policy may hold at most ${MAX_PRINCIPALS.toLocaleString('en-US')} principals.`);
  return { ...(version !== undefined ? { version } : {}), bindings, ...(typeof input.etag === 'string' ? { etag: input.etag } : {}) };
}

/** proto3 JSON takes an int32 as a number or a decimal string. */
function parseVersion(v: unknown): number | undefined {
  if (v == null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,2}$/.test(v) ? Number(v) : Number.NaN;
  if (![0, 1, 3].includes(n)) throw invalid('policy.version', 'must be 0, 1 or 3.');
  return n;
}

function validateBinding(b: unknown, at: string, version: number | undefined): PolicyBinding {
  if (!isObject(b)) throw invalid(at, 'a binding is an object with a role and members.');
  assertKnownFields(b, BINDING_FIELDS, at);
  if (typeof b.role !== 'string' || !ROLE.test(b.role)) throw invalid(`${at}.role`, 'roles look like roles/artifactregistry.reader.');
  if (!Array.isArray(b.members) || b.members.some((m) => typeof m !== 'string' || !MEMBER.test(m))) {
    throw invalid(`${at}.members`, 'members look like user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, allUsers or allAuthenticatedUsers.');
  }
  const members = [...new Set(b.members as string[])].sort();
  if (b.condition == null) return { role: b.role, members };
  if (!isObject(b.condition) || typeof b.condition.expression !== 'string') throw invalid(`${at}.condition`, 'a condition is an object with a CEL expression.');
  assertKnownFields(b.condition, CONDITION_FIELDS, `${at}.condition`);
  if (version !== 3) throw invalid('policy.version', 'conditional role bindings require policy version 3.');
  for (const k of ['title', 'description', 'location'] as const) {
    if (b.condition[k] != null && typeof b.condition[k] !== 'string') throw invalid(`${at}.condition.${k}`, 'must be a string.');
  }
  return { role: b.role, members, condition: b.condition as PolicyBinding['condition'] & object };
}
