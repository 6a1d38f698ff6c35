// THE on-disk layout. Every path under the data directory is built here and nowhere else.
//
//   <root>/blobs/<alg>/<hex[0:2]>/<hex>        content-addressed blobs (immutable; written by rename)
//   <root>/blobs/_tmp/<uuid>                   blob writes in progress (removed at startup)
//   <root>/blobs/_trash/<alg>-<hex>            a blob the garbage collector is deleting (put back at startup)
//   <root>/uploads/<uuid>/data                 resumable upload session bytes
//   <root>/uploads/<uuid>/info.json            session record (scope, startedAt)
//   <root>/uploads/<uuid>/offset               bytes acknowledged so far (a crash-cut chunk past it is dropped)
//   <root>/meta/<seg>/<seg>/.../<seg>.json     metadata shard snapshot (lowdb; JSON lines), one per repository …
//   <root>/meta/<seg>/.../<seg>.journal        … and its append-only journal of committed changes
//
// Client-supplied names never become paths directly: digests and upload ids are validated against strict
// patterns, shard segments are percent-encoded (no `/`, no leading `.`), and every result is checked to stay
// inside the root (verdaccio's exact-folder check).
import { join, resolve, sep } from 'node:path';

const HEX = /^[a-f0-9]+$/;
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALGORITHMS = new Set(['sha256', 'sha512']);

export class DataPaths {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  get blobsDir(): string {
    return join(this.root, 'blobs');
  }
  get blobTempDir(): string {
    return join(this.root, 'blobs', '_tmp');
  }
  get blobTrashDir(): string {
    return join(this.root, 'blobs', '_trash');
  }
  get uploadsDir(): string {
    return join(this.root, 'uploads');
  }
  get metaDir(): string {
    return join(this.root, 'meta');
  }

  blob(algorithm: string, hex: string): string {
    if (!ALGORITHMS.has(algorithm) || !HEX.test(hex)) throw new Error(`refusing unsafe blob path ${algorithm}:${hex}`);
    return this.contained(join(this.blobsDir, algorithm, hex.slice(0, 2), hex));
  }

  /** Where the garbage collector moves a blob before deleting it (see FsBlobStore.collectGarbage). */
  trashedBlob(algorithm: string, hex: string): string {
    if (!ALGORITHMS.has(algorithm) || !HEX.test(hex)) throw new Error(`refusing unsafe blob path ${algorithm}:${hex}`);
    return this.contained(join(this.blobTrashDir, `${algorithm}-${hex}`));
  }

  uploadDir(id: string): string {
    if (!UPLOAD_ID.test(id)) throw new Error('refusing unsafe upload id');
    return this.contained(join(this.uploadsDir, id));
  }

  isUploadId(id: string): boolean {
    return UPLOAD_ID.test(id);
  }

  /** Snapshot and journal files of a metadata shard. */
  shard(key: readonly string[]): { snapshot: string; journal: string } {
    if (key.length === 0) throw new Error('empty shard key');
    const segs = key.map(encodeSegment);
    const base = this.contained(join(this.metaDir, ...segs));
    return { snapshot: `${base}.json`, journal: `${base}.journal` };
  }

  /** Inverse of shard(): the key for a snapshot or journal path below metaDir, if it is one. */
  shardKeyOf(path: string): string[] | undefined {
    const rel = resolve(path).slice(this.metaDir.length + 1);
    const m = /^(.*)\.(json|journal)$/.exec(rel);
    if (!m) return undefined;
    return m[1]!.split(sep).map(decodeURIComponent);
  }

  private contained(path: string): string {
    const abs = resolve(path);
    if (abs !== this.root && !abs.startsWith(this.root + sep)) throw new Error('path escapes the data directory');
    return abs;
  }
}

function encodeSegment(seg: string): string {
  if (!seg) throw new Error('empty shard key segment');
  // encodeURIComponent leaves `.` alone: encode it too, so no segment can be `.` or `..` or end in `.json`.
  return encodeURIComponent(seg).replaceAll('.', '%2E').replaceAll('*', '%2A');
}
