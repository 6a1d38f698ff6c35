// virtualRepositoryConfig of a VIRTUAL_REPOSITORY (spec ar-fidelity §1.3, §4.4): validated at create and patch,
// kept as given (proto3 JSON names), so a get returns what was sent. Members must exist, share the virtual
// repository's format and location (spec §4.4 [U], our choice), and not be virtual. docs/virtual.md.
import { EmulatorError } from '../../core/errors.js';
import { clip, isValidProjectId, isValidRepositoryId, parseRepositoryName, repositoryName, type RepositoryRef } from '../../core/names.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../core/repository.js';
import type { MetaStore } from '../../storage/meta-store.js';

/** At most this many upstream policies per virtual repository (the real limit is undocumented: docs/virtual.md). */
export const MAX_UPSTREAM_POLICIES = 100;
/** gcloud's text for a policy without one of its keys (spec §4.4) */
export const MISSING_KEYS = 'Upstream Policies should contain id, repository and priority.';
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const F = 'repository.virtual_repository_config';
const bad = (field: string, why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": ${why}.`, { field });

function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(field, 'must be a JSON object');
  return v as Record<string, unknown>;
}

function only(o: Record<string, unknown>, keys: readonly string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${clip(k)}" at '${field}': Cannot find field.`, { field: `${field}.${k}` });
  }
}

/** proto3 JSON int32: a number or a decimal string; absent is 0 (gRPC cannot tell an absent int32 from 0). */
function priorityOf(v: unknown, field: string): number {
  if (v === undefined) return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(field, `must be an integer, got ${clip(JSON.stringify(v) ?? String(v))}`);
  if (n < INT32_MIN || n > INT32_MAX) throw bad(field, `must fit in 32 bits, got ${n}`);
  return n;
}

/**
 * The stored config of virtual repository `self` (its record, not yet stored at create): every policy checked,
 * `priority` as a number, nothing else changed. `upstream_policies` may be empty (a virtual repository that
 * answers nothing yet).
 */
export function normalizeVirtualConfig(meta: MetaStore, self: RepositoryRecord, input: unknown): Record<string, unknown> {
  const vc = obj(input, F);
  const key = 'upstreamPolicies' in vc ? 'upstreamPolicies' : 'upstream_policies';
  only(vc, ['upstreamPolicies', 'upstream_policies'], F);
  if (vc[key] === undefined) return {};
  const list = vc[key];
  const lf = `${F}.upstream_policies`;
  if (!Array.isArray(list)) throw bad(lf, 'must be a list');
  if (list.length > MAX_UPSTREAM_POLICIES) throw bad(lf, `has ${list.length} entries; at most ${MAX_UPSTREAM_POLICIES} are allowed`);
  const ids = new Set<string>();
  const selfName = repositoryName(self);
  const policies = list.map((entry, i) => {
    const pf = `${lf}[${i}]`;
    const p = obj(entry, pf);
    only(p, ['id', 'repository', 'priority'], pf);
    for (const k of ['id', 'repository'] as const) {
      if (p[k] === undefined || p[k] === '') throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${pf}.${k}": ${MISSING_KEYS}`, { field: `${pf}.${k}` });
      if (typeof p[k] !== 'string') throw bad(`${pf}.${k}`, 'must be a string');
    }
    const id = p.id as string;
    const repository = p.repository as string;
    if (id.length > 128) throw bad(`${pf}.id`, 'must be at most 128 characters');
    if (ids.has(id)) throw bad(`${pf}.id`, `"${clip(id)}" is used by another upstream policy; ids must be unique`);
    ids.add(id);
    const priority = priorityOf(p.priority, `${pf}.priority`);
    checkMember(meta, self, selfName, repository, `${pf}.repository`);
    return { id, repository, priority };
  });
  return { upstreamPolicies: policies };
}

function checkMember(meta: MetaStore, self: RepositoryRecord, selfName: string, name: string, field: string): void {
  const ref: RepositoryRef | undefined = parseRepositoryName(name);
  if (!ref || !isValidProjectId(ref.project) || !isValidRepositoryId(ref.repository)) throw bad(field, `"${clip(name)}" is not a repository name of the form projects/PROJECT/locations/LOCATION/repositories/REPOSITORY`);
  if (name === selfName) throw bad(field, 'a virtual repository cannot be its own upstream');
  if (ref.location !== self.location) {
    throw bad(field, `"${clip(name)}" is in location ${clip(ref.location)}; upstreams of a virtual repository must be in its location (${self.location})`);
  }
  const member = meta.get(repositoryShardKey(ref))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
  if (!member) throw bad(field, `repository "${clip(name)}" was not found`);
  if (member.format !== self.format) throw bad(field, `"${clip(name)}" is a ${member.format} repository; upstreams of a ${self.format} virtual repository must be ${self.format}`);
  if (member.mode === 'VIRTUAL_REPOSITORY') throw bad(field, `"${clip(name)}" is a virtual repository; upstreams must be standard or remote repositories`);
}
