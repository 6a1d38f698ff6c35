// apk-tools' installed database, /lib/apk/db/installed (https://wiki.alpinelinux.org/wiki/Apk_spec, "Installed
// Database V2"): one stanza per package, `K:value` lines, blank lines between; `P:` name, `V:` version, `o:` origin
// (the source package Alpine's advisories name).
import type { ParseResult, RawPackage } from './raw.js';

export function parseApkInstalled(text: string): ParseResult {
  const packages: RawPackage[] = [];
  let p: string | undefined;
  let v: string | undefined;
  let o: string | undefined;
  const flush = (): void => {
    if (p && v) packages.push({ kind: 'apk', packageType: 'OS', name: p, version: v, ...(o ? { source: { name: o, version: v } } : {}) });
    p = v = o = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line === '') {
      flush();
      continue;
    }
    if (line[1] !== ':') continue;
    const value = line.slice(2);
    if (line[0] === 'P') p = value;
    else if (line[0] === 'V') v = value;
    else if (line[0] === 'o') o = value;
  }
  flush();
  return { packages, warnings: [] };
}
