// What the Yum repository metadata says about one .rpm (createrepo_c's fields: src/parsehdr.c), read from the
// file's headers (core/rpm-header.ts). The identity fields (name, epoch, version, release, arch) are checked here:
// they end up in hrefs, resource names and XML, so a `/`, `..`, a control character or a stray `-` is refused.
import { EmulatorError } from '../../core/errors.js';
import { RpmFormatError, RpmSigTag, RpmTag, readRpmHeaders, type RpmHeaderData, type RpmReadAt } from '../../core/rpm-header.js';

export interface RpmDependency {
  name: string;
  /** EQ, LT, GT, LE, GE (absent: unversioned) */
  flags?: string;
  epoch?: string;
  ver?: string;
  rel?: string;
  /** a pre-install requirement (`Requires(pre)`) */
  pre?: boolean;
}

export interface RpmFileEntry { path: string; type?: 'dir' | 'ghost' }

export interface RpmPackage {
  name: string;
  epoch: string;
  version: string;
  release: string;
  /** `noarch`, `x86_64`, `src` for a source rpm */
  arch: string;
  isSource: boolean;
  summary: string;
  description: string;
  packager: string;
  url: string;
  license: string;
  vendor: string;
  group: string;
  buildHost: string;
  sourceRpm: string;
  buildTime: number;
  installedSize: number;
  archiveSize: number;
  headerStart: number;
  headerEnd: number;
  provides: RpmDependency[];
  requires: RpmDependency[];
  conflicts: RpmDependency[];
  obsoletes: RpmDependency[];
  files: RpmFileEntry[];
  changelogs: Array<{ author: string; date: number; text: string }>;
}

const NAME_RE = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;
const VERSION_RE = /^[A-Za-z0-9._+~^]+$/;
const ARCH_RE = /^[A-Za-z0-9_]+$/;
/** the most the identity fields may hold (a name is a file name and part of a resource name) */
const MAX_FIELD = 200;

const invalid = (message: string) => new EmulatorError('INVALID_ARGUMENT', message);

/** Reads and checks the headers; INVALID_ARGUMENT with the reason when the file is not a usable rpm. */
export async function readRpmPackage(readAt: RpmReadAt, fileSize: number): Promise<RpmPackage> {
  let sig: RpmHeaderData;
  let h: RpmHeaderData;
  try {
    ({ signature: sig, header: h } = await readRpmHeaders(readAt, fileSize));
  } catch (err) {
    if (err instanceof RpmFormatError) throw invalid(`The file is not a valid rpm package: ${err.message}.`);
    throw err;
  }
  try {
    return packageOf(sig, h);
  } catch (err) {
    if (err instanceof RpmFormatError) throw invalid(`The rpm package's header is invalid: ${err.message}.`);
    throw err;
  }
}

function packageOf(sig: RpmHeaderData, h: RpmHeaderData): RpmPackage {
  const name = identity(h, RpmTag.NAME, 'name', NAME_RE);
  const version = identity(h, RpmTag.VERSION, 'version', VERSION_RE);
  const release = identity(h, RpmTag.RELEASE, 'release', VERSION_RE);
  const epochNumber = h.number(RpmTag.EPOCH);
  // a source rpm has no SOURCERPM tag (rpm's headerIsSource); its packages are listed with arch "src"
  const isSource = h.string(RpmTag.SOURCERPM) === undefined || h.values.has(RpmTag.SOURCEPACKAGE);
  const arch = isSource ? 'src' : identity(h, RpmTag.ARCH, 'arch', ARCH_RE);
  const text = (tag: number) => clean(h.string(tag) ?? '');
  const dirs = h.strings(RpmTag.DIRNAMES);
  const bases = h.strings(RpmTag.BASENAMES);
  const dirIndexes = h.numbers(RpmTag.DIRINDEXES);
  const modes = h.numbers(RpmTag.FILEMODES);
  const fileFlags = h.numbers(RpmTag.FILEFLAGS);
  if (dirIndexes.length !== bases.length) throw new RpmFormatError('the file list is inconsistent (DIRINDEXES and BASENAMES differ in length)');
  const files: RpmFileEntry[] = bases.map((base, i) => {
    const dir = dirs[dirIndexes[i]!];
    if (dir === undefined) throw new RpmFormatError('a file names a directory index beyond DIRNAMES');
    const path = clean(dir + base);
    const isDir = ((modes[i] ?? 0) & 0o170000) === 0o040000;
    const isGhost = ((fileFlags[i] ?? 0) & (1 << 6)) !== 0;
    return isDir ? { path, type: 'dir' } : isGhost ? { path, type: 'ghost' } : { path };
  });
  const times = h.numbers(RpmTag.CHANGELOGTIME);
  const authors = h.strings(RpmTag.CHANGELOGNAME);
  const texts = h.strings(RpmTag.CHANGELOGTEXT);
  return {
    name, version, release, arch, isSource,
    epoch: String(epochNumber ?? 0),
    summary: text(RpmTag.SUMMARY),
    description: text(RpmTag.DESCRIPTION),
    packager: text(RpmTag.PACKAGER),
    url: text(RpmTag.URL),
    license: text(RpmTag.LICENSE),
    vendor: text(RpmTag.VENDOR),
    group: text(RpmTag.GROUP),
    buildHost: text(RpmTag.BUILDHOST),
    sourceRpm: text(RpmTag.SOURCERPM),
    buildTime: h.number(RpmTag.BUILDTIME) ?? 0,
    installedSize: h.number(RpmTag.LONGSIZE) ?? h.number(RpmTag.SIZE) ?? 0,
    archiveSize: sig.number(RpmSigTag.LONGARCHIVESIZE) ?? sig.number(RpmSigTag.PAYLOADSIZE) ?? h.number(RpmTag.LONGARCHIVESIZE) ?? h.number(RpmTag.ARCHIVESIZE) ?? 0,
    headerStart: h.start,
    headerEnd: h.end,
    provides: deps(h, RpmTag.PROVIDENAME, RpmTag.PROVIDEFLAGS, RpmTag.PROVIDEVERSION),
    // rpmlib(...) requirements are rpm's own features, not packages (createrepo_c leaves them out)
    requires: deps(h, RpmTag.REQUIRENAME, RpmTag.REQUIREFLAGS, RpmTag.REQUIREVERSION).filter((d) => !d.name.startsWith('rpmlib(')),
    conflicts: deps(h, RpmTag.CONFLICTNAME, RpmTag.CONFLICTFLAGS, RpmTag.CONFLICTVERSION),
    obsoletes: deps(h, RpmTag.OBSOLETENAME, RpmTag.OBSOLETEFLAGS, RpmTag.OBSOLETEVERSION),
    files,
    changelogs: times.map((date, i) => ({ date, author: clean(authors[i] ?? ''), text: clean(texts[i] ?? '') })),
  };
}

