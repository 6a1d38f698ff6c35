// npm: lockfiles (https://docs.npmjs.com/cli/configuring-npm/package-lock-json) and installed packages'
// package.json. lockfileVersion 2 and 3 list installed packages in `packages`, keyed by their folder relative to the
// project (`node_modules/a/node_modules/b`; `""` is the project itself, `link: true` entries point elsewhere);
// lockfileVersion 1 nests `dependencies` objects. The hidden lockfile `node_modules/.package-lock.json` has the same
// shape with keys relative to the folder above node_modules. Entries marked `dev: true` are left out: a production
// install (`npm ci --omit=dev`) does not install them, and if it did their package.json under node_modules is found.
import type { ParseResult, RawPackage } from './raw.js';

const join = (dir: string, rel: string): string => (dir ? `${dir}/${rel}` : rel);

function nameFromFolder(key: string): string | undefined {
  const i = key.lastIndexOf('node_modules/');
  if (i < 0) return undefined;
  const rest = key.slice(i + 'node_modules/'.length);
  return rest || undefined;
}

/** `path` is the lockfile's normalized path in the image (`app/package-lock.json`). */
export function parsePackageLock(text: string, path: string): ParseResult {
  const warnings: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { packages: [], warnings: [`/${path}: not JSON (${(err as Error).message})`] };
  }
  if (!doc || typeof doc !== 'object') return { packages: [], warnings: [`/${path}: not a package-lock object`] };
  let dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  if (path.endsWith('node_modules/.package-lock.json')) dir = dir.slice(0, -'node_modules'.length).replace(/\/$/, '');
  const packages: RawPackage[] = [];
  const lock = doc as { packages?: unknown; dependencies?: unknown };
  if (lock.packages && typeof lock.packages === 'object') {
    for (const [key, value] of Object.entries(lock.packages as Record<string, unknown>)) {
      if (!key || !value || typeof value !== 'object') continue;
      const entry = value as { version?: unknown; name?: unknown; link?: unknown; dev?: unknown };
      if (entry.link === true || entry.dev === true || typeof entry.version !== 'string') continue;
      const name = typeof entry.name === 'string' ? entry.name : nameFromFolder(key);
      if (!name) continue;
      packages.push({ kind: 'npm', packageType: 'NPM', name, version: entry.version, location: join(dir, key) });
    }
    return { packages, warnings };
  }
  const walk = (deps: unknown, folder: string, depth: number): void => {
    if (!deps || typeof deps !== 'object' || depth > 64) return;
    for (const [name, value] of Object.entries(deps as Record<string, unknown>)) {
      if (!value || typeof value !== 'object') continue;
      const entry = value as { version?: unknown; dev?: unknown; dependencies?: unknown; bundled?: unknown };
      const location = join(folder, `node_modules/${name}`);
      if (entry.dev !== true && typeof entry.version === 'string' && !entry.version.startsWith('file:')) {
        // v1 writes aliases as `npm:real-name@version`
        const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(entry.version);
        packages.push({ kind: 'npm', packageType: 'NPM', name: alias ? alias[1]! : name, version: alias ? alias[2]! : entry.version, location });
      }
      walk(entry.dependencies, location, depth + 1);
    }
  };
  walk(lock.dependencies, dir, 0);
  return { packages, warnings };
}

/** An installed package's `node_modules/NAME/package.json` (`path` normalized, as above). */
export function parseInstalledPackageJson(text: string, path: string): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { packages: [], warnings: [] };
  }
  const pkg = doc as { name?: unknown; version?: unknown };
  if (!pkg || typeof pkg.name !== 'string' || typeof pkg.version !== 'string' || !pkg.name || !pkg.version) return { packages: [], warnings: [] };
  return { packages: [{ kind: 'npm', packageType: 'NPM', name: pkg.name, version: pkg.version, location: path.slice(0, -'/package.json'.length) }], warnings: [] };
}
