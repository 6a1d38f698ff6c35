// Pure helpers for Python package names, versions and distribution file names (no I/O): PEP 503 name
// normalisation, PEP 440 versions (@renovatebot/pep440), and the checks the upload API applies to a file name.
// https://peps.python.org/pep-0503/#normalized-names · https://packaging.python.org/specifications/binary-distribution-format/
import { createRequire } from 'node:module';
import { EmulatorError } from '../../core/errors.js';

// Loaded at first use, not at startup: the emulator's idle memory and start time pay only for what is used.
const require = createRequire(import.meta.url);
let pep440Module: typeof import('@renovatebot/pep440') | undefined;
/** @renovatebot/pep440, loaded at first use */
export const pep440 = (): typeof import('@renovatebot/pep440') => (pep440Module ??= require('@renovatebot/pep440') as typeof import('@renovatebot/pep440'));

/** A project name PyPI accepts (core metadata `Name`): letters, digits, `.`, `_`, `-`, alphanumeric at both ends. */
const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
export const MAX_NAME_LENGTH = 200;
export const MAX_FILENAME_LENGTH = 255;

export type FileType = 'bdist_wheel' | 'sdist';

export function isValidProjectName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && PROJECT_NAME.test(name);
}

/** PEP 503: runs of `-`, `_` and `.` become one `-`, and the name is lower-cased. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The PEP 440 normal form of `version` (`1.0-RC1` → `1.0rc1`), or undefined when it is not a PEP 440 version. */
export function normalizeVersion(version: string): string | undefined {
  if (version.length > 128 || version.trim() !== version) return undefined;
  const v = pep440().explain(version);
  if (!v) return undefined;
  // `public` is the normal form without the local part (the library's clean() garbles local segments)
  return v.local ? `${v.public}+${v.local}` : v.public;
}

/** 400 in warehouse's words for a form field that failed validation. */
export function invalidField(field: string, value: string, error: string): EmulatorError {
  return new EmulatorError('INVALID_ARGUMENT', `'${value.slice(0, 80)}' is an invalid value for ${field}. Error: ${error} See https://packaging.python.org/specifications/core-metadata for more information.`);
}

export interface ParsedFilename {
  filetype: FileType;
  /** the project part of the name, as written */
  project: string;
  /** the version part of the name, as written */
  version: string;
}

/**
 * Checks a distribution file name: no path parts, a wheel (`.whl`) or sdist (`.tar.gz`, `.zip`) extension,
 * and a name and version that match the upload's (compared normalized). Warehouse's texts (forklift/legacy.py).
 */
export function checkFilename(filename: string, expected: { name: string; version: string; filetype?: string }): ParsedFilename {
  if (filename.includes('/') || filename.includes('\\')) throw new EmulatorError('INVALID_ARGUMENT', "Cannot upload a file with '/' or '\\' in the name.");
   
  if (/[\x00-\x1f\x7f]/.test(filename) || filename.startsWith('.') || filename.includes('..') || filename.length > MAX_FILENAME_LENGTH) {
    throw new EmulatorError('INVALID_ARGUMENT', 'Invalid distribution file name.');
  }
  const parsed = parseFilename(filename);
  if (!parsed) {
    throw new EmulatorError(
      'INVALID_ARGUMENT',
      'Invalid file extension: Use .tar.gz, .whl or .zip extension. See https://www.python.org/dev/peps/pep-0527 and https://peps.python.org/pep-0715/ for more information',
    );
  }
  if (expected.filetype && expected.filetype !== parsed.filetype) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for filetype: a ${filename.endsWith('.whl') ? 'wheel' : 'source distribution'} is uploaded as ${parsed.filetype}, not ${expected.filetype}.`);
  }
  if (normalizeName(parsed.project) !== normalizeName(expected.name)) {
    const prefix = parsed.filetype === 'bdist_wheel' ? expected.name.replace(/[-_.]+/g, '_') : expected.name;
    throw new EmulatorError('INVALID_ARGUMENT', `Start filename for '${expected.name}' with '${prefix}'.`);
  }
  if (normalizeVersion(parsed.version) !== normalizeVersion(expected.version)) {
    throw new EmulatorError('INVALID_ARGUMENT', `Version in filename should be '${expected.version}' not '${parsed.version}'.`);
  }
  return parsed;
}

/**
 * Splits a wheel name (`{name}-{version}(-{build})?-{py}-{abi}-{platform}.whl`) or an sdist name
 * (`{name}-{version}.tar.gz|.zip`, where the name may contain `-`); undefined for any other extension.
 */
export function parseFilename(filename: string): ParsedFilename | undefined {
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length !== 5 && parts.length !== 6) return undefined;
    if (parts.some((p) => p === '')) return undefined;
    return { filetype: 'bdist_wheel', project: parts[0]!, version: parts[1]! };
  }
  const ext = ['.tar.gz', '.zip'].find((e) => filename.endsWith(e));
  if (!ext) return undefined;
  const stem = filename.slice(0, -ext.length);
  // the version is what follows the last `-` after which a PEP 440 version parses (names may hold `-`)
  for (let i = stem.lastIndexOf('-'); i > 0; i = stem.lastIndexOf('-', i - 1)) {
    const version = stem.slice(i + 1);
    if (normalizeVersion(version) !== undefined) return { filetype: 'sdist', project: stem.slice(0, i), version };
  }
  return { filetype: 'sdist', project: stem, version: '' };
}

/** The `*.dist-info/METADATA` member of a wheel (the dist-info directory is `{name}-{version}.dist-info`). */
export function isWheelMetadataPath(path: string): boolean {
  const parts = path.split('/');
  return parts.length === 2 && parts[0]!.endsWith('.dist-info') && parts[1] === 'METADATA' && !parts[0]!.startsWith('.');
}

/** `Requires-Python` from core metadata (RFC 822 headers), if present. */
export function requiresPythonOf(metadata: string): string | undefined {
  const head = metadata.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const m = /^Requires-Python:[ \t]*(.*)$/im.exec(head);
  return m?.[1]?.trim() || undefined;
}
