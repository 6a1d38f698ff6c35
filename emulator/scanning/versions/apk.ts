// Alpine version comparison, a port of apk-tools' src/version.c (apk_version_compare_blob, get_token,
// next_token; Gentoo-style `{digit}{.digit}...{letter}{_suffix{#}}...{-r#}`): pre-release suffixes _alpha, _beta,
// _pre, _rc sort before the plain version, post suffixes _cvs, _svn, _git, _hg, _p after it; `.0…` with leading zeros
// compares by the count of zeros; -rN is the package revision. No npm package implements apk's rules.

const enum T { INVALID = -1, DIGIT_OR_ZERO = 0, DIGIT = 1, LETTER = 2, SUFFIX = 3, SUFFIX_NO = 4, REVISION_NO = 5, END = 6 }

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLower = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  get len(): number {
    return this.s.length - this.pos;
  }
  at(k = 0): string | undefined {
    return this.s[this.pos + k];
  }
}

function nextToken(type: T, b: Cursor): T {
  let n: T = T.INVALID;
  if (b.len === 0 || b.at() === '\0') {
    n = T.END;
  } else if ((type === T.DIGIT || type === T.DIGIT_OR_ZERO) && isLower(b.at())) {
    n = T.LETTER;
  } else if (type === T.LETTER && isDigit(b.at())) {
    n = T.DIGIT;
  } else if (type === T.SUFFIX && isDigit(b.at())) {
    n = T.SUFFIX_NO;
  } else {
    switch (b.at()) {
      case '.':
        n = T.DIGIT_OR_ZERO;
        break;
      case '_':
        n = T.SUFFIX;
        break;
      case '-':
        if (b.len > 1 && b.at(1) === 'r') {
          n = T.REVISION_NO;
          b.pos++;
        } else n = T.INVALID;
        break;
    }
    b.pos++;
  }
  if (n < type) {
    if (!((n === T.DIGIT_OR_ZERO && type === T.DIGIT) || (n === T.SUFFIX && type === T.SUFFIX_NO) || (n === T.DIGIT && type === T.LETTER))) n = T.INVALID;
  }
  return n;
}

/** One token's value; updates `state.type` to the next token's type (as get_token's *type). */
function getToken(state: { type: T }, b: Cursor): number {
  let i = 0;
  let nt: T = T.INVALID;
  let v = 0;
  if (b.len <= 0) {
    state.type = T.END;
    return 0;
  }
  const s = b.s;
  const p = b.pos;
  switch (state.type) {
    case T.DIGIT_OR_ZERO:
      if (s[p] === '0') {
        while (i < b.len && s[p + i] === '0') i++;
        nt = T.DIGIT;
        v = -i;
        break;
      }
    // falls through
    case T.DIGIT:
    case T.SUFFIX_NO:
    case T.REVISION_NO:
      while (i < b.len && isDigit(s[p + i])) {
        v = v * 10 + (s.charCodeAt(p + i) - 48);
        i++;
      }
      if (i >= 18) {
        state.type = T.INVALID;
        return -1;
      }
      break;
    case T.LETTER:
      v = s.charCodeAt(p);
      i = 1;
      break;
    case T.SUFFIX: {
      const rest = s.slice(p);
      const pre = PRE_SUFFIXES.findIndex((x) => rest.startsWith(x));
      if (pre >= 0) {
        i = PRE_SUFFIXES[pre]!.length;
        v = pre - PRE_SUFFIXES.length;
        break;
      }
      const post = POST_SUFFIXES.findIndex((x) => rest.startsWith(x));
      if (post >= 0) {
        i = POST_SUFFIXES[post]!.length;
        v = post;
        break;
      }
      state.type = T.INVALID;
      return -1;
    }
    default:
      state.type = T.INVALID;
      return -1;
  }
  b.pos += i;
  if (b.len === 0) state.type = T.END;
  else if (nt !== T.INVALID) state.type = nt;
  else state.type = nextToken(state.type, b);
  return v;
}

/** Whether apk-tools accepts the version (apk_version_validate). */
export function validApk(version: string): boolean {
  const b = new Cursor(version);
  const st = { type: T.DIGIT };
  while (st.type !== T.END && st.type !== T.INVALID) getToken(st, b);
  return st.type === T.END;
}

/** -1, 0 or 1 as apk-tools orders the two (invalid versions compare as apk does: token by token up to the invalid part). */
export function compareApk(a: string, b: string): number {
  const ca = new Cursor(a);
  const cb = new Cursor(b);
  const at = { type: T.DIGIT };
  const bt = { type: T.DIGIT };
  let av = 0;
  let bv = 0;
  while (at.type === bt.type && at.type !== T.END && at.type !== T.INVALID && av === bv) {
    av = getToken(at, ca);
    bv = getToken(bt, cb);
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (at.type === bt.type) return 0;
  if (at.type === T.SUFFIX && getToken({ type: at.type }, new Cursor(ca.s.slice(ca.pos))) < 0) return -1;
  if (bt.type === T.SUFFIX && getToken({ type: bt.type }, new Cursor(cb.s.slice(cb.pos))) < 0) return 1;
  if (at.type > bt.type) return -1;
  if (bt.type > at.type) return 1;
  return 0;
}
