// OSV advisories (https://ossf.github.io/osv-schema/): validation of the fields the database and the matcher rely
// on, with a reason naming the field for whatever is refused, and the trimmed record the database keeps. Validation
// is by hand rather than against the JSON schema: the matcher needs more than the schema says (every range version
// must be a version of its ecosystem, at least one `introduced` per range, not both `fixed` and `last_affected`), and
// a reason such as `affected[0].ranges[1].events[2].fixed: "1.0bc" is not an Alpine version` is what a user can act on.
import { ECOSYSTEMS, parseEcosystem, type EcosystemBase } from './ecosystems.js';
import { severityOf, type SeverityInfo } from './severity.js';
import { SCHEMES } from './versions/index.js';

export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvRange {
  type: 'SEMVER' | 'ECOSYSTEM' | 'GIT';
  repo?: string;
  events: OsvEvent[];
  database_specific?: unknown;
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  severity?: Array<{ type: string; score: string }>;
  ranges?: OsvRange[];
  versions?: string[];
  ecosystem_specific?: unknown;
  database_specific?: unknown;
}

export interface OsvAdvisory {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  /** OSV 1.6: the upstream advisories (a DSA's CVEs) */
  upstream?: string[];
  summary?: string;
  details?: string;
  severity?: Array<{ type: string; score: string }>;
  affected?: OsvAffected[];
  references?: Array<{ type: string; url: string }>;
  credits?: unknown[];
  database_specific?: unknown;
}

/** What the database keeps per advisory: the (trimmed) OSV document and what was derived from it at import. */
export interface StoredAdvisory {
  osv: OsvAdvisory;
  severity: SeverityInfo;
  /** ecosystem bases it has affected packages in (the matcher's index) */
  ecosystems: EcosystemBase[];
  importedAt: string;
}

export const LIMITS = {
  /** the longest `details` kept (longer ones are cut, marked with …) */
  detailsChars: 16_384,
  /** the most references kept */
  references: 100,
  /** the largest stored record (the metadata store holds at most 1 MiB per record) */
  recordBytes: 1_000_000,
  idChars: 128,
  affected: 10_000,
  stringChars: 2_048,
};

/** OSV ids: `GHSA-pjwm-rvh2-c87w`, `CVE-2021-44228`, `DSA-5139-1`, `RHSA-2023:1234`, `GO-2022-1059`, `PYSEC-2023-74`. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const SEVERITY_TYPES = new Set(['CVSS_V2', 'CVSS_V3', 'CVSS_V4', 'Ubuntu']);
const RANGE_TYPES = new Set(['SEMVER', 'ECOSYSTEM', 'GIT']);
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

export type Validation =
  | { ok: true; advisory: OsvAdvisory; ecosystems: EcosystemBase[] }
  | { ok: false; id?: string; reason: string; ignored?: boolean };

class Invalid extends Error {}
const fail = (field: string, why: string): never => {
  throw new Invalid(`${field}: ${why}`);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);

function str(v: unknown, field: string, max = LIMITS.stringChars): string {
  if (typeof v !== 'string') fail(field, `must be a string, not ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  if ((v as string).length > max) fail(field, `is longer than ${max} characters`);
  return v as string;
}
function optStr(v: unknown, field: string, max?: number): string | undefined {
  return v === undefined ? undefined : str(v, field, max);
}
function time(v: unknown, field: string): string {
  const t = str(v, field, 64);
  if (!RFC3339.test(t) || !Number.isFinite(Date.parse(t))) fail(field, `${quote(t)} is not an RFC 3339 time such as 2021-12-10T00:40:56Z`);
  return t;
}
function strArray(v: unknown, field: string, maxItems = 10_000): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) fail(field, 'must be an array of strings');
  const a = v as unknown[];
  if (a.length > maxItems) fail(field, `has more than ${maxItems} entries`);
  return a.map((x, i) => str(x, `${field}[${i}]`));
}
function severities(v: unknown, field: string): Array<{ type: string; score: string }> | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) fail(field, 'must be an array of {type, score}');
  return (v as unknown[]).map((s, i) => {
    if (!isObject(s)) fail(`${field}[${i}]`, 'must be an object {type, score}');
    const o = s as Record<string, unknown>;
    const type = str(o.type, `${field}[${i}].type`, 32);
    if (!SEVERITY_TYPES.has(type)) fail(`${field}[${i}].type`, `${quote(type)} is not CVSS_V2, CVSS_V3, CVSS_V4 or Ubuntu`);
    return { type, score: str(o.score, `${field}[${i}].score`, 256) };
  });
}

/** Checks one parsed JSON value as an OSV advisory. */
export function validateOsv(doc: unknown): Validation {
  const id = isObject(doc) && typeof doc.id === 'string' ? doc.id.slice(0, LIMITS.idChars) : undefined;
  try {
    return validate(doc);
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, ...(id ? { id } : {}), reason: err.message };
    throw err;
  }
}

