// RPM version comparison (Red Hat, Rocky Linux, Fedora): rpmvercmp() of rpm's rpmio/rpmvercmp.c, with `~` (sorts
// before everything, the end included) and `^` (sorts after the end but before anything else), applied to
// `[epoch:]version[-release]` as rpmverCmp() of lib/rpmver.c does (a missing epoch is 0; the releases count only
// when both sides have one). No maintained npm package implements rpmvercmp.

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);

/** rpmvercmp(a, b): -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    // tilde: sorts before everything else
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // caret: like tilde, except that the end of a string (the base version) sorts before it
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let ei = i;
    let ej = j;
    let isNum: boolean;
    if (isDigit(a[ei])) {
      while (ei < a.length && isDigit(a[ei])) ei++;
      while (ej < b.length && isDigit(b[ej])) ej++;
      isNum = true;
    } else {
      while (ei < a.length && isAlpha(a[ei])) ei++;
      while (ej < b.length && isAlpha(b[ej])) ej++;
      isNum = false;
    }
    if (ei === i) return -1; // cannot happen (rpm: "arbitrary")
    // segments of different types: numeric is newer than alpha
    if (ej === j) return isNum ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (isNum) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export interface Evr {
  epoch: string | undefined;
  version: string;
  release: string | undefined;
}

/** `[epoch:]version[-release]` (rpm's rpmverParse: the release follows the last `-`). */
export function parseEvr(text: string): Evr | undefined {
  const v = text.trim();
  if (!v || v.length > 256 || /\s/.test(v)) return undefined;
  let epoch: string | undefined;
  let rest = v;
  const m = /^(\d+):/.exec(v);
  if (m) {
    epoch = m[1]!;
    rest = v.slice(m[0].length);
  }
  if (rest.includes(':')) return undefined;
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : undefined;
  if (!version) return undefined;
  return { epoch, version, release };
}

export function compareEvrParsed(a: Evr, b: Evr): number {
  const e = rpmvercmp(a.epoch ?? '0', b.epoch ?? '0');
  if (e) return e;
  const v = rpmvercmp(a.version, b.version);
  if (v) return v;
  if (a.release && b.release) return rpmvercmp(a.release, b.release);
  return 0;
}

/** -1, 0 or 1; undefined when either does not parse. */
export function compareRpm(a: string, b: string): number | undefined {
  const pa = parseEvr(a);
  const pb = parseEvr(b);
  return pa && pb ? compareEvrParsed(pa, pb) : undefined;
}
