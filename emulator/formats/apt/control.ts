// A binary package's control stanza (deb-control(5); deb822 syntax, Debian Policy §5.1 and §5.6): parsed once at
// upload, checked, and turned into the package's Packages-index stanza (Debian repository format,
// https://wiki.debian.org/DebianRepository/Format#A.22Packages.22_Indices) with Filename, Size and hashes added.
// The identifying fields (Package, Version, Architecture) must be single-line, safe and well-formed: they name the
// pool file. Nothing here does I/O.
import { EmulatorError } from '../../core/errors.js';

export interface DebControl {
  package: string;
  version: string;
  architecture: string;
  /** from the Section's `COMPONENT/` prefix (Debian's convention for contrib/non-free), else `main` [U] */
  component: string;
  /** the stanza's fields in order, values with their continuation lines */
  fields: Array<[string, string]>;
}

/** Policy §5.6.1: lower-case alphanumerics, `+ - .`, at least two characters, starting alphanumeric. */
const PACKAGE = /^[a-z0-9][a-z0-9+.-]{1,127}$/;
/** Policy §5.6.12: [epoch:]upstream[-revision], upstream starting with a digit. */
const VERSION = /^(?:\d{1,9}:)?\d[A-Za-z0-9.+~-]{0,127}$/;
/** dpkg-architecture names: amd64, arm64, armhf, i386, all, … */
const ARCHITECTURE = /^[a-z0-9][a-z0-9-]{0,31}$/;
const COMPONENT = /^[a-z0-9][a-z0-9-]{0,31}$/;
const FIELD_NAME = /^[!-9;-~]+$/; // deb822: US-ASCII except control characters, space and colon (no leading #, -)
/** fields a Packages stanza gets from the repository, never from the package */
const REPOSITORY_FIELDS = new Set(['filename', 'size', 'md5sum', 'sha1', 'sha256', 'sha512', 'description-md5']);

const invalid = (why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid control file: ${why}.`);
const quote = (s: string) => JSON.stringify(s.slice(0, 64));

export function parseDebControl(text: string): DebControl {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const fields: Array<[string, string]> = [];
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    if (line.trim() === '') throw invalid('it holds more than one stanza');
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = fields[fields.length - 1];
      if (!last) throw invalid('it starts with a continuation line');
      last[1] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME.test(name) || name.startsWith('-')) throw invalid(`bad field line ${quote(line)}`);
    if (fields.some(([n]) => n.toLowerCase() === name.toLowerCase())) throw invalid(`field ${name} appears twice`);
    fields.push([name, line.slice(colon + 1).trim()]);
  }
  const field = (name: string) => fields.find(([n]) => n.toLowerCase() === name)?.[1];
  const single = (name: string, label: string, re: RegExp) => {
    const v = field(name);
    if (v === undefined || v === '') throw invalid(`the ${label} field is missing`);
    if (v.includes('\n')) throw invalid(`the ${label} field spans several lines`);
    if (v.includes('..') || v.includes('/') || !re.test(v)) throw invalid(`${label} ${quote(v)} is not valid`);
    return v;
  };
  const pkg = single('package', 'Package', PACKAGE);
  const version = single('version', 'Version', VERSION);
  const architecture = single('architecture', 'Architecture', ARCHITECTURE);
  if (architecture === 'any' || architecture === 'source') throw invalid(`Architecture ${quote(architecture)} is not a binary architecture`);
  const section = field('section');
  let component = 'main';
  if (section !== undefined && section.includes('/')) {
    component = section.slice(0, section.indexOf('/'));
    if (section.includes('\n') || component === '..' || !COMPONENT.test(component)) throw invalid(`Section ${quote(section)} does not name a valid component`);
  }
  return { package: pkg, version, architecture, component, fields: fields.filter(([n]) => !REPOSITORY_FIELDS.has(n.toLowerCase())) };
}

/** `NAME_VERSION_ARCH.deb`, the version without its epoch (as dpkg-name names files). */
export function debFileName(c: Pick<DebControl, 'package' | 'version' | 'architecture'>): string {
  return `${c.package}_${c.version.replace(/^\d+:/, '')}_${c.architecture}.deb`;
}

/** The pool directory letter: `libh` for `libhello`, else the first character (Debian's pool layout). */
export function poolPrefix(pkg: string): string {
  return pkg.startsWith('lib') && pkg.length > 3 ? pkg.slice(0, 4) : pkg[0]!;
}

export interface PoolFile { filename: string; size: number; md5: string; sha256: string }

/** The Packages stanza: the control fields (Package first, as dpkg-scanpackages writes it), then the file's. */
export function packagesStanza(c: DebControl, f: PoolFile): string {
  const ordered = [...c.fields.filter(([n]) => n.toLowerCase() === 'package'), ...c.fields.filter(([n]) => n.toLowerCase() !== 'package')];
  const lines = ordered.map(([n, v]) => `${n}: ${v}`);
  lines.push(`Filename: ${f.filename}`, `Size: ${f.size}`);
  if (f.md5) lines.push(`MD5sum: ${f.md5}`);
  lines.push(`SHA256: ${f.sha256}`);
  return `${lines.join('\n')}\n`;
}
