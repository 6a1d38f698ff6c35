// Resolves a /ui/ path to a file in one of the dashboard's folders: known extensions only, no dot segments,
// and the resolved path must stay inside its folder. Request-path reads use fs/promises.
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

const SAFE_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$|^[A-Za-z0-9_.-]+$/;

export interface StaticFile {
  path: string;
  contentType: string;
}

/** Finds `relative` (e.g. `views/feed-view.js`) in the first root holding it; undefined when it is not servable. */
export async function findStaticFile(roots: readonly string[], relative: string): Promise<StaticFile | undefined> {
  if (!SAFE_PATH.test(relative) || relative.split('/').some((s) => s === '.' || s === '..' || s.startsWith('.'))) return undefined;
  const ext = /\.[a-z]+$/.exec(relative)?.[0];
  const contentType = ext ? CONTENT_TYPES[ext] : undefined;
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