function validate(doc: unknown): Validation {
  if (!isObject(doc)) fail('document', `an OSV advisory is a JSON object, not ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc}`);
  const d = doc as Record<string, unknown>;
  const id = str(d.id, 'id', LIMITS.idChars);
  if (!ID.test(id)) fail('id', `${quote(id)} is not an advisory id (letters, digits, and . _ : - after the first)`);
  const advisory: OsvAdvisory = { id, modified: time(d.modified, 'modified') };
  const schemaVersion = optStr(d.schema_version, 'schema_version', 32);
  if (schemaVersion !== undefined) advisory.schema_version = schemaVersion;
  if (d.published !== undefined) advisory.published = time(d.published, 'published');
  if (d.withdrawn !== undefined) advisory.withdrawn = time(d.withdrawn, 'withdrawn');
  const aliases = strArray(d.aliases, 'aliases', 1000);
  if (aliases) advisory.aliases = aliases;
  const related = strArray(d.related, 'related', 1000);
  if (related) advisory.related = related;
  const upstream = strArray(d.upstream, 'upstream', 1000);
  if (upstream) advisory.upstream = upstream;
  const summary = optStr(d.summary, 'summary', 4096);
  if (summary !== undefined) advisory.summary = summary;
  const details = optStr(d.details, 'details', Number.MAX_SAFE_INTEGER);
  if (details !== undefined) advisory.details = details.length > LIMITS.detailsChars ? `${details.slice(0, LIMITS.detailsChars)}…` : details;
  const severity = severities(d.severity, 'severity');
  if (severity) advisory.severity = severity;
  if (d.references !== undefined) {
    if (!Array.isArray(d.references)) fail('references', 'must be an array of {type, url}');
    advisory.references = (d.references as unknown[]).slice(0, LIMITS.references).map((r, i) => {
      if (!isObject(r)) fail(`references[${i}]`, 'must be an object {type, url}');
      const o = r as Record<string, unknown>;
      return { type: str(o.type, `references[${i}].type`, 32), url: str(o.url, `references[${i}].url`) };
    });
  }
  if (d.credits !== undefined) {
    if (!Array.isArray(d.credits)) fail('credits', 'must be an array');
    advisory.credits = (d.credits as unknown[]).slice(0, 50);
  }
  if (d.database_specific !== undefined) {
    if (!isObject(d.database_specific)) fail('database_specific', 'must be an object');
    advisory.database_specific = d.database_specific;
  }

  const ecosystems = new Set<EcosystemBase>();
  let unsupported: string | undefined;
  if (d.affected !== undefined) {
    if (!Array.isArray(d.affected)) fail('affected', 'must be an array');
    const list = d.affected as unknown[];
    if (list.length > LIMITS.affected) fail('affected', `has more than ${LIMITS.affected} entries`);
    advisory.affected = list.map((a, i) => {
      const r = affected(a, `affected[${i}]`);
      if (r.base) ecosystems.add(r.base);
      else unsupported ??= r.value.package?.ecosystem;
      return r.value;
    });
  }
  if (advisory.withdrawn === undefined && ecosystems.size === 0) {
    return {
      ok: false, id, ignored: true,
      reason: unsupported !== undefined
        ? `no affected package in an ecosystem the emulator matches (${quote(unsupported)}; it matches ${Object.keys(ECOSYSTEMS).join(', ')})`
        : 'no affected package (affected[].package)',
    };
  }
  return { ok: true, advisory, ecosystems: [...ecosystems] };
}

