// Snapshots of a data dir (docs/fixture.md "Snapshots"): `ar-emulator export DIR` / POST /_emulator/export while
// the emulator serves, `start --import DIR`, `--export-on-exit DIR`.
//
// Consistent while serving: every metadata shard is written under its own lock (what was acknowledged before the
// export began is in it), and the garbage collector is held off for the whole export, so every blob the metadata
// names is still there to copy. Blobs are immutable and content-addressed: they are hard-linked when the export
// dir is on the same file system, copied otherwise. Upload sessions in progress are not part of a snapshot.
//
// Checksummed: a manifest lists every file with its size and sha256; an import checks each one (and that no path
// leaves the snapshot) before it writes anything, and refuses an incomplete or changed snapshot naming the file.
// Atomic: the export is built in a sibling directory and renamed into place; a failed export leaves the previous
// one intact.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { noProgress, type ProgressFactory } from '../core/progress.js';
import { syncDirectory, syncFile } from './fsync.js';
import { SnapshotFile } from './json-lines-file.js';
import type { MetaStore } from './meta-store.js';
import { DataPaths } from './paths.js';

export const SNAPSHOT_MANIFEST = 'ar-emulator-snapshot.json';
const FORMAT = 'ar-emulator-snapshot';
const HEX = /^[a-f0-9]{2,128}$/;

export interface SnapshotManifest {
  format: typeof FORMAT;
  version: 1;
  createTime: string;
  emulatorVersion: string;
  /** every file of the snapshot but the manifest, relative with `/` */
  files: Array<{ path: string; size: number; sha256: string }>;
}

export class SnapshotError extends Error {}

export interface ExportResult {
  dir: string;
  files: number;
  bytes: number;
  shards: number;
  blobs: number;
}

