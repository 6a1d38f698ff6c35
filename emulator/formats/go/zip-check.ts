// The module zip rules of golang.org/x/mod/zip (checkZip / CheckZip: https://pkg.go.dev/golang.org/x/mod/zip):
// every entry under `MODULE@VERSION/`, clean valid file paths, no duplicate or case-folding collision, go.mod only at
// the root and spelt so, the size limits; plus the go command's check that go.mod names the module. The entry list
// is pure (the CLI checks the zip it builds with it); reading a stored zip uses yauzl's random-access reader over
// the blob store, so only the central directory and go.mod are read.
import { createRequire } from 'node:module';
import { PassThrough, type Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { EmulatorError } from '../../core/errors.js';
import { clip } from '../../core/names.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { filePathProblem } from './names.js';

/** x/mod/zip.MaxZipFile: the largest module zip, and the largest total of its uncompressed contents. */
export const MAX_ZIP_FILE = 500 << 20;
/** x/mod/zip.MaxGoMod */
export const MAX_GO_MOD = 16 << 20;
/** x/mod/zip.MaxLICENSE */
export const MAX_LICENSE = 16 << 20;
/** The most entries read from a zip's central directory [U: x/mod sets no count; the size limit bounds it]. */
export const MAX_ZIP_ENTRIES = 100_000;

export interface ZipLimits {
  zipFile: number;
  goMod: number;
  license: number;
}

export const GO_ZIP_LIMITS: ZipLimits = { zipFile: MAX_ZIP_FILE, goMod: MAX_GO_MOD, license: MAX_LICENSE };

export interface ZipEntryInfo {
  /** the entry's name as stored (UTF-8 decoded; undefined when it is not valid UTF-8) */
  name: string | undefined;
  /** the declared uncompressed size */
  size: number;
}

/** The problems found in one zip, x/mod's CheckedFiles. */
export class ZipProblems {
  readonly invalid: Array<{ path: string; why: string }> = [];
  sizeError: string | undefined;

  get ok(): boolean {
    return !this.invalid.length && !this.sizeError;
  }

  error(module: string, version: string): EmulatorError {
    const lines = this.invalid.slice(0, 10).map((p) => `${clip(p.path)}: ${p.why}`);
    if (this.invalid.length > 10) lines.push(`… and ${this.invalid.length - 10} more`);
    if (this.sizeError) lines.push(this.sizeError);
    return new EmulatorError('INVALID_ARGUMENT', `Invalid module zip for ${clip(module)}@${clip(version)}: ${lines.join('; ')}`);
  }
}

const foldKey = (s: string) => s.toLowerCase();

/** x/mod/zip's collisionChecker: a path and every parent directory, folded for case. */
class Collisions {
  private readonly seen = new Map<string, { path: string; isDir: boolean }>();

  check(p: string, isDir: boolean): string | undefined {
    const key = foldKey(p);
    const other = this.seen.get(key);
    if (other) {
      if (p !== other.path) return `case-insensitive file name collision: "${other.path}" and "${p}"`;
      if (isDir !== other.isDir) return `entry "${p}" is both a file and a directory`;
      if (!isDir) return `multiple entries for file "${p}"`;
    } else {
      this.seen.set(key, { path: p, isDir });
    }
    const slash = p.lastIndexOf('/');
    return slash > 0 ? this.check(p.slice(0, slash), true) : undefined;
  }
}

/** Whether `name` is clean as Go's path.Clean sees it (no `.`/`..`/empty elements, no leading slash). */
const isClean = (name: string) => !name.startsWith('/') && name.split('/').every((e) => e !== '' && e !== '.' && e !== '..');

/**
 * Checks a module zip's entries for `module@version` (x/mod/zip checkZip); returns the go.mod entry's index, if
 * the zip has one, or the problems.
 */
export function checkZipEntries(entries: readonly ZipEntryInfo[], module: string, version: string, limits: ZipLimits = GO_ZIP_LIMITS): { problems: ZipProblems; goMod?: number } {
  const problems = new ZipProblems();
  const prefix = `${module}@${version}/`;
  const collisions = new Collisions();
  let total = 0;
  let goMod: number | undefined;
  entries.forEach((e, i) => {
    const shown = e.name ?? '(not UTF-8)';
    const bad = (why: string) => problems.invalid.push({ path: shown, why });
    if (e.name === undefined) return bad('malformed file path: invalid UTF-8');
    if (!e.name.startsWith(prefix)) return bad(`path does not have prefix "${clip(prefix)}"`);
    let name = e.name.slice(prefix.length);
    if (name === '') return;
    const isDir = name.endsWith('/');
    if (isDir) name = name.slice(0, -1);
    if (!isClean(name)) return bad('file path is not clean');
    const problem = filePathProblem(name);
    if (problem) return bad(`malformed file path "${clip(name)}": ${problem}`);
    const collision = collisions.check(name, isDir);
    if (collision) return bad(collision);
    if (isDir) return;
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (base.toLowerCase() === 'go.mod') {
      if (base !== name) return bad('go.mod file not in module root directory');
      if (name !== 'go.mod') return bad('go.mod files must have lowercase names');
    }
    if (e.size >= 0 && limits.zipFile - total >= e.size) total += e.size;
    else problems.sizeError ??= `total uncompressed size of module contents too large (max size is ${limits.zipFile} bytes)`;
    if (name === 'go.mod' && e.size > limits.goMod) return bad(`go.mod file too large (max size is ${limits.goMod} bytes)`);
    if (name === 'LICENSE' && e.size > limits.license) return bad(`LICENSE file too large (max size is ${limits.license} bytes)`);
    if (name === 'go.mod') goMod = i;
  });
  return { problems, ...(goMod !== undefined ? { goMod } : {}) };
}

/**
 * The `MODULE@VERSION` every entry of an uploaded zip starts with, read from its first entry (module paths cannot
 * hold `@`), or undefined.
 */
export function moduleVersionOfEntries(entries: readonly ZipEntryInfo[]): { module: string; version: string } | undefined {
  const first = entries.find((e) => e.name !== undefined)?.name;
  const m = first ? /^([^@]+)@([^/]+)\//.exec(first) : null;
  return m ? { module: m[1]!, version: m[2]! } : undefined;
}

/**
 * The module path a go.mod declares (the `module` directive, quoted or not, comments dropped), or undefined. The
 * go command refuses a zip whose go.mod names another module ("go.mod has non-... module path").
 */
export function goModModulePath(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const m = /^module\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+))\s*$/.exec(line);
    if (m) return m[1] ?? m[2] ?? m[3];
    if (/^module\s*\(/.test(line)) return undefined;
  }
  return undefined;
}

