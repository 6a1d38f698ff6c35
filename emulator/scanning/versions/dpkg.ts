// Debian/Ubuntu version comparison, exactly as dpkg does it (lib/dpkg/version.c: dpkg_version_compare and
// verrevcmp; Debian Policy §5.6.12): `[epoch:]upstream_version[-debian_revision]`, epochs compared as numbers, then
// upstream and revision each by alternating non-digit and digit runs, where `~` sorts before everything, even the
// end of the string, letters before other characters, and digit runs compare as numbers.
// No maintained npm package does this (deb-version-compare has one release and a few hundred downloads).

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const ALLOWED = /^[A-Za-z0-9.+~:-]+$/;

/**
 * The parts of a version as dpkg's parseversion() splits them: the epoch before the first `:` (digits), the
 * revision after the last `-`. Lenient, as comparison is in dpkg (`0foo-` and `-0.6.5` compare); `parseDpkg` is
 * the strict check.
 */
export function splitDpkg(text: string): DpkgVersion | undefined {
  const v = text.trim();
  if (v.length > 256) return undefined;
  let epoch = 0;
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^\d{1,9}$/.test(e)) return undefined;
    epoch = Number(e);
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** The parts of a version, or undefined when dpkg would refuse it (empty, bad epoch, bad characters, no leading digit). */
export function parseDpkg(text: string): DpkgVersion | undefined {
  const v = text.trim();
  if (!v || !ALLOWED.test(v)) return undefined;
  const parts = splitDpkg(v);
  if (!parts || !parts.upstream || !/^\d/.test(parts.upstream) || parts.revision.includes(':')) return undefined;
  return parts;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** dpkg's order(): digits 0 (never reached), letters their code, `~` -1, the end 0, others code + 256. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp(). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

export function compareDpkgParsed(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const u = verrevcmp(a.upstream, b.upstream);
  if (u) return Math.sign(u);
  return Math.sign(verrevcmp(a.revision, b.revision));
}

/** -1, 0 or 1; undefined when either version does not parse. */
export function compareDpkg(a: string, b: string): number | undefined {
  const pa = splitDpkg(a);
  const pb = splitDpkg(b);
  return pa && pb ? compareDpkgParsed(pa, pb) : undefined;
}
