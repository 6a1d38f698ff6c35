// Cloud Storage in place: the `gs://BUCKET/OBJECT` URIs of `aptArtifacts:import` / `yumArtifacts:import` name local
// files `<root>/BUCKET/OBJECT` (root: `--gcs-root`, default `<dataDir>/gcs`; docs/upload-protocol.md). Bucket and
// object names are checked by Cloud Storage's rules before they touch the file system, and a resolved path (after
// symlinks) must stay under the root: a URI never reads a file outside it. With `useWildcards`, `*` and `?` match
// within one path segment and `**` across segments, as gcloud storage does.
import { realpath, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ImportSource } from '../core/import-kind.js';

/** the most files one import resolves (the rest is an error of its URI) */
export const MAX_IMPORT_FILES = 10_000;
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

export function parseGcsUri(uri: string): { bucket: string; object: string } | string {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) return `"${clip(uri)}" is not a Cloud Storage URI of the form gs://BUCKET/OBJECT.`;
  const [, bucket, object] = m as unknown as [string, string, string];
  if (!BUCKET.test(bucket) || bucket.includes('..')) return `Invalid bucket name "${clip(bucket)}".`;
  if (object.length > 1024 || /[\u0000-\u001f\u007f\\]/.test(object)) return `Invalid object name "${clip(object)}".`;
  if (object.split('/').some((s) => s === '' || s === '.' || s === '..')) return `Invalid object name "${clip(object)}": empty, "." or ".." segments.`;
  return { bucket, object };
}

/** Resolves each URI to the files it names, in order; an error per URI that names nothing readable. */
export async function resolveGcsUris(root: string, uris: readonly string[], useWildcards: boolean): Promise<ImportSource[]> {
  const out: ImportSource[] = [];
  let realRoot: string | undefined;
  try {
    realRoot = await realpath(root);
  } catch {
    // no root directory: every URI is NOT_FOUND below
  }
  for (const uri of uris) {
    const parsed = parseGcsUri(String(uri));
    if (typeof parsed === 'string') {
      out.push({ uri: String(uri), error: parsed });
      continue;
    }
    if (!realRoot) {
      out.push({ uri, error: `No object matches "${clip(uri)}" (the emulator reads gs:// URIs from ${root}${sep}BUCKET${sep}OBJECT, which does not exist).` });
      continue;
    }
    const wild = useWildcards && /[*?]/.test(parsed.object);
    const candidates = wild ? await expand(realRoot, parsed.bucket, parsed.object) : [join(realRoot, parsed.bucket, ...parsed.object.split('/'))];
    let found = 0;
    for (const candidate of candidates) {
      if (out.length >= MAX_IMPORT_FILES) {
        out.push({ uri, error: `More than ${MAX_IMPORT_FILES} files: the rest of "${clip(uri)}" was not imported.` });
        break;
      }
      const file = await inside(realRoot, candidate);
      if (!file) continue;
      out.push({ uri: wild ? `gs://${parsed.bucket}/${relative(join(realRoot, parsed.bucket), file.path).split(sep).join('/')}` : uri, path: file.path, size: file.size });
      found += 1;
    }
    if (found === 0) out.push({ uri, error: `No object matches "${clip(uri)}".` });
  }
  return out;
}

async function inside(root: string, candidate: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const real = await realpath(candidate);
    const rel = relative(root, real);
    if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) return undefined;
    const st = await stat(real);
    return st.isFile() ? { path: real, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

/** The files under ROOT/BUCKET whose object name matches the pattern (sorted, bounded). */
async function expand(root: string, bucket: string, pattern: string): Promise<string[]> {
  const re = globToRegExp(pattern);
  const base = join(root, bucket);
  const found: string[] = [];
  const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
    if (depth > 32 || found.length > MAX_IMPORT_FILES) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const name = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(dir, e.name), name, depth + 1);
      else if (re.test(name)) found.push(join(dir, e.name));
    }
  };
  await walk(base, '', 0);
  return found;
}

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);
