// The version scheme of each ecosystem the advisory database matches: compare(a, b) is -1, 0 or 1 by that
// ecosystem's own rules, or undefined when either version is not one of its versions (no finding is ever made from a
// version that does not parse). npm: `semver` (npm's own). Go: `semver` after Go's rules (x/mod/semver: a `v`
// prefix, `v1` and `v1.2` shorthands, build metadata such as +incompatible ignored; pseudo-versions are pre-releases
// and sort as such). PyPI: `@renovatebot/pep440` (PEP 440). Debian/Ubuntu, Alpine, RPM and Maven: ported here (see
// each file for the source it follows and why no library).
import { createRequire } from 'node:module';
import { compareApk, validApk } from './apk.js';
import { compareDpkg, parseDpkg } from './dpkg.js';
import { compareMaven, validMaven } from './maven.js';
import { compareRpm, parseEvr } from './rpm.js';

const require = createRequire(import.meta.url);
let semverModule: typeof import('semver') | undefined;
let pep440Module: typeof import('@renovatebot/pep440') | undefined;
// loaded at first use, as the formats do: the emulator's start pays only for what it uses
const semver = () => (semverModule ??= require('semver') as typeof import('semver'));
const pep440 = () => (pep440Module ??= require('@renovatebot/pep440') as typeof import('@renovatebot/pep440'));

export type SchemeId = 'dpkg' | 'apk' | 'rpm' | 'semver' | 'pep440' | 'maven' | 'go';

export interface VersionScheme {
  readonly id: SchemeId;
  valid(version: string): boolean;
  /** -1, 0, 1, or undefined when either does not parse */
  compare(a: string, b: string): number | undefined;
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

const dpkg: VersionScheme = { id: 'dpkg', valid: (v) => parseDpkg(v) !== undefined, compare: compareDpkg };

const apk: VersionScheme = {
  id: 'apk',
  valid: (v) => v.length > 0 && v.length <= 256 && validApk(v),
  compare: (a, b) => (a && b && validApk(a) && validApk(b) ? compareApk(a, b) : undefined),
};

const rpm: VersionScheme = { id: 'rpm', valid: (v) => parseEvr(v) !== undefined, compare: compareRpm };

const npmSemver: VersionScheme = {
  id: 'semver',
  valid: (v) => v.length <= 256 && semver().valid(v) !== null,
  compare: (a, b) => {
    const s = semver();
    if (a.length > 256 || b.length > 256 || !s.valid(a) || !s.valid(b)) return undefined;
    return sign(s.compare(a, b));
  },
};

const pypi: VersionScheme = {
  id: 'pep440',
  valid: (v) => v.length <= 256 && pep440().valid(v) !== null,
  compare: (a, b) => {
    const p = pep440();
    if (a.length > 256 || b.length > 256 || !p.valid(a) || !p.valid(b)) return undefined;
    return sign(p.compare(a, b));
  },
};

const maven: VersionScheme = {
  id: 'maven',
  valid: validMaven,
  compare: (a, b) => (validMaven(a) && validMaven(b) ? sign(compareMaven(a, b)) : undefined),
};

/** Go's canonical semver for `v` (with or without the `v`), or undefined when Go would refuse it. */
export function goSemver(version: string): string | undefined {
  if (version.length > 256) return undefined;
  const v = version.startsWith('v') ? version.slice(1) : version;
  // x/mod/semver: vMAJOR and vMAJOR.MINOR are shorthands for .0 (without pre-release or build)
  const short = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/.exec(v);
  const full = short ? `${short[1]}.${short[2] ?? '0'}.0` : v;
  return semver().valid(full) === null ? undefined : full;
}

const go: VersionScheme = {
  id: 'go',
  valid: (v) => goSemver(v) !== undefined,
  compare: (a, b) => {
    const ga = goSemver(a);
    const gb = goSemver(b);
    return ga && gb ? sign(semver().compare(ga, gb)) : undefined;
  },
};

export const SCHEMES: Record<SchemeId, VersionScheme> = { dpkg, apk, rpm, semver: npmSemver, pep440: pypi, maven, go };