// yauzl is loaded by the first Go zip checked, not at startup.
const require = createRequire(import.meta.url);
let yauzlModule: typeof yauzl | undefined;
const yauzlLib = (): typeof yauzl => (yauzlModule ??= require('yauzl') as typeof yauzl);

function blobRangeReader(blobs: BlobStore, digest: string): yauzl.RandomAccessReader {
  const Reader = class extends yauzlLib().RandomAccessReader {
    override _readStreamForRange(start: number, end: number): Readable {
      const out = new PassThrough();
      if (end <= start) {
        out.end();
        return out;
      }
      blobs.open(digest, { start, end: end - 1 }).then(
        (s) => {
          s.on('error', (err) => out.destroy(err));
          s.pipe(out);
        },
        (err: Error) => out.destroy(err),
      );
      return out;
    }
  };
  return new Reader();
}

const notZip = (why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid module zip: ${why}`);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface StoredZip {
  entries: ZipEntryInfo[];
  /** the bytes of entry `index` (at most `limit`; more is INVALID_ARGUMENT) */
  read(index: number, limit: number): Promise<Buffer>;
  close(): void;
}

/** Opens the zip stored as `digest` (`size` bytes) and reads its central directory (names undecoded by yauzl). */
export async function openStoredZip(blobs: BlobStore, digest: string, size: number): Promise<StoredZip> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzlLib().fromRandomAccessReader(blobRangeReader(blobs, digest), size, { lazyEntries: true, autoClose: false, decodeStrings: false }, (err, z) =>
      err ? reject(notZip('the upload is not a zip archive')) : resolve(z),
    );
  });
  const raw: yauzl.Entry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        raw.push(e);
        if (raw.length > MAX_ZIP_ENTRIES) reject(notZip(`more than ${MAX_ZIP_ENTRIES} entries`));
        else zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(notZip(`the zip archive is unreadable (${clip(err.message)})`)));
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    throw err;
  }
  const entries = raw.map((e) => {
    let name: string | undefined;
    try {
      name = utf8.decode(e.fileName as unknown as Buffer);
    } catch {
      name = undefined;
    }
    return { name, size: e.uncompressedSize };
  });
  return {
    entries,
    async read(index, limit) {
      const entry = raw[index]!;
      if (entry.uncompressedSize > limit) throw notZip(`${clip(entries[index]!.name ?? '')} is larger than ${limit} bytes`);
      const stream = await zip.openReadStreamPromise(entry).catch(() => {
        throw notZip(`${clip(entries[index]!.name ?? '')} cannot be read`);
      });
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > limit) throw notZip(`${clip(entries[index]!.name ?? '')} is larger than ${limit} bytes`);
          chunks.push(chunk);
        }
      } catch (err) {
        if (err instanceof EmulatorError) throw err;
        throw notZip(`${clip(entries[index]!.name ?? '')} cannot be read (its size or checksum is wrong)`);
      }
      return Buffer.concat(chunks);
    },
    close: () => zip.close(),
  };
}
