// dpkg's database: /var/lib/dpkg/status (one stanza per package, dpkg-query(1), deb-control(5)), and the
// per-package files of distroless images under /var/lib/dpkg/status.d/ (one stanza each, without `Status:`).
// A package is installed when its `Status:` is `install ok installed` (want, error flag, state: dpkg(1)
// "PACKAGE STATES"); `Source: name (version)` names the source package when its version differs (deb-control(5)).
import { parseStanzas } from './deb822.js';
import type { ParseResult, RawPackage } from './raw.js';

export function parseDpkgStatus(text: string, opts: { requireStatus: boolean }): ParseResult {
  const packages: RawPackage[] = [];
  const warnings: string[] = [];
  for (const s of parseStanzas(text)) {
    const name = s.get('package');
    const version = s.get('version');
    if (!name || !version) continue;
    const status = s.get('status');
    if (status !== undefined ? !/^install\s+ok\s+installed$/.test(status) : opts.requireStatus) continue;
    const pkg: RawPackage = { kind: 'dpkg', packageType: 'OS', name, version };
    const source = s.get('source');
    if (source) {
      const m = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(source);
      if (m) pkg.source = m[2] ? { name: m[1]!, version: m[2].trim() } : { name: m[1]! };
    }
    packages.push(pkg);
  }
  return { packages, warnings };
}
