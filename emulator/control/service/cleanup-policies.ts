// Validation and normalisation of Repository.cleanupPolicies (spec ar-fidelity §1.3, §4.2). Input comes
// from gcloud (enum names as the user wrote them: "Delete", "tagged"), Terraform and the Node client
// (numbers); durations like "2592000.0s". Output is canonical: UPPER_SNAKE enums, "2592000s".
import { EmulatorError } from '../../core/errors.js';
import { assertKnownNames } from './repository-fields.js';

const ACTIONS = ['ACTION_UNSPECIFIED', 'DELETE', 'KEEP'];
const TAG_STATES = ['TAG_STATE_UNSPECIFIED', 'TAGGED', 'UNTAGGED', 'ANY'];
const MAX_POLICIES = 10;

export function normalizeCleanupPolicies(value: unknown, field = 'repository.cleanup_policies'): Record<string, unknown> {
  const map = object(value, field);
  const entries = Object.entries(map);
  if (entries.length > MAX_POLICIES) throw bad(field, `has ${entries.length} policies; at most ${MAX_POLICIES} are allowed`);
  const out: Record<string, unknown> = {};
  for (const [key, raw] of entries) {
    const f = `${field}[${key}]`;
    if (!key || key.length >= 128) throw bad(f, 'policy ids must be 1 to 127 characters');
    const p = object(raw, f);
    assertKnownNames(p, ['id', 'action', 'condition', 'mostRecentVersions'], f);
    if (p.id !== undefined && p.id !== key) throw bad(`${f}.id`, `must equal the map key "${key}"`);
    const action = enumOf(p.action, ACTIONS, `${f}.action`);
    if (action === 'ACTION_UNSPECIFIED') throw bad(`${f}.action`, 'must be DELETE or KEEP');
    const policy: Record<string, unknown> = { id: key, action };
    if (p.condition !== undefined && p.mostRecentVersions !== undefined) throw bad(f, 'sets both condition and most_recent_versions');
    if (p.condition !== undefined) {
      const c = object(p.condition, `${f}.condition`);
      assertKnownNames(c, ['tagState', 'tagPrefixes', 'versionNamePrefixes', 'packageNamePrefixes', 'olderThan', 'newerThan'], `${f}.condition`);
      const cond: Record<string, unknown> = {};
      if (c.tagState !== undefined) cond.tagState = enumOf(c.tagState, TAG_STATES, `${f}.condition.tag_state`);
      for (const list of ['tagPrefixes', 'versionNamePrefixes', 'packageNamePrefixes']) {
        if (c[list] !== undefined) cond[list] = strings(c[list], `${f}.condition.${snake(list)}`);
      }
      for (const d of ['olderThan', 'newerThan']) if (c[d] !== undefined) cond[d] = duration(c[d], `${f}.condition.${snake(d)}`);
      policy.condition = cond;
    } else if (p.mostRecentVersions !== undefined) {
      if (action !== 'KEEP') throw bad(`${f}.most_recent_versions`, 'is only valid with action KEEP');
      const m = object(p.mostRecentVersions, `${f}.most_recent_versions`);
      assertKnownNames(m, ['packageNamePrefixes', 'keepCount'], `${f}.most_recent_versions`);
      const keep: Record<string, unknown> = {};
      if (m.packageNamePrefixes !== undefined) keep.packageNamePrefixes = strings(m.packageNamePrefixes, `${f}.most_recent_versions.package_name_prefixes`);
      if (m.keepCount !== undefined) {
        const n = Number(m.keepCount);
        if (!Number.isInteger(n) || n < 0) throw bad(`${f}.most_recent_versions.keep_count`, 'must be a non-negative integer');
        keep.keepCount = n;
      }
      policy.mostRecentVersions = keep;
    } else {
      throw bad(f, 'needs a condition or most_recent_versions');
    }
    out[key] = policy;
  }
  return out;
}

/** A google.protobuf.Duration in JSON ("86400s", "2592000.0s", "1.5s") → canonical "Ns". */
export function duration(value: unknown, field: string): string {
  const m = typeof value === 'string' ? /^(\d+)(?:\.(\d{1,9}))?s$/.exec(value.trim()) : null;
  if (!m) throw bad(field, `"${String(value).slice(0, 40)}" is not a duration like "86400s"`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return `${Number(m[1])}${frac ? `.${frac}` : ''}s`;
}

function enumOf(value: unknown, names: string[], field: string): string {
  if (typeof value === 'number' && names[value] !== undefined && value >= 0) return names[value]!;
  if (typeof value === 'string') {
    const upper = value.toUpperCase();
    if (names.includes(upper)) return upper;
  }
  throw bad(field, `has an unknown value "${String(value).slice(0, 40)}" (one of ${names.slice(1).join(', ')})`);
}

function strings(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad(field, 'must be a list of strings');
  return value as string[];
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(field, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function snake(s: string): string {
  return s.replace(/([A-Z])/g, (c) => `_${c.toLowerCase()}`);
}

function bad(field: string, problem: string): EmulatorError {
  return new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": ${problem}.`, { field });
}
