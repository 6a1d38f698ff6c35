// Installed Python distributions: `*.dist-info/METADATA` (the core metadata, https://packaging.python.org/en/latest/
// specifications/core-metadata/, and the installed-distribution layout of
// https://packaging.python.org/en/latest/specifications/recording-installed-packages/) and setuptools'
// `*.egg-info/PKG-INFO` (or a `*.egg-info` file): RFC 822 headers up to the first blank line; `Name:` and `Version:`.
// The name is kept as written; the database normalizes it by PEP 503 when matching.
import type { ParseResult } from './raw.js';

export function parsePythonMetadata(text: string): ParseResult {
  let name: string | undefined;
  let version: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') break;
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    if (key === 'name' && name === undefined) name = m[2]!.trim();
    else if (key === 'version' && version === undefined) version = m[2]!.trim();
  }
  if (!name || !version) return { packages: [], warnings: [] };
  return { packages: [{ kind: 'PyPI', packageType: 'PYPI', name, version }], warnings: [] };
}
