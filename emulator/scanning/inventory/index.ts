// The image-layer inventory extractor (issue 13, docs/scanning.md "Inventories"). Layers are read once each, bottom
// first, as streams (./layer-bytes.ts, then tar-stream's extractor); only the files a parser wants are held, each up
// to `maxFileBytes`, and parsed as soon as they are read, so what stays in memory is a map from path to parse result
// (plus the few symbolic links that lead to os-release). Everything else is drained. Whiteouts (OCI image-spec
// layer.md "Whiteouts": `.wh.NAME` hides NAME and what is under it in lower layers, `.wh..wh..opq` hides every
// lower entry of its folder) and replaced paths are applied to the lower layers' map at the end of each layer. ELF
// files are scanned as they stream for Go's build information; 64 KiB after its header are kept.
import * as tar from 'tar-stream';
import { layerBytes } from './layer-bytes.js';
import { parseApkInstalled } from './parsers/apk.js';
import { parseDpkgStatus } from './parsers/dpkg.js';
import { GO_BUILDINFO_KEEP, GO_BUILDINFO_MAGIC, goHeaderAt, parseGoBuildInfo } from './parsers/go.js';
import { parseJavaArchive } from './parsers/java.js';
import { parseInstalledPackageJson, parsePackageLock } from './parsers/npm.js';
import { parseOsRelease, type OsRelease } from './parsers/os-release.js';
import { parsePythonMetadata } from './parsers/python.js';
import type { ParseResult, RawPackage } from './parsers/raw.js';
import { parseRpmBerkeleyDb, parseRpmSqlite } from './parsers/rpm.js';
import { basename, dirname, normalizePath, resolveInImage } from './paths.js';
import { InventoryError, type ExtractInventory, type ExtractLimits, type ImageInventory, type InventoryPackage, type LayerSource } from './types.js';

export { InventoryError } from './types.js';
export type { ExtractInventory, ExtractLimits, ImageInventory, InventoryPackage, LayerSource } from './types.js';

export const DEFAULT_LIMITS: ExtractLimits = {
  maxLayerBytes: 8 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxFileBytes: 64 * 1024 ** 2,
  maxPackages: 100_000,
};

const MAX_WARNINGS = 100;

type FileClass = 'os-release' | 'dpkg-status' | 'dpkg-status-d' | 'apk' | 'rpm-sqlite' | 'rpm-bdb' | 'npm-lock' | 'npm-package' | 'python' | 'java';

/** What a parser wants, by path (normalized, without the leading `/`). */
export function classify(path: string): FileClass | undefined {
  const base = basename(path);
  if (base === 'os-release') return 'os-release';
  if (path === 'var/lib/dpkg/status') return 'dpkg-status';
  if (/^var\/lib\/dpkg\/status\.d\/[^/]+$/.test(path) && !base.endsWith('.md5sums')) return 'dpkg-status-d';
  if (path === 'lib/apk/db/installed' || path === 'usr/lib/apk/db/installed') return 'apk';
  if (path === 'var/lib/rpm/rpmdb.sqlite' || path === 'usr/lib/sysimage/rpm/rpmdb.sqlite') return 'rpm-sqlite';
  if (path === 'var/lib/rpm/Packages' || path === 'usr/lib/sysimage/rpm/Packages') return 'rpm-bdb';
  if (base === 'package-lock.json' || path.endsWith('node_modules/.package-lock.json')) return 'npm-lock';
  if (/(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/.test(path)) return 'npm-package';
  if (/\.dist-info\/METADATA$/.test(path) || /\.egg-info\/PKG-INFO$/.test(path) || base.endsWith('.egg-info')) return 'python';
  if (/\.(?:jar|war|ear)$/i.test(base)) return 'java';
  return undefined;
}

interface FileNode {
  kind: 'file';
  cls: FileClass | 'go';
  os?: OsRelease;
  packages: RawPackage[];
  warnings: string[];
}
interface LinkNode {
  kind: 'symlink';
  target: string;
}
type Node = FileNode | LinkNode;

/** the only lookups that follow links: os-release's two places (and the folders on their way) */
const LINK_PATHS = new Set(['etc', 'etc/os-release', 'usr', 'usr/lib', 'usr/lib/os-release']);

async function parseFile(cls: FileClass, path: string, data: Buffer, limits: ExtractLimits): Promise<Pick<FileNode, 'os' | 'packages' | 'warnings'>> {
  const text = (): string => data.toString('utf8');
  let r: ParseResult;
  switch (cls) {
    case 'os-release': {
      const os = parseOsRelease(text());
      return { ...(os ? { os } : {}), packages: [], warnings: [] };
    }
    case 'dpkg-status':
      r = parseDpkgStatus(text(), { requireStatus: true });
      break;
    case 'dpkg-status-d':
      r = parseDpkgStatus(text(), { requireStatus: false });
      break;
    case 'apk':
      r = parseApkInstalled(text());
      break;
    case 'rpm-sqlite':
      r = await parseRpmSqlite(data, path);
      break;
    case 'rpm-bdb':
      r = parseRpmBerkeleyDb(data, path);
      break;
    case 'npm-lock':
      r = parsePackageLock(text(), path);
      break;
    case 'npm-package':
      r = parseInstalledPackageJson(text(), path);
      break;
    case 'python':
      r = parsePythonMetadata(text());
      break;
    case 'java':
      r = await parseJavaArchive(data, path, limits.maxFileBytes);
      break;
  }
  return { packages: r.packages, warnings: r.warnings };
}

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * Reads an entry whose path no parser wants: an ELF file is searched for Go's build-info header (16-byte aligned, and
 * followed by a Go version when inline) as it streams; from the header on, 64 KiB are kept. Anything else is drained.
 */