/** Writes a snapshot of `meta` and the blobs under `paths` to `dir` (replacing what is there only when it is done). */
export async function exportSnapshot(d: { paths: DataPaths; meta: MetaStore; dir: string; emulatorVersion: string; now: Date; progress?: ProgressFactory }): Promise<ExportResult> {
  const target = resolve(d.dir);
  if (isInside(target, d.paths.root) || isInside(d.paths.root, target)) throw new SnapshotError(`The snapshot dir ${target} may not be inside the data dir, nor hold it.`);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const partial = join(parent, `.${basename(target)}.partial-${randomUUID()}`);
  const out = new DataPaths(partial);
  try {
    let shards = 0;
    const all = d.meta.list([]);
    const blobList = await listBlobs(d.paths);
    const progress = (d.progress ?? noProgress)(`export to ${target}`, all.length + blobList.length, 'shards and blobs');
    for (const shard of all) {
      const written = await shard.exportState((doc) => new SnapshotFile(out.shard(shard.key).snapshot).write(doc));
      if (written) shards += 1;
      progress.tick();
    }
    let blobs = 0;
    for (const b of blobList) {
      const to = out.blob(b.algorithm, b.hex);
      await mkdir(dirname(to), { recursive: true });
      await link(b.path, to).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV' && err.code !== 'EPERM' && err.code !== 'ENOTSUP') throw err;
        await copyFile(b.path, to);
        await syncFile(to);
      });
      blobs += 1;
      progress.tick();
    }
    progress.done();
    const files = await checksums(partial);
    const manifest: SnapshotManifest = { format: FORMAT, version: 1, createTime: d.now.toISOString(), emulatorVersion: d.emulatorVersion, files };
    await writeFile(join(partial, SNAPSHOT_MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    await syncFile(join(partial, SNAPSHOT_MANIFEST));
    await syncTree(partial);
    // into place: the previous snapshot goes only once the new one is complete
    const previous = join(parent, `.${basename(target)}.previous-${randomUUID()}`);
    const hadPrevious = await stat(target).then(() => true, () => false);
    if (hadPrevious) await rename(target, previous);
    await rename(partial, target);
    await syncDirectory(parent);
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
    return { dir: target, files: files.length + 1, bytes: files.reduce((n, f) => n + f.size, 0), shards, blobs };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

/** Checks a snapshot: its manifest, every file present with its size and sha256, nothing outside it. */
export async function verifySnapshot(dir: string, progressOf: ProgressFactory = noProgress): Promise<SnapshotManifest> {
  const root = resolve(dir);
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(await readFile(join(root, SNAPSHOT_MANIFEST), 'utf8')) as SnapshotManifest;
  } catch (err) {
    throw new SnapshotError(`${root} is not a snapshot: ${SNAPSHOT_MANIFEST} is missing or not JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  if (manifest?.format !== FORMAT || manifest.version !== 1 || !Array.isArray(manifest.files)) throw new SnapshotError(`${root}: ${SNAPSHOT_MANIFEST} is not a version 1 snapshot manifest.`);
  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (typeof f?.path !== 'string' || !safeRelative(f.path) || !(f.path.startsWith('meta/') || f.path.startsWith('blobs/'))) throw new SnapshotError(`${root}: the manifest names a file outside the snapshot (${String(f?.path).slice(0, 200)}).`);
    listed.add(f.path);
  }
  const present = new Set((await walk(root)).map((p) => relative(root, p).split(sep).join('/')).filter((p) => p !== SNAPSHOT_MANIFEST));
  for (const p of present) if (!listed.has(p)) throw new SnapshotError(`${root}: ${p} is not in the manifest (the snapshot was changed after it was taken).`);
  const progress = progressOf(`verify ${root}`, manifest.files.length, 'files');
  for (const f of manifest.files) {
    progress.tick();
    if (!present.has(f.path)) throw new SnapshotError(`${root}: ${f.path} is missing (the snapshot is incomplete).`);
    const file = join(root, ...f.path.split('/'));
    const size = (await stat(file)).size;
    if (size !== f.size || (await sha256Of(file)) !== f.sha256) throw new SnapshotError(`${root}: ${f.path} does not match its checksum (the snapshot was changed or damaged).`);
  }
  progress.done();
  return manifest;
}

/** Verifies `dir`, then copies it into `dataDir`, which must be empty or absent. */
export async function importSnapshot(dir: string, dataDir: string, progressOf: ProgressFactory = noProgress): Promise<SnapshotManifest> {
  const manifest = await verifySnapshot(dir, progressOf);
  const target = resolve(dataDir);
  const existing = await readdir(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  if (existing.length) throw new SnapshotError(`The data dir ${target} is not empty: an import goes into an empty one (use --ephemeral, or a new --data-dir).`);
  const progress = progressOf(`import into ${target}`, manifest.files.length, 'files');
  for (const f of manifest.files) {
    progress.tick();
    const to = join(target, ...f.path.split('/'));
    await mkdir(dirname(to), { recursive: true });
    await copyFile(join(resolve(dir), ...f.path.split('/')), to);
    await syncFile(to);
  }
  await syncTree(target);
  progress.done();
  return manifest;
}

async function listBlobs(paths: DataPaths): Promise<Array<{ algorithm: string; hex: string; path: string }>> {
  const out: Array<{ algorithm: string; hex: string; path: string }> = [];
  for (const algorithm of ['sha256', 'sha512']) {
    const base = join(paths.blobsDir, algorithm);
    for (const prefix of await readdir(base).catch(() => [] as string[])) {
      if (!/^[a-f0-9]{2}$/.test(prefix)) continue;
      for (const hex of await readdir(join(base, prefix)).catch(() => [] as string[])) {
        if (HEX.test(hex) && hex.startsWith(prefix)) out.push({ algorithm, hex, path: paths.blob(algorithm, hex) });
      }
    }
  }
  return out;
}

async function checksums(root: string): Promise<SnapshotManifest['files']> {
  const files: SnapshotManifest['files'] = [];
  for (const file of await walk(root)) {
    files.push({ path: relative(root, file).split(sep).join('/'), size: (await stat(file)).size, sha256: await sha256Of(file) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
    else throw new SnapshotError(`${p} is neither a file nor a directory: a snapshot holds only files.`);
  }
  return out;
}

async function syncTree(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await syncTree(join(dir, e.name));
  await syncDirectory(dir);
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolveHash(h.digest('hex')));
  });
}

const safeRelative = (p: string) => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\\') && !/[\u0000-\u001f]/.test(s));
const isInside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== child);
};