function affected(a: unknown, field: string): { value: OsvAffected; base?: EcosystemBase } {
  if (!isObject(a)) fail(field, 'must be an object');
  const o = a as Record<string, unknown>;
  const value: OsvAffected = {};
  let base: EcosystemBase | undefined;
  if (o.package !== undefined) {
    if (!isObject(o.package)) fail(`${field}.package`, 'must be an object {ecosystem, name}');
    const p = o.package as Record<string, unknown>;
    const ecosystem = str(p.ecosystem, `${field}.package.ecosystem`, 256);
    const name = str(p.name, `${field}.package.name`, 512);
    if (!name) fail(`${field}.package.name`, 'is empty');
    value.package = { ecosystem, name, ...(typeof p.purl === 'string' ? { purl: p.purl.slice(0, 1024) } : {}) };
    base = parseEcosystem(ecosystem)?.base;
  }
  const severity = severities(o.severity, `${field}.severity`);
  if (severity) value.severity = severity;
  const versions = strArray(o.versions, `${field}.versions`, 100_000);
  if (versions) value.versions = versions;
  if (o.ecosystem_specific !== undefined) value.ecosystem_specific = o.ecosystem_specific;
  if (o.database_specific !== undefined) value.database_specific = o.database_specific;
  if (o.ranges !== undefined) {
    if (!Array.isArray(o.ranges)) fail(`${field}.ranges`, 'must be an array');
    value.ranges = (o.ranges as unknown[]).map((r, j) => range(r, `${field}.ranges[${j}]`, base));
  }
  return { value, ...(base ? { base } : {}) };
}

function range(r: unknown, field: string, base: EcosystemBase | undefined): OsvRange {
  if (!isObject(r)) fail(field, 'must be an object {type, events}');
  const o = r as Record<string, unknown>;
  const type = str(o.type, `${field}.type`, 32);
  if (!RANGE_TYPES.has(type)) fail(`${field}.type`, `${quote(type)} is not SEMVER, ECOSYSTEM or GIT`);
  const out: OsvRange = { type: type as OsvRange['type'], events: [] };
  if (o.repo !== undefined) out.repo = str(o.repo, `${field}.repo`);
  if (type === 'GIT' && !out.repo) fail(`${field}.repo`, 'is required for a GIT range');
  if (!Array.isArray(o.events) || o.events.length === 0) fail(`${field}.events`, 'must be a non-empty array');
  if (o.database_specific !== undefined) out.database_specific = o.database_specific;
  // the scheme its versions must follow: SEMVER ranges are SemVer 2.0 (Go's flavour in Go), ECOSYSTEM ones the ecosystem's
  const scheme = base === undefined || type === 'GIT' ? undefined : type === 'SEMVER' ? SCHEMES[base === 'Go' ? 'go' : 'semver'] : SCHEMES[ECOSYSTEMS[base].scheme];
  let introduced = 0;
  const kinds = new Set<string>();
  (o.events as unknown[]).forEach((e, k) => {
    const ef = `${field}.events[${k}]`;
    if (!isObject(e)) fail(ef, 'must be an object with one of introduced, fixed, last_affected, limit');
    const keys = Object.keys(e as object).filter((key) => key !== 'database_specific');
    const key = keys[0] as (typeof EVENT_KEYS)[number];
    if (keys.length !== 1 || !EVENT_KEYS.includes(key)) fail(ef, 'must hold exactly one of introduced, fixed, last_affected, limit');
    const version = str((e as Record<string, unknown>)[key], `${ef}.${key}`, 256);
    if (!version) fail(`${ef}.${key}`, 'is empty');
    if (scheme && !(key === 'introduced' && version === '0') && !(key === 'limit' && version === '*') && !scheme.valid(version)) {
      fail(`${ef}.${key}`, `${quote(version)} is not a ${type === 'SEMVER' ? 'SemVer' : base} version`);
    }
    if (key === 'introduced') introduced++;
    kinds.add(key);
    out.events.push({ [key]: version } as OsvEvent);
  });
  if (introduced === 0) fail(`${field}.events`, 'must hold at least one "introduced" event');
  if (kinds.has('fixed') && kinds.has('last_affected')) fail(`${field}.events`, 'may hold "fixed" or "last_affected" events, not both');
  return out;
}

/** The record to store for a validated advisory, or the reason it cannot be kept (too large even when trimmed). */
export function toStored(advisory: OsvAdvisory, ecosystems: EcosystemBase[], importedAt: string): StoredAdvisory | { problem: string } {
  const ds = advisory.database_specific as Record<string, unknown> | undefined;
  const severity = severityOf({
    id: advisory.id, aliases: advisory.aliases,
    severity: advisory.severity ?? advisory.affected?.find((a) => a.severity?.length)?.severity,
    databaseSpecificSeverity: ds?.severity,
  });
  const record: StoredAdvisory = { osv: advisory, severity, ecosystems, importedAt };
  let size = Buffer.byteLength(JSON.stringify(record));
  if (size > LIMITS.recordBytes && advisory.credits) {
    delete advisory.credits;
    size = Buffer.byteLength(JSON.stringify(record));
  }
  if (size > LIMITS.recordBytes) {
    return { problem: `is ${size} bytes even with details cut to ${LIMITS.detailsChars} characters; the database keeps at most ${LIMITS.recordBytes} bytes per advisory` };
  }
  return record;
}