async function scanForGo(entry: AsyncIterable<Buffer>): Promise<Buffer | undefined> {
  let offset = 0; // file offset of the first byte of `window`
  let window: Buffer = Buffer.alloc(0);
  let isElf: boolean | undefined;
  let kept: Buffer[] | undefined;
  let keptBytes = 0;
  for await (const chunk of entry) {
    if (kept) {
      if (keptBytes < GO_BUILDINFO_KEEP) {
        kept.push(chunk);
        keptBytes += chunk.length;
      }
      continue;
    }
    if (isElf === false) continue;
    window = window.length ? Buffer.concat([window, chunk]) : chunk;
    if (isElf === undefined) {
      if (window.length < 4) continue;
      isElf = window.subarray(0, 4).equals(ELF);
      if (!isElf) continue;
    }
    let from = 0;
    let keepFrom = Math.max(0, window.length - (GO_BUILDINFO_MAGIC.length - 1)); // a magic split across chunks
    for (;;) {
      const at = window.indexOf(GO_BUILDINFO_MAGIC, from);
      if (at < 0) break;
      if ((offset + at) % 16 === 0) {
        const verdict = goHeaderAt(window, at);
        if (verdict === 'yes') {
          kept = [window.subarray(at)];
          keptBytes = window.length - at;
          break;
        }
        if (verdict === 'more') {
          keepFrom = Math.min(keepFrom, at); // decide when more bytes have come
          break;
        }
      }
      from = at + 1;
    }
    if (!kept) {
      offset += keepFrom;
      window = Buffer.from(window.subarray(keepFrom)); // a copy: drop the reference to the whole chunk
    }
  }
  if (!kept) return undefined;
  const buf = Buffer.concat(kept);
  return buf.length > GO_BUILDINFO_KEEP ? Buffer.from(buf.subarray(0, GO_BUILDINFO_KEEP)) : buf;
}

async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of entry) void chunk;
}

async function readAll(entry: AsyncIterable<Buffer>, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return size <= max ? Buffer.concat(chunks, size) : undefined;
}

class Warnings {
  readonly list: string[] = [];
  private dropped = 0;
  add(message: string): void {
    if (this.list.length < MAX_WARNINGS) this.list.push(message);
    else this.dropped++;
  }
  done(): string[] {
    return this.dropped ? [...this.list, `… and ${this.dropped} more warnings`] : this.list;
  }
}

function underAny(path: string, set: Set<string>, includeSelf: boolean): boolean {
  if (includeSelf && set.has(path)) return true;
  for (let p = dirname(path); ; p = dirname(p)) {
    if (set.has(p)) return true;
    if (p === '') return false;
  }
}

