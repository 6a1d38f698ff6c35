// Pure helpers for what npm puts in URLs and packuments: package names (validate-npm-package-name), versions
// (semver), tarball file names, dist-tags and SRI integrity strings. No I/O. A client-supplied name is checked
// here and never becomes a file path (blobs are content-addressed).
import { createRequire } from 'node:module';
import { decodePercent } from '../../core/decode-percent.js';
import { clip } from '../../core/names.js';
import { EmulatorError } from '../../core/errors.js';
import type { ExpectedDigest } from '../../storage/ingest.js';

// Loaded at first use, not at startup: the emulator's idle memory and start time pay only for what is used.
const require = createRequire(import.meta.url);
let semverModule: typeof import('semver') | undefined;
let validateModule: typeof import('validate-npm-package-name') | undefined;
/** semver, loaded at first use */
export const semverLib = (): typeof import('semver') => (semverModule ??= require('semver') as typeof import('semver'));
const validateName = (name: string) => (validateModule ??= require('validate-npm-package-name') as typeof import('validate-npm-package-name'))(name);

/**
 * The package name a route captured (`@scope%2fname`, `@scope%2Fname`, `@scope/name` or `name`), decoded and
 * validated: INVALID_ARGUMENT naming the rule it breaks. `forPublish` applies the rules for new packages
 * (no capitals, no more than 214 characters, …); reads accept the legacy names too.
 */
export function packageNameParam(raw: string, forPublish = false): string {
  const name = decodePercent(raw, 'package name');
  checkPackageName(name, forPublish);
  return name;
}

export function checkPackageName(name: string, forPublish = false): void {
  const result = validateName(name);
  const ok = forPublish ? result.validForNewPackages : result.validForOldPackages;
  if (!ok) {
    const why = [...(result.errors ?? []), ...(forPublish ? (result.warnings ?? []) : [])].join('; ');
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid package name "${clip(name)}": ${why}`, { field: 'name' });
  }
}

/** A version must be a valid semver version (as npm itself requires); the clean form is what is stored. */
export function checkVersion(version: unknown, name: string): string {
  if (typeof version !== 'string' || semverLib().valid(version) !== version) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid version "${clip(String(version))}" for ${clip(name)}: versions must be valid semver (https://semver.org)`, { field: 'version' });
  }
  return version;
}

/** `@scope/name` → `name`. */
export function unscoped(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

/** The file name npm's registry gives a version's tarball: `name-1.0.0.tgz` (unscoped). */
export function tarballFileName(name: string, version: string): string {
  return `${unscoped(name)}-${version}.tgz`;
}

/**
 * The version a tarball file name of package `name` stands for. A name with a path in it (`../`, `%2e%2e`,
 * `\`, NUL) is INVALID_ARGUMENT; one that cannot be this package's tarball is NOT_FOUND.
 */
export function versionOfTarball(name: string, rawFile: string): string {
  const file = decodePercent(rawFile, 'tarball file name');
  if (/[/\\\0]/.test(file) || file.includes('..')) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid tarball file name "${clip(file)}": it must not contain a path`, { field: 'file' });
  }
  const prefix = `${unscoped(name)}-`;
  const version = file.startsWith(prefix) && file.endsWith('.tgz') ? file.slice(prefix.length, -4) : '';
  if (!semverLib().valid(version) || semverLib().valid(version) !== version) {
    throw new EmulatorError('NOT_FOUND', `${clip(file)} is not a tarball of ${clip(name)}`);
  }
  return version;
}

/**
 * A dist-tag must not be empty, must be usable in a URL segment as is, and must not parse as a semver range
 * (npm refuses those too: `npm install pkg@1.x` would be ambiguous).
 */
export function checkDistTag(tag: string): string {
  if (!tag || tag.length > 128 || encodeURIComponent(tag) !== tag || semverLib().validRange(tag) !== null) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid dist-tag "${clip(tag)}": a tag must be URL-safe and must not be a semver range`, { field: 'tag' });
  }
  return tag;
}

const SRI_ALGORITHMS = { sha1: 20, sha256: 32, sha512: 64 } as const;

/**
 * The digests an SRI string (`sha512-<base64> [sha1-<base64>…]`, https://www.w3.org/TR/SRI/) asserts, as
 * expected digests for the ingest path. Unknown algorithms are ignored (SRI says so); a malformed entry is
 * INVALID_ARGUMENT.
 */
export function integrityDigests(sri: string): ExpectedDigest[] {
  const out: ExpectedDigest[] = [];
  for (const entry of sri.trim().split(/\s+/)) {
    const dash = entry.indexOf('-');
    const algorithm = entry.slice(0, dash);
    if (!(algorithm in SRI_ALGORITHMS)) continue;
    const b64 = entry.slice(dash + 1).replace(/\?.*$/, '');
    const bytes = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || bytes.length !== SRI_ALGORITHMS[algorithm as keyof typeof SRI_ALGORITHMS]) {
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid dist.integrity "${clip(entry)}"`, { field: 'dist.integrity' });
    }
    out.push({ algorithm: algorithm as ExpectedDigest['algorithm'], hex: bytes.toString('hex') });
  }
  return out;
}

/** `sha512-<base64>` of a hex sha512. */
export function sriOf(sha512Hex: string): string {
  return `sha512-${Buffer.from(sha512Hex, 'hex').toString('base64')}`;
}
