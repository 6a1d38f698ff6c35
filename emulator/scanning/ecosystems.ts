// The OSV ecosystems the advisory database matches, their version schemes, package-name rules and distribution
// releases. OSV names an OS ecosystem with its release (`Debian:12`, `Alpine:v3.18`, `Rocky Linux:8`,
// `Red Hat:enterprise_linux:9::appstream`, `Ubuntu:22.04:LTS`); language ecosystems have none.
import type { SchemeId } from './versions/index.js';

export type EcosystemBase = 'Debian' | 'Ubuntu' | 'Alpine' | 'Red Hat' | 'Rocky Linux' | 'AlmaLinux' | 'npm' | 'PyPI' | 'Maven' | 'Go';

export const ECOSYSTEMS: Record<EcosystemBase, { scheme: SchemeId; os: boolean }> = {
  Debian: { scheme: 'dpkg', os: true },
  Ubuntu: { scheme: 'dpkg', os: true },
  Alpine: { scheme: 'apk', os: true },
  'Red Hat': { scheme: 'rpm', os: true },
  'Rocky Linux': { scheme: 'rpm', os: true },
  AlmaLinux: { scheme: 'rpm', os: true },
  npm: { scheme: 'semver', os: false },
  PyPI: { scheme: 'pep440', os: false },
  Maven: { scheme: 'maven', os: false },
  Go: { scheme: 'go', os: false },
};

export const SUPPORTED_ECOSYSTEMS = Object.keys(ECOSYSTEMS) as EcosystemBase[];

export interface ParsedEcosystem {
  base: EcosystemBase;
  /** the distribution release the advisory applies to (`12`, `3.18`, `8`, `22.04`, `8.6`), if it names one */
  release?: string;
}

/** `Debian:12` → {Debian, 12}; undefined for an ecosystem the database does not match (GitHub Actions, crates.io…). */
export function parseEcosystem(ecosystem: string): ParsedEcosystem | undefined {
  const colon = ecosystem.indexOf(':');
  const base = (colon < 0 ? ecosystem : ecosystem.slice(0, colon)) as EcosystemBase;
  if (!Object.hasOwn(ECOSYSTEMS, base)) return undefined;
  const rest = colon < 0 ? '' : ecosystem.slice(colon + 1);
  if (!ECOSYSTEMS[base].os || !rest) return { base };
  let release: string | undefined;
  if (base === 'Alpine') release = /^v?(\d+\.\d+)$/.exec(rest)?.[1];
  else if (base === 'Ubuntu') release = rest.split(':').find((p) => /^\d+\.\d+$/.test(p));
  else if (base === 'Red Hat') release = rest.split(':')[1]; // product:release::stream
  else release = rest.split(':')[0];
  return release ? { base, release } : { base };
}

/** The key an advisory's package and an installed package share: PEP 503 for PyPI, the name as it is elsewhere. */
export function normalizePackageName(base: EcosystemBase, name: string): string {
  return base === 'PyPI' ? name.replace(/[-_.]+/g, '-').toLowerCase() : name;
}

/**
 * Whether an advisory for `advisoryRelease` applies to a system of release `installed` (VERSION_ID of
 * /etc/os-release: `12`, `3.18.4`, `8.9`, `22.04`): the same Debian release, Alpine major.minor, RHEL/Rocky/Alma major
 * (or, for a minor-release stream such as `Red Hat:rhel_eus:8.6`, the same major.minor). An advisory naming no release
 * applies to every release; an installed package without a release matches only those.
 */
export function releaseApplies(base: EcosystemBase, advisoryRelease: string | undefined, installed: string | undefined): boolean {
  if (advisoryRelease === undefined) return true;
  if (installed === undefined) return false;
  const parts = installed.split('.');
  switch (base) {
    case 'Alpine':
      return parts.slice(0, 2).join('.') === advisoryRelease;
    case 'Red Hat':
    case 'Rocky Linux':
    case 'AlmaLinux':
      return advisoryRelease.includes('.') ? parts.slice(0, 2).join('.') === advisoryRelease : parts[0] === advisoryRelease;
    case 'Debian':
      return parts[0] === advisoryRelease;
    default:
      return installed === advisoryRelease;
  }
}
