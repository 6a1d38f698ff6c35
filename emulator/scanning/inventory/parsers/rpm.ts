// The rpm database. rpm 4.16+ keeps it in SQLite (`/var/lib/rpm/rpmdb.sqlite`; Fedora 36+ at
// `/usr/lib/sysimage/rpm/rpmdb.sqlite`): table `Packages (hnum INTEGER PRIMARY KEY, blob BLOB)`, one header blob per
// installed package (rpm's lib/backend/sqlite.c). A header blob is the header structure of the rpm file format
// (https://rpm-software-management.github.io/rpm/manual/format_header.html, "Header structure", parsed by
// core/rpm-header.ts) without its 8-byte magic: big-endian int32 index count and data length, that many 16-byte
// index entries (tag, type, offset, count), then the data store. Tags read: NAME 1000, VERSION 1001, RELEASE 1002, EPOCH 1003 (INT32), ARCH 1022,
// SOURCERPM 1044 (lib/rpmtag.h). sql.js (SQLite compiled to WebAssembly) reads the file from memory; it is loaded
// on first use. RHEL 8's BerkeleyDB `Packages` file is read by ./rpm-bdb.ts.
import { createRequire } from 'node:module';
import type { SqlJsStatic } from 'sql.js';
import type { ParseResult, RawPackage } from './raw.js';
import { berkeleyHashValues } from './rpm-bdb.js';
import { RpmHeaderData, RpmTag, parseHeaderBlob } from '../../../core/rpm-header.js';

const require = createRequire(import.meta.url);
let sqlJs: Promise<SqlJsStatic> | undefined;
const loadSqlJs = (): Promise<SqlJsStatic> => (sqlJs ??= (require('sql.js') as (c?: object) => Promise<SqlJsStatic>)());

export interface RpmHeader {
  name?: string;
  version?: string;
  release?: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
}

const READ_TAGS: ReadonlySet<number> = new Set([RpmTag.NAME, RpmTag.VERSION, RpmTag.RELEASE, RpmTag.EPOCH, RpmTag.ARCH, RpmTag.SOURCERPM]);

/** One header blob (core/rpm-header.ts, shared with the Yum format); throws on a blob whose index or offsets fall outside it. */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const h = new RpmHeaderData(parseHeaderBlob(blob, 'header blob', READ_TAGS), 0, blob.length);
  const out: RpmHeader = {};
  const set = <K extends keyof RpmHeader>(key: K, value: RpmHeader[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('name', h.string(RpmTag.NAME));
  set('version', h.string(RpmTag.VERSION));
  set('release', h.string(RpmTag.RELEASE));
  set('arch', h.string(RpmTag.ARCH));
  set('sourceRpm', h.string(RpmTag.SOURCERPM));
  set('epoch', h.number(RpmTag.EPOCH));
  return out;
}

/** `openssl-3.0.7-24.el9.src.rpm` → {openssl, 3.0.7-24.el9} */
export function parseSourceRpm(sourceRpm: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return m ? { name: m[1]!, version: `${m[2]}-${m[3]}` } : undefined;
}

export function rpmPackage(h: RpmHeader): RawPackage | undefined {
  if (!h.name || !h.version) return undefined;
  if (h.name === 'gpg-pubkey') return undefined; // imported signing keys are headers too, not packages
  const evr = `${h.epoch ? `${h.epoch}:` : ''}${h.version}${h.release ? `-${h.release}` : ''}`;
  // Red Hat's, Rocky's and Alma's advisories name binary packages, so the source rpm is not matched in their place
  return { kind: 'rpm', packageType: 'OS', name: h.name, version: evr };
}

export async function parseRpmSqlite(bytes: Buffer, path: string): Promise<ParseResult> {
  const warnings: string[] = [];
  const packages: RawPackage[] = [];
  if (bytes.length < 100 || bytes.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    return { packages, warnings: [`/${path}: not an SQLite database`] };
  }
  const copy = Buffer.from(bytes);
  // WAL mode (file format bytes 18 and 19 = 2) needs the -wal and -shm files next to it; the in-memory copy is read
  // as a rollback-journal database (the WAL of an image's rpmdb is checkpointed, rpm's own `rpmdb --rebuilddb` does it)
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let SQL: SqlJsStatic;
  try {
    SQL = await loadSqlJs();
  } catch (err) {
    return { packages, warnings: [`/${path}: sql.js did not load (${(err as Error).message})`] };
  }
  let db: InstanceType<SqlJsStatic['Database']> | undefined;
  try {
    db = new SQL.Database(copy);
    const stmt = db.prepare('SELECT blob FROM Packages');
    let bad = 0;
    while (stmt.step()) {
      const blob = stmt.get()[0];
      if (!(blob instanceof Uint8Array)) continue;
      try {
        const pkg = rpmPackage(parseRpmHeader(blob));
        if (pkg) packages.push(pkg);
      } catch {
        bad++;
      }
    }
    stmt.free();
    if (bad) warnings.push(`/${path}: ${bad} rpm header(s) not readable`);
  } catch (err) {
    warnings.push(`/${path}: rpm database not read (${(err as Error).message})`);
  } finally {
    db?.close();
  }
  return { packages, warnings };
}

/** RHEL 8's BerkeleyDB `Packages` file (./rpm-bdb.ts). */
export function parseRpmBerkeleyDb(bytes: Buffer, path: string): ParseResult {
  const packages: RawPackage[] = [];
  let values: Buffer[];
  try {
    values = berkeleyHashValues(bytes);
  } catch (err) {
    return { packages, warnings: [`/${path}: rpm BerkeleyDB database not read (${(err as Error).message})`] };
  }
  let bad = 0;
  for (const v of values) {
    try {
      const pkg = rpmPackage(parseRpmHeader(v));
      if (pkg) packages.push(pkg);
    } catch {
      bad++;
    }
  }
  return { packages, warnings: bad ? [`/${path}: ${bad} rpm header(s) not readable`] : [] };
}
