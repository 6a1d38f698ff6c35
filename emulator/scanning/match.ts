// Matching (pure): an installed package against the advisories of its ecosystem and name, by OSV's evaluation rules
// (https://ossf.github.io/osv-schema/#evaluation): a version is affected when it is listed in `versions`, or when,
// walking a SEMVER/ECOSYSTEM range's events in version order, the last `introduced` at or below it is not followed
// by a `fixed` at or below it or a `last_affected` below it (and it is below the range's `limit`, if any). Every
// comparison is the ecosystem's own; a version that does not parse matches nothing. GIT ranges name commits, not
// versions, and are not matched. Withdrawn advisories match nothing.
import { ECOSYSTEMS, normalizePackageName, parseEcosystem, releaseApplies, type EcosystemBase } from './ecosystems.js';
import type { OsvAffected, OsvRange, StoredAdvisory } from './osv.js';
import type { CvssVersion, Severity } from './severity.js';
import { SCHEMES, type VersionScheme } from './versions/index.js';

export interface InventoryItem {
  /** an ecosystem base (`Debian`, `npm`…) or an OSV ecosystem with its release (`Debian:12`) */
  ecosystem: string;
  name: string;
  version: string;
  /** VERSION_ID of /etc/os-release, for OS packages (`12`, `3.18.4`, `9.3`) */
  release?: string;
  /**
   * The source package of an OS package (dpkg `Source:`, apk origin `o:`, rpm source rpm), which is what Debian's
   * and Alpine's advisories name (`openssl` for `libssl3`); matched in place of `name`/`version` when given.
   */
  source?: { name: string; version?: string };
}

export interface Finding {
  id: string;
  aliases: string[];
  summary?: string;
  severity: Severity;
  cvssScore?: number;
  cvssVersion?: CvssVersion;
  /** the package the advisory names, and its ecosystem string (`Debian:12`) */
  package: { ecosystem: string; name: string };
  /** the installed version that matched */
  version: string;
  /** what matched: the range's type and bounds, or the explicit versions list */
  affectedRange: { type: 'SEMVER' | 'ECOSYSTEM' | 'VERSIONS'; introduced?: string; fixed?: string; lastAffected?: string; limit?: string };
  /** the first fixed version above the installed one, when the advisory names one */
  fixedVersion?: string;
}

/** The advisories of an ecosystem base and normalized package name: what the database's index answers. */
export type AdvisoryLookup = (base: EcosystemBase, name: string) => Iterable<StoredAdvisory>;

export function matchItem(item: InventoryItem, lookup: AdvisoryLookup): Finding[] {
  const parsed = parseEcosystem(item.ecosystem);
  if (!parsed) return [];
  const base = parsed.base;
  const release = item.release ?? parsed.release;
  const name = ECOSYSTEMS[base].os && item.source?.name ? item.source.name : item.name;
  const version = ECOSYSTEMS[base].os && item.source?.name && item.source.version ? item.source.version : item.version;
  const key = normalizePackageName(base, name);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const stored of lookup(base, key)) {
    const osv = stored.osv;
    if (osv.withdrawn || seen.has(osv.id)) continue;
    for (const affected of osv.affected ?? []) {
      const pkg = affected.package;
      if (!pkg) continue;
      const eco = parseEcosystem(pkg.ecosystem);
      if (!eco || eco.base !== base || !namesPackage(base, normalizePackageName(base, pkg.name), key)) continue;
      if (!releaseApplies(base, eco.release, release)) continue;
      const hit = matchAffected(affected, base, version);
      if (!hit) continue;
      seen.add(osv.id);
      findings.push({
        id: osv.id,
        aliases: [...new Set([...(osv.aliases ?? []), ...(osv.upstream ?? [])])],
        ...(osv.summary !== undefined ? { summary: osv.summary } : {}),
        severity: stored.severity.severity,
        ...(stored.severity.cvssScore !== undefined ? { cvssScore: stored.severity.cvssScore, cvssVersion: stored.severity.cvssVersion } : {}),
        package: { ecosystem: pkg.ecosystem, name: pkg.name },
        version,
        affectedRange: hit.range,
        ...(hit.fixed !== undefined ? { fixedVersion: hit.fixed } : {}),
      });
      break;
    }
  }
  return findings;
}