/** Reads one layer into `lower` (the map of everything below it), applying its whiteouts. */
async function readLayer(layer: LayerSource, lower: Map<string, Node>, limits: ExtractLimits, warnings: Warnings): Promise<void> {
  const upper = new Map<string, Node>();
  const hidden = new Set<string>(); // `.wh.NAME` and non-folders replacing a lower folder: the path and what is under it
  const opaque = new Set<string>(); // `.wh..wh..opq`: what is under the folder
  const lowerDirs = new Set<string>();
  for (const key of lower.keys()) for (let p = dirname(key); p !== ''; p = dirname(p)) lowerDirs.add(p);

  const extract = tar.extract();
  let stopped = false;
  const feed = (async () => {
    try {
      for await (const chunk of layerBytes(layer, limits.maxLayerBytes)) {
        if (stopped) return;
        if (!extract.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              extract.off('drain', done);
              extract.off('close', done);
              resolve();
            };
            extract.on('drain', done);
            extract.on('close', done);
          });
        }
      }
      extract.end(undefined);
    } catch (err) {
      extract.destroy(err as Error);
      throw err;
    }
  })();
  feed.catch(() => {}); // awaited below; this only keeps an early rejection from being unhandled

  let entries = 0;
  try {
    for await (const source of extract) {
      const entry = source as unknown as AsyncIterable<Buffer> & { header: tar.Header };
      if (++entries > limits.maxEntries) throw new InventoryError(`layer ${layer.digest}: over maxEntries (more than ${limits.maxEntries} entries)`);
      const h = source.header;
      const path = normalizePath(h.name);
      if (path === undefined) {
        warnings.add(`layer ${layer.digest}: entry ${JSON.stringify(h.name)} escapes the image root: ignored`);
        await drain(entry);
        continue;
      }
      if (path === '') {
        await drain(entry);
        continue;
      }
      const base = basename(path);
      if (base.startsWith('.wh.')) {
        if (base === '.wh..wh..opq') opaque.add(dirname(path));
        else if (!base.startsWith('.wh..wh.')) hidden.add(`${dirname(path) ? `${dirname(path)}/` : ''}${base.slice(4)}`);
        await drain(entry);
        continue;
      }
      lower.delete(path);
      if (h.type !== 'directory' && lowerDirs.has(path)) hidden.add(path);
      upper.delete(path);
      const cls = classify(path);
      if (h.type === 'symlink') {
        if (LINK_PATHS.has(path)) upper.set(path, { kind: 'symlink', target: h.linkname });
        await drain(entry);
        continue;
      }
      if (h.type === 'link') {
        const target = normalizePath(h.linkname);
        const node = target === undefined ? undefined : (upper.get(target) ?? lower.get(target));
        if (target === undefined) warnings.add(`layer ${layer.digest}: hard link ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)} escapes the image root: ignored`);
        else if (node?.kind === 'file' && (node.cls === cls || node.cls === 'go')) {
          // the same file at another place: an npm package installed there too
          const at = cls === 'npm-package' ? { location: path.slice(0, -'/package.json'.length) } : {};
          upper.set(path, { ...node, packages: node.packages.map((p) => ({ ...p, ...at })) });
        } else if (cls) warnings.add(`/${path}: hard link to /${target}, which was not read: not read`);
        await drain(entry);
        continue;
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        await drain(entry);
        continue;
      }
      if (cls) {
        if (h.size > limits.maxFileBytes) {
          warnings.add(`/${path}: ${h.size} bytes, over maxFileBytes (${limits.maxFileBytes}): not read`);
          await drain(entry);
          continue;
        }
        const data = await readAll(entry, limits.maxFileBytes);
        if (!data) continue;
        const parsed = await parseFile(cls, path, data, limits);
        if (parsed.packages.length > limits.maxPackages) throw new InventoryError(`/${path}: over maxPackages (more than ${limits.maxPackages} packages)`);
        upper.set(path, { kind: 'file', cls, ...parsed });
        continue;
      }
      if (h.size < 64) {
        await drain(entry);
        continue;
      }
      const info = await scanForGo(entry);
      if (info) {
        const r = parseGoBuildInfo(info, path);
        upper.set(path, { kind: 'file', cls: 'go', packages: r.packages, warnings: r.warnings });
      }
    }
  } catch (err) {
    stopped = true;
    extract.destroy(new Error('inventory read stopped'));
    await feed.catch(() => {});
    if (err instanceof InventoryError) throw err;
    throw new InventoryError(`layer ${layer.digest}: ${(err as Error).message}`);
  }
  try {
    await feed;
  } catch (err) {
    if (err instanceof InventoryError) throw err;
    throw new InventoryError(`layer ${layer.digest}: ${(err as Error).message}`);
  }

  if (hidden.size || opaque.size) {
    for (const key of [...lower.keys()]) {
      if (underAny(key, hidden, true) || underAny(key, opaque, false)) lower.delete(key);
    }
  }
  for (const [key, node] of upper) lower.set(key, node);
  let count = 0;
  for (const node of lower.values()) if (node.kind === 'file') count += node.packages.length;
  if (count > limits.maxPackages) throw new InventoryError(`image: over maxPackages (more than ${limits.maxPackages} packages)`);
}

