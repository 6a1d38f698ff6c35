// Resolves a /ui/ path to a file in one of the dashboard's folders: known extensions only, no dot segments,
// and the resolved path must stay inside its folder. Request-path reads use fs/promises.
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** The extensions the dashboard ships; anything else is not served. Their types come from `mime-types`. */
export const SERVED_EXTENSIONS: ReadonlySet<string> = new Set(['.html', '.js', '.css', '.svg', '.png', '.map', '.json']);

const SAFE_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$|^[A-Za-z0-9_.-]+$/;

export interface StaticFile {
  path: string;
  contentType: string;
}

/** Finds `relative` (e.g. `views/feed-view.js`) in the first root holding it; undefined when it is not servable. */
export async function findStaticFile(roots: readonly string[], relative: string): Promise<StaticFile | undefined> {
  if (!SAFE_PATH.test(relative) || relative.split('/').some((s) => s === '.' || s === '..' || s.startsWith('.'))) return undefined;
  const ext = /\.[a-z]+$/.exec(relative)?.[0];
  // mime-types (and its ~200 KB mime-db) is loaded by the first dashboard request, not at startup.
  const contentType = ext && SERVED_EXTENSIONS.has(ext) ? (await import('mime-types')).contentType(ext) : false;
  if (!contentType) return undefined;
  for (const root of roots) {
    const base = resolve(root);
    const path = resolve(base, relative);
    if (!path.startsWith(base + sep)) continue;
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) return { path, contentType };
  }
  return undefined;
}

export function readStaticFile(file: StaticFile): Promise<Buffer> {
  return readFile(file.path);
}
