// Paths inside an image, never the host's: tar names normalized (`./`, leading `/`, `//`, `.` removed; `..` applied),
// and symbolic links resolved inside the image's own file map, with `..` at the root staying at the root and absolute
// targets taken from the image root (what a container's chroot sees). Nothing here touches the filesystem.

/** `./etc//os-release` → `etc/os-release`; undefined when `..` climbs above the root. `''` is the root itself. */
export function normalizePath(name: string): string | undefined {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

export const dirname = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
export const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * `path` with every symbolic link on the way followed through `linkOf` (at most 40, as Linux's MAXSYMLINKS), or
 * undefined for a loop.
 */
export function resolveInImage(path: string, linkOf: (p: string) => string | undefined): string | undefined {
  let pending = path.split('/');
  let resolved: string[] = [];
  let hops = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    resolved.push(part);
    const target = linkOf(resolved.join('/'));
    if (target === undefined) continue;
    if (++hops > 40) return undefined;
    resolved = target.startsWith('/') ? [] : resolved.slice(0, -1);
    pending = [...target.split('/'), ...pending];
  }
  return resolved.join('/');
}
