// The repodata XML (createrepo_c's layout: src/xml_dump_primary.c, xml_dump_filelists.c, xml_dump_other.c,
// xml_dump_repomd.c). Each package's three fragments are rendered once, at upload, and the documents are the
// fragments between a fixed head and tail (repodata.ts). Every text and attribute goes through esc().
import type { RpmDependency, RpmPackage } from './rpm-package.js';

export const NS = {
  common: 'http://linux.duke.edu/metadata/common',
  rpm: 'http://linux.duke.edu/metadata/rpm',
  filelists: 'http://linux.duke.edu/metadata/filelists',
  other: 'http://linux.duke.edu/metadata/other',
  repo: 'http://linux.duke.edu/metadata/repo',
} as const;

/** The one escaping helper: markup characters become entities; characters XML 1.0 cannot carry are dropped. */
export function esc(value: string | number): string {
  return String(value)
      .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (a: Record<string, string | number | undefined>) =>
  Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${esc(v!)}"`).join('');

const element = (name: string, text: string) => (text === '' ? `<${name}/>` : `<${name}>${esc(text)}</${name}>`);

/** The files primary.xml lists (createrepo_c's rule: binaries, /etc and sendmail, which dependencies name) */
export const isPrimaryFile = (path: string) => /^(?:.*bin\/.*|\/etc\/.*|\/usr\/lib\/sendmail)$/.test(path);

export interface PackageLocation {
  /** sha256 of the .rpm, the pkgid */
  sha256: string;
  /** relative to the repository's base URL */
  href: string;
  /** the upload time, seconds */
  fileTime: number;
  packageSize: number;
}

const version = (p: RpmPackage) => `<version${attrs({ epoch: p.epoch, ver: p.version, rel: p.release })}/>`;
const file = (f: RpmPackage['files'][number]) => `<file${attrs({ type: f.type })}>${esc(f.path)}</file>`;

function depList(kind: string, list: readonly RpmDependency[]): string {
  if (!list.length) return '';
  const entries = list.map((d) => `      <rpm:entry${attrs({ name: d.name, flags: d.flags, epoch: d.epoch, ver: d.ver, rel: d.rel, pre: d.pre ? '1' : undefined })}/>\n`).join('');
  return `    <rpm:${kind}>\n${entries}    </rpm:${kind}>\n`;
}

export function primaryFragment(p: RpmPackage, at: PackageLocation): string {
  return [
    '<package type="rpm">\n',
    `  ${element('name', p.name)}\n`,
    `  ${element('arch', p.arch)}\n`,
    `  ${version(p)}\n`,
    `  <checksum type="sha256" pkgid="YES">${esc(at.sha256)}</checksum>\n`,
    `  ${element('summary', p.summary)}\n`,
    `  ${element('description', p.description)}\n`,
    `  ${element('packager', p.packager)}\n`,
    `  ${element('url', p.url)}\n`,
    `  <time${attrs({ file: at.fileTime, build: p.buildTime })}/>\n`,
    `  <size${attrs({ package: at.packageSize, installed: p.installedSize, archive: p.archiveSize })}/>\n`,
    `  <location${attrs({ href: at.href })}/>\n`,
    '  <format>\n',
    `    ${element('rpm:license', p.license)}\n`,
    `    ${element('rpm:vendor', p.vendor)}\n`,
    `    ${element('rpm:group', p.group)}\n`,
    `    ${element('rpm:buildhost', p.buildHost)}\n`,
    `    ${element('rpm:sourcerpm', p.sourceRpm)}\n`,
    `    <rpm:header-range${attrs({ start: p.headerStart, end: p.headerEnd })}/>\n`,
    depList('provides', p.provides),
    depList('requires', p.requires),
    depList('conflicts', p.conflicts),
    depList('obsoletes', p.obsoletes),
    ...p.files.filter((f) => isPrimaryFile(f.path)).map((f) => `    ${file(f)}\n`),
    '  </format>\n',
    '</package>\n',
  ].join('');
}

export function filelistsFragment(p: RpmPackage, at: Pick<PackageLocation, 'sha256'>): string {
  return `<package${attrs({ pkgid: at.sha256, name: p.name, arch: p.arch })}>\n  ${version(p)}\n${p.files.map((f) => `  ${file(f)}\n`).join('')}</package>\n`;
}

export function otherFragment(p: RpmPackage, at: Pick<PackageLocation, 'sha256'>): string {
  const logs = p.changelogs.map((c) => `  <changelog${attrs({ author: c.author, date: c.date })}>${esc(c.text)}</changelog>\n`).join('');
  return `<package${attrs({ pkgid: at.sha256, name: p.name, arch: p.arch })}>\n  ${version(p)}\n${logs}</package>\n`;
}

export type RepodataType = 'primary' | 'filelists' | 'other';
export const REPODATA_TYPES: readonly RepodataType[] = ['primary', 'filelists', 'other'];

/** The document around the fragments of `count` packages. */
export function documentHead(type: RepodataType, count: number): string {
  const decl = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (type === 'primary') return `${decl}<metadata xmlns="${NS.common}" xmlns:rpm="${NS.rpm}" packages="${count}">\n`;
  if (type === 'filelists') return `${decl}<filelists xmlns="${NS.filelists}" packages="${count}">\n`;
  return `${decl}<otherdata xmlns="${NS.other}" packages="${count}">\n`;
}

export function documentTail(type: RepodataType): string {
  return type === 'primary' ? '</metadata>\n' : type === 'filelists' ? '</filelists>\n' : '</otherdata>\n';
}

export interface RepomdEntry {
  type: RepodataType;
  /** sha256 of the compressed file */
  checksum: string;
  openChecksum: string;
  href: string;
  timestamp: number;
  size: number;
  openSize: number;
}

export function repomdXml(revision: number, entries: readonly RepomdEntry[]): string {
  const data = entries.map((e) => [
    `  <data type="${esc(e.type)}">`,
    `    <checksum type="sha256">${esc(e.checksum)}</checksum>`,
    `    <open-checksum type="sha256">${esc(e.openChecksum)}</open-checksum>`,
    `    <location href="${esc(e.href)}"/>`,
    `    <timestamp>${e.timestamp}</timestamp>`,
    `    <size>${e.size}</size>`,
    `    <open-size>${e.openSize}</open-size>`,
    '  </data>',
  ].join('\n'));
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<repomd xmlns="${NS.repo}" xmlns:rpm="${NS.rpm}">`, `  <revision>${revision}</revision>`, ...data, '</repomd>', ''].join('\n');
}