/** OSV's names of the distributions whose packages are matched, and of a few more (reported, not matched here). */
const OS_NAMES: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  alpine: 'Alpine',
  wolfi: 'Wolfi',
  chainguard: 'Chainguard',
  rhel: 'Red Hat',
  rocky: 'Rocky Linux',
  almalinux: 'AlmaLinux',
  centos: 'CentOS',
  fedora: 'Fedora',
  amzn: 'Amazon Linux',
  ol: 'Oracle Linux',
  'opensuse-leap': 'openSUSE',
  sles: 'SUSE',
};

/**
 * The ecosystem of an OS package: by the os-release `ID` when it names a distribution of that package manager
 * (`Ubuntu` for dpkg on Ubuntu), by the package manager's own distribution when there is no os-release, and by the
 * `ID` itself otherwise (a Kali dpkg is not matched against Debian's advisories).
 */
function osEcosystem(kind: 'dpkg' | 'apk' | 'rpm', os: OsRelease | undefined): { ecosystem: string; release?: string } {
  const fallback = { dpkg: 'Debian', apk: 'Alpine', rpm: 'rpm' }[kind];
  const id = os?.id;
  const ecosystem = id === undefined ? fallback : (OS_NAMES[id] ?? id);
  let release = os?.versionId;
  if (ecosystem === 'Alpine') release = release && /^\d+\.\d+/.exec(release)?.[0];
  if (ecosystem === 'Wolfi' || ecosystem === 'Chainguard') release = undefined; // rolling distributions
  return release ? { ecosystem, release } : { ecosystem };
}

export const extractInventory: ExtractInventory = async (layers, limitsIn) => {
  const limits: ExtractLimits = { ...DEFAULT_LIMITS, ...limitsIn };
  const warnings = new Warnings();
  const files = new Map<string, Node>();
  for (const layer of layers) await readLayer(layer, files, limits, warnings);

  const linkOf = (p: string): string | undefined => {
    const n = files.get(p);
    return n?.kind === 'symlink' ? n.target : undefined;
  };
  let os: OsRelease | undefined;
  for (const candidate of ['etc/os-release', 'usr/lib/os-release']) {
    const resolved = resolveInImage(candidate, linkOf);
    const node = resolved === undefined ? undefined : files.get(resolved);
    if (node?.kind === 'file' && node.os) {
      os = node.os;
      break;
    }
  }

  const packages: InventoryPackage[] = [];
  const seen = new Set<string>();
  let osPackages = false;
  for (const [path, node] of files) {
    if (node.kind !== 'file') continue;
    for (const w of node.warnings) warnings.add(w);
    for (const raw of node.packages) {
      const filePath = raw.filePath ?? `/${path}`;
      const key = JSON.stringify([raw.kind, raw.name, raw.version, raw.location ?? filePath]);
      if (seen.has(key)) continue;
      seen.add(key);
      const item: InventoryPackage = { ecosystem: raw.kind, name: raw.name, version: raw.version, packageType: raw.packageType, filePath };
      if (raw.kind === 'dpkg' || raw.kind === 'apk' || raw.kind === 'rpm') {
        osPackages = true;
        const e = osEcosystem(raw.kind, os);
        item.ecosystem = e.ecosystem;
        if (e.release) item.release = e.release;
        if (raw.source) item.source = raw.source;
      }
      packages.push(item);
    }
  }
  if (packages.length > limits.maxPackages) throw new InventoryError(`image: over maxPackages (more than ${limits.maxPackages} packages)`);
  if (osPackages && !os) warnings.add('no /etc/os-release: OS packages are reported without a release');
  const inventory: ImageInventory = { packages, warnings: warnings.done() };
  if (os) inventory.os = os;
  return inventory;
};
