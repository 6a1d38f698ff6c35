// Go module paths, file paths and versions, checked as golang.org/x/mod/module and x/mod/semver check them
// (module.CheckPath, CheckFilePath, Check, CanonicalVersion, EscapePath/UnescapePath), and version order for
// `@v/list` and `@latest`. Pure: no I/O. The GOPROXY protocol: https://go.dev/ref/mod#goproxy-protocol.
import { EmulatorError } from '../../core/errors.js';
import { clip } from '../../core/names.js';

const MODULE_PATH = 'module path';
const FILE_PATH = 'file path';
type PathKind = typeof MODULE_PATH | typeof FILE_PATH;

/** Windows reserved names (x/mod module.badWindowsNames), refused as path element components. */
const BAD_WINDOWS_NAMES = new Set(['CON', 'PRN', 'AUX', 'NUL', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((i) => [`COM${i}`, `LPT${i}`])]);
/** The longest module path accepted: x/mod sets none; a request line has to carry it [U]. */
export const MAX_MODULE_PATH = 1024;

const invalid = (message: string) => new EmulatorError('INVALID_ARGUMENT', message);

function modPathOK(c: string): boolean {
  return /^[-._~0-9A-Za-z]$/.test(c);
}

function fileNameOK(c: string): boolean {
  if (c.codePointAt(0)! < 0x80) return /^[0-9A-Za-z!#$%&()+,\-.=@[\]^_{}~ ]$/.test(c);
  return /^\p{L}$/u.test(c);
}

/** Why `elem` is not a valid element of a path of `kind`, or undefined (x/mod module.checkElem). */
function elemProblem(elem: string, kind: PathKind): string | undefined {
  if (elem === '') return 'empty path element';
  if (/^\.+$/.test(elem)) return `invalid path element "${elem}"`;
  if (elem[0] === '.' && kind === MODULE_PATH) return 'leading dot in path element';
  if (elem.endsWith('.')) return 'trailing dot in path element';
  for (const c of elem) {
    if (!(kind === MODULE_PATH ? modPathOK(c) : fileNameOK(c))) return `invalid char ${JSON.stringify(c)}`;
  }
  const dot = elem.indexOf('.');
  const short = dot >= 0 ? elem.slice(0, dot) : elem;
  if (BAD_WINDOWS_NAMES.has(short.toUpperCase())) return `"${short}" disallowed as path element component on Windows`;
  if (kind === FILE_PATH) return undefined;
  const tilde = short.lastIndexOf('~');
  if (tilde >= 0 && tilde < short.length - 1 && /^\d+$/.test(short.slice(tilde + 1))) return 'trailing tilde and digits in path element';
  return undefined;
}

/** Why `path` is not a valid path of `kind`, or undefined (x/mod module.checkPath). */
function pathProblem(path: string, kind: PathKind): string | undefined {
  if (path === '') return 'empty string';
  if (path.includes('\uFFFD')) return 'invalid UTF-8';
  if (path[0] === '-' && kind !== FILE_PATH) return 'leading dash';
  if (path.includes('//')) return 'double slash';
  if (path.endsWith('/')) return 'trailing slash';
  for (const elem of path.split('/')) {
    const p = elemProblem(elem, kind);
    if (p) return p;
  }
  return undefined;
}

/** Why `path` is not a valid module path, or undefined (x/mod module.CheckPath). */
export function modulePathProblem(path: string): string | undefined {
  if (path.length > MAX_MODULE_PATH) return `longer than ${MAX_MODULE_PATH} characters`;
  const p = pathProblem(path, MODULE_PATH);
  if (p) return p;
  const slash = path.indexOf('/');
  const first = slash < 0 ? path : path.slice(0, slash);
  if (first === '') return 'leading slash';
  if (!first.includes('.')) return 'missing dot in first path element';
  for (const c of first) if (!/^[-.0-9a-z]$/.test(c)) return `invalid char ${JSON.stringify(c)} in first path element`;
  if (!splitPathVersion(path)) return 'invalid version';
  return undefined;
}

/** module.CheckPath: INVALID_ARGUMENT naming the problem. */
export function checkModulePath(path: string): void {
  const p = modulePathProblem(path);
  if (p) throw invalid(`malformed module path "${clip(path)}": ${p}`);
}

/** Why `path` is not a valid file path inside a module zip, or undefined (x/mod module.CheckFilePath). */
export function filePathProblem(path: string): string | undefined {
  return pathProblem(path, FILE_PATH);
}

/** `example.com/m/v2` → prefix `example.com/m`, pathMajor `/v2`; undefined when the suffix is malformed (module.SplitPathVersion). */
export function splitPathVersion(path: string): { prefix: string; pathMajor: string } | undefined {
  if (path.startsWith('gopkg.in/')) {
    const m = /^(gopkg\.in\/.+?)(\.v(?:0|[1-9]\d*)(?:-unstable)?)$/.exec(path);
    return m ? { prefix: m[1]!, pathMajor: m[2]! } : undefined;
  }
  let i = path.length;
  let dot = false;
  while (i > 0 && /[0-9.]/.test(path[i - 1]!)) {
    if (path[i - 1] === '.') dot = true;
    i--;
  }
  if (i <= 1 || i === path.length || path[i - 1] !== 'v' || path[i - 2] !== '/') return { prefix: path, pathMajor: '' };
  const pathMajor = path.slice(i - 2);
  if (dot || pathMajor.length <= 2 || pathMajor[2] === '0' || pathMajor === '/v1') return undefined;
  return { prefix: path.slice(0, i - 2), pathMajor };
}

// x/mod/semver: vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]; the canonical form has all three numbers and no build
// metadata but `+incompatible` (module.CanonicalVersion).
const NUM = '(?:0|[1-9]\\d*)';
const PRE_ID = `(?:${NUM}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const CANONICAL = new RegExp(`^v(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(\\+incompatible)?$`);

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  /** dot-separated pre-release identifiers, empty for a release */
  prerelease: string[];
  incompatible: boolean;
}

/** The parts of a canonical semantic version, or undefined when it is not one. */
export function parseVersion(v: string): ParsedVersion | undefined {
  const m = CANONICAL.exec(v);
  if (!m || v.length > 256) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [], incompatible: m[5] !== undefined };
}

export const isPrerelease = (v: string) => (parseVersion(v)?.prerelease.length ?? 0) > 0;

/** `v0.0.0-20230101000000-abcdef123456` and its kin (module.IsPseudoVersion). */
export function isPseudoVersion(v: string): boolean {
  return parseVersion(v) !== undefined && /^v\d+\.(?:0\.0-|\d+\.\d+-(?:[^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(?:\+incompatible)?$/.test(v);
}

/**
 * module.Check for an upload: the path is valid, the version is canonical semver, and the major version matches
 * the path's /vN suffix (or is v0/v1, or v2+ with +incompatible and no suffix).
 */
export function checkModuleVersion(path: string, version: string): ParsedVersion {
  checkModulePath(path);
  const parsed = parseVersion(version);
  if (!parsed) throw invalid(`${clip(path)}@${clip(version)}: invalid version: version "${clip(version)}" is not a canonical semantic version (vMAJOR.MINOR.PATCH[-PRERELEASE][+incompatible])`);
  const { pathMajor } = splitPathVersion(path)!;
  const major = `v${parsed.major}`;
  if (pathMajor === '') {
    if (parsed.incompatible && parsed.major < 2) throw invalid(`${clip(path)}@${version}: invalid version: +incompatible suffix not allowed: major version ${major} is compatible`);
    if (parsed.major >= 2 && !parsed.incompatible) throw invalid(`${clip(path)}@${version}: invalid version: should be v0 or v1, not ${major}`);
  } else {
    if (parsed.incompatible) throw invalid(`${clip(path)}@${version}: invalid version: +incompatible suffix not allowed: module path includes a major version suffix`);
    const want = pathMajor.slice(1).replace(/-unstable$/, '');
    if (major !== want && !(pathMajor === '.v1' && version.startsWith('v0.0.0-'))) throw invalid(`${clip(path)}@${version}: invalid version: should be ${want}, not ${major}`);
  }
  return parsed;
}

/** Semver precedence (x/mod/semver.Compare) of two canonical versions; `+incompatible` is ignored. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return x ? 1 : y ? -1 : a < b ? -1 : a > b ? 1 : 0;
  const d = x.major - y.major || x.minor - y.minor || x.patch - y.patch;
  if (d) return Math.sign(d);
  if (!x.prerelease.length || !y.prerelease.length) return x.prerelease.length ? -1 : y.prerelease.length ? 1 : 0;
  for (let i = 0; i < Math.min(x.prerelease.length, y.prerelease.length); i++) {
    const p = x.prerelease[i]!;
    const q = y.prerelease[i]!;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return p.length !== q.length ? Math.sign(p.length - q.length) : p < q ? -1 : 1;
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return Math.sign(x.prerelease.length - y.prerelease.length);
}

/** What `@latest` answers from a list: the highest release, else the highest pre-release (pseudo-versions last). */
export function latestOf(versions: readonly string[]): string | undefined {
  const sorted = [...versions].filter((v) => parseVersion(v)).sort(compareVersions);
  const releases = sorted.filter((v) => !isPrerelease(v));
  if (releases.length) return releases[releases.length - 1];
  const pre = sorted.filter((v) => !isPseudoVersion(v));
  return pre[pre.length - 1] ?? sorted[sorted.length - 1];
}

/** module.EscapePath / EscapeVersion: each upper-case letter becomes `!` and its lower-case form. */
export function escapeCase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** module.UnescapePath / UnescapeVersion: `!x` back to `X`; undefined for an upper-case letter or a bad `!`. */
export function unescapeCase(s: string): string | undefined {
  if (/[A-Z]/.test(s) || /![^a-z]|!$/.test(s)) return undefined;
  return s.replace(/!([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** The module path of a request URL segment (`github.com/!azure/x`), checked. */
export function modulePathFromUrl(escaped: string): string {
  const path = unescapeCase(escaped);
  if (path === undefined) throw invalid(`malformed module path "${clip(escaped)}": invalid escaped module path (upper-case letters are written !x)`);
  checkModulePath(path);
  return path;
}

/** The version of a request URL (`v1.0.0-!r!c1`), which must be canonical. */
export function versionFromUrl(escaped: string): string {
  const v = unescapeCase(escaped);
  if (v === undefined || !parseVersion(v)) throw invalid(`invalid version "${clip(escaped)}": not a canonical semantic version`);
  return v;
}