/**
 * Does an advisory's package name `advised` name the installed package `installed`? The same name; and for Go, a
 * package path inside the installed module too (GitHub's advisories name Go packages, `golang.org/x/text/language`,
 * while a binary's build info lists modules, `golang.org/x/text`), but not one inside a major-version module below
 * it (`…/v2/…` is another module).
 */
export function namesPackage(base: EcosystemBase, advised: string, installed: string): boolean {
  if (advised === installed) return true;
  if (base !== 'Go' || !advised.startsWith(`${installed}/`)) return false;
  return !/^v\d+(\/|$)/.test(advised.slice(installed.length + 1));
}

/** The module paths a Go package path may belong to (its ancestors with at least one `/`), for the lookup index. */
export function goModuleCandidates(path: string): string[] {
  const out: string[] = [];
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    if (!prefix.includes('/')) break;
    out.push(prefix);
  }
  return out;
}

interface Hit {
  range: Finding['affectedRange'];
  fixed?: string;
}

/** Whether `version` is affected by one `affected[]` entry of ecosystem `base`. */
export function matchAffected(affected: OsvAffected, base: EcosystemBase, version: string): Hit | undefined {
  const eco = SCHEMES[ECOSYSTEMS[base].scheme];
  if (!eco.valid(version)) return undefined;
  for (const range of affected.ranges ?? []) {
    if (range.type === 'GIT') continue;
    const scheme = range.type === 'SEMVER' ? SCHEMES[base === 'Go' ? 'go' : 'semver'] : eco;
    const hit = matchRange(range, scheme, version);
    if (hit) return hit;
  }
  for (const listed of affected.versions ?? []) {
    const c = eco.compare(listed, version);
    if (c === 0 || (c === undefined && listed === version)) return { range: { type: 'VERSIONS' } };
  }
  return undefined;
}

type Ev = { kind: 'introduced' | 'fixed' | 'last_affected' | 'limit'; version: string };

export function matchRange(range: OsvRange, scheme: VersionScheme, version: string): Hit | undefined {
  if (!scheme.valid(version)) return undefined;
  const events: Ev[] = range.events.map((e) => {
    const kind = Object.keys(e)[0] as Ev['kind'];
    return { kind, version: (e as Record<string, string>)[kind]! };
  });
  const limits = events.filter((e) => e.kind === 'limit' && e.version !== '*');
  const bounds = events.filter((e) => e.kind !== 'limit');
  const cmp = (a: string, b: string): number => {
    if (a === b) return 0;
    if (a === '0') return -1; // introduced "0": before every version
    if (b === '0') return 1;
    return scheme.compare(a, b) ?? 0;
  };
  bounds.sort((a, b) => cmp(a.version, b.version));
  let open: Ev | undefined;
  let affectedNow = false;
  for (const e of bounds) {
    if (e.kind === 'introduced') {
      if (e.version === '0' || cmp(version, e.version) >= 0) {
        affectedNow = true;
        open = e;
      }
    } else if (e.kind === 'fixed') {
      if (cmp(version, e.version) >= 0) affectedNow = false;
    } else if (e.kind === 'last_affected') {
      if (cmp(version, e.version) > 0) affectedNow = false;
    }
  }
  if (!affectedNow || !open) return undefined;
  if (limits.length && !limits.some((l) => cmp(version, l.version) < 0)) return undefined;
  // the interval that holds the version: its introduced and the first upper bound above the version
  const upper = bounds.find((e) => (e.kind === 'fixed' && cmp(version, e.version) < 0) || (e.kind === 'last_affected' && cmp(version, e.version) <= 0));
  const out: Hit = { range: { type: range.type as 'SEMVER' | 'ECOSYSTEM', introduced: open.version } };
  if (upper?.kind === 'fixed') {
    out.range.fixed = upper.version;
    out.fixed = upper.version;
  } else if (upper?.kind === 'last_affected') out.range.lastAffected = upper.version;
  if (limits[0]) out.range.limit = limits[0].version;
  return out;
}