function identity(h: RpmHeaderData, tag: number, field: string, re: RegExp): string {
  const v = h.string(tag);
  if (v === undefined || v === '') throw invalid(`The rpm package's header has no ${field}.`);
  if (v.length > MAX_FIELD || !re.test(v) || v === '.' || v === '..' || v.includes('..')) {
    throw invalid(`The rpm package's ${field} "${printable(v)}" is not valid: it may hold letters, digits and ${field === 'name' ? '"._+-"' : field === 'arch' ? '"_"' : '"._+~^"'} only, and no "..".`);
  }
  return v;
}

const SENSE = { LESS: 2, GREATER: 4, EQUAL: 8, PREREQ: 64, SCRIPT_PRE: 512, SCRIPT_POST: 1024 } as const;

function deps(h: RpmHeaderData, nameTag: number, flagsTag: number, versionTag: number): RpmDependency[] {
  const names = h.strings(nameTag);
  const flags = h.numbers(flagsTag);
  const versions = h.strings(versionTag);
  const seen = new Set<string>();
  const out: RpmDependency[] = [];
  names.forEach((rawName, i) => {
    const name = clean(rawName);
    const f = flags[i] ?? 0;
    const v = versions[i] ?? '';
    const key = `${name}\0${f & 14}\0${v}`;
    if (seen.has(key)) return;
    seen.add(key);
    const d: RpmDependency = { name };
    const cmp = f & (SENSE.LESS | SENSE.GREATER | SENSE.EQUAL);
    const op = ({ [SENSE.EQUAL]: 'EQ', [SENSE.LESS]: 'LT', [SENSE.GREATER]: 'GT', [SENSE.LESS | SENSE.EQUAL]: 'LE', [SENSE.GREATER | SENSE.EQUAL]: 'GE' } as Record<number, string>)[cmp];
    if (op && v) {
      d.flags = op;
      const m = /^(?:(\d+):)?([^-]*)(?:-(.*))?$/.exec(v);
      d.epoch = m?.[1] ?? '0';
      d.ver = clean(m?.[2] ?? v);
      if (m?.[3] !== undefined) d.rel = clean(m[3]);
    }
    if (f & (SENSE.PREREQ | SENSE.SCRIPT_PRE | SENSE.SCRIPT_POST)) d.pre = true;
    out.push(d);
  });
  return out;
}

/** XML 1.0 cannot carry most control characters (not even as references): they are dropped. */
function clean(s: string): string {
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, '');
}

function printable(s: string): string {
  return s.slice(0, 80).replace(/[\x00-\x1f\x7f]/g, '?');
}

/** `hello-1.0-1.noarch.rpm` (the name rpmbuild gives the file; a source rpm's is `hello-1.0-1.src.rpm`) */
export function rpmFileName(p: Pick<RpmPackage, 'name' | 'version' | 'release' | 'arch'>): string {
  return `${p.name}-${p.version}-${p.release}.${p.arch}.rpm`;
}

/** The version id in the control plane: `[EPOCH:]VERSION-RELEASE` (epoch only when not 0) */
export function rpmVersionId(p: Pick<RpmPackage, 'epoch' | 'version' | 'release'>): string {
  return `${p.epoch !== '0' ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
}
