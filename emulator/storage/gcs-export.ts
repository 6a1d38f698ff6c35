// Cloud Storage in place, the writing side: ExportArtifact's `gcsPath` (`BUCKET` or `BUCKET/DIR`, no gs://) names
// the local directory `<root>/BUCKET/DIR` (root: `--gcs-root`, default `<dataDir>/gcs`; docs/api.md). Each object is
// streamed to a temporary file beside its final name, fsynced, then renamed over any object of the same name (as
// Cloud Storage overwrites), so a reader never sees half an object. The directory, after symlinks, must stay under
// the root: a client-supplied path never writes outside it.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseGcsUri } from './gcs-source.js';

/** `BUCKET[/DIR…]` → bucket and directory segments; a string saying what is wrong otherwise. */
export function parseGcsPath(path: string): { bucket: string; dir: string[] } | string {
  const trimmed = path.replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const bucket = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const parsed = parseGcsUri(`gs://${bucket}/${slash < 0 ? 'object' : trimmed.slice(slash + 1)}`);
  if (typeof parsed === 'string' || trimmed.startsWith('gs:')) return `"${path.slice(0, 80)}" is not a Cloud Storage path of the form BUCKET or BUCKET/DIR (no gs:// prefix).`;
  return { bucket: parsed.bucket, dir: slash < 0 ? [] : parsed.object.split('/') };
}

/** Writes `body` as the object DIR/NAME of BUCKET under `root`; answers the object path `BUCKET/DIR/NAME`. */
export async function writeGcsObject(root: string, target: { bucket: string; dir: string[] }, name: string, body: AsyncIterable<Uint8Array>): Promise<string> {
  if (!name || name === '.' || name === '..' || /[/\\\u0000-\u001f]/.test(name)) throw new Error(`invalid object name ${JSON.stringify(name.slice(0, 80))}`);
  await mkdir(root, { recursive: true });
  const realRoot = await realpath(root);
  const dir = join(realRoot, target.bucket, ...target.dir);
  await mkdir(dir, { recursive: true });
  const realDir = await realpath(dir);
  const rel = relative(realRoot, realDir);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) throw new Error('the export directory resolves outside the Cloud Storage root');
  const final = join(realDir, name);
  const tmp = join(realDir, `.${name}.${randomBytes(6).toString('hex')}.part`);
  try {
    await pipeline(Readable.from(body), createWriteStream(tmp, { flags: 'wx' }));
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return [target.bucket, ...target.dir, name].join('/');
}
