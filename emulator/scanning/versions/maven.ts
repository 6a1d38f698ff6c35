// Maven version ordering: a port of Apache Maven's org.apache.maven.artifact.versioning.ComparableVersion (the
// maven-artifact of Maven 4, compat/maven-artifact, which keeps 3.9's rules): items split at `.`, `-` and
// digit/letter transitions (a `-` or a transition opens a sub-list), `X1`/`X-1` read as one combination item
// (qualifier X, number 1), zero items before a qualifier dropped, numbers compared as integers of any size,
// qualifiers ordered alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp, then unknown
// qualifiers lexically; a1/b1/m1 stand for alpha-1/beta-1/milestone-1 (https://maven.apache.org/pom.html#version-order-specification).
// The npm packages that port it have a single release and no repository (mvncmp), so it is written here, with
// Maven's own ComparableVersionTest beside it.

type Item =
  | { t: 'int'; v: bigint }
  | { t: 'str'; v: string }
  | { t: 'comb'; s: string; d: bigint }
  | { t: 'list'; v: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_QUALIFIERS = ['ga', 'final', 'release'];
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function comparableQualifier(q: string): string {
  if (RELEASE_QUALIFIERS.includes(q)) return RELEASE_INDEX;
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const cmpBig = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const isAsciiDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isUnicodeDigit = (c: string | undefined) => c !== undefined && /\p{Nd}/u.test(c);

function stringValue(value: string, followedByDigit: boolean): string {
  let v = value;
  if (followedByDigit && v.length === 1) v = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[v] ?? v;
  return v === 'cr' ? 'rc' : v;
}

function numeric(buf: string): Item {
  const stripped = buf.replace(/^0+/, '');
  return { t: 'int', v: BigInt(stripped === '' ? '0' : stripped) };
}

function combination(value: string): Item {
  let index = 0;
  for (let i = 0; i < value.length; i++) {
    if (isUnicodeDigit(value[i])) {
      index = i;
      break;
    }
  }
  const digits = value.slice(index);
  if (!/^\d+$/.test(digits)) return { t: 'str', v: stringValue(value, false) }; // Maven would throw; keep it a qualifier
  return { t: 'comb', s: stringValue(value.slice(0, index), true), d: (numeric(digits) as { v: bigint }).v };
}

function parseItem(isCombination: boolean, isDigit: boolean, buf: string): Item {
  if (isCombination) return combination(buf.replaceAll('-', ''));
  if (isDigit) return numeric(buf);
  return { t: 'str', v: stringValue(buf, false) };
}

function isNull(item: Item): boolean {
  switch (item.t) {
    case 'int':
      return item.v === 0n;
    case 'str':
      return item.v === '';
    case 'comb':
      return false;
    case 'list':
      return item.v.length === 0;
  }
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    if (!isNull(list[i]!)) continue;
    const next = list[i + 1];
    if (i === list.length - 1 || next?.t === 'str') list.splice(i, 1);
    else if (next?.t === 'list') {
      const first = next.v[0];
      if (first && (first.t === 'comb' || first.t === 'str')) list.splice(i, 1);
    }
  }
  if (list.length === 1 && list[0]!.t === 'list') {
    const inner = (list[0] as { v: Item[] }).v;
    list.length = 0;
    list.push(...inner);
  }
}

/** Item.compareTo(other), `undefined` standing for Java's null (the shorter side). */
function compareItem(a: Item, b: Item | undefined): number {
  switch (a.t) {
    case 'int':
      if (!b) return a.v === 0n ? 0 : 1; // 1.0 == 1, 1.1 > 1
      return b.t === 'int' ? cmpBig(a.v, b.v) : 1; // 1.1 > 1-sp, 1.1 > 1-1
    case 'str': {
      if (!b) return Math.sign(cmpStr(comparableQualifier(a.v), RELEASE_INDEX)); // 1-rc < 1, 1-ga == 1
      switch (b.t) {
        case 'int':
          return -1;
        case 'str':
          return Math.sign(cmpStr(comparableQualifier(a.v), comparableQualifier(b.v)));
        case 'comb': {
          const result = compareItem(a, { t: 'str', v: b.s });
          if (result === 0) return compareItem(a, undefined) === 0 ? -compareItem({ t: 'int', v: b.d }, undefined) : -1;
          return result;
        }
        case 'list':
          return -compareItem(b, a);
      }
      break;
    }
    case 'comb': {
      const s: Item = { t: 'str', v: a.s };
      const d: Item = { t: 'int', v: a.d };
      if (!b) {
        const result = compareItem(s, undefined);
        return result === 0 ? compareItem(d, undefined) : result; // 1-rc1 < 1, 1-ga1 > 1
      }
      switch (b.t) {
        case 'int':
          return -1;
        case 'str': {
          const result = compareItem(s, b);
          if (result === 0) return compareItem(s, undefined) === 0 ? compareItem(d, undefined) : 1; // X1 > X
          return result;
        }
        case 'list':
          return -compareItem(b, a);
        case 'comb': {
          const result = compareItem(s, { t: 'str', v: b.s });
          return result === 0 ? cmpBig(a.d, b.d) : result;
        }
      }
      break;
    }
    case 'list': {
      if (!b) {
        for (const item of a.v) {
          const r = compareItem(item, undefined);
          if (r !== 0) return r;
        }
        return 0; // 1-0 = 1- (normalize) = 1
      }
      switch (b.t) {
        case 'int':
          return -1; // 1-1 < 1.0.x
        case 'str':
        case 'comb': {
          let r = a.v.length === 0 ? -compareItem(b, undefined) : compareItem(a.v[0]!, b);
          for (let i = 1; r === 0 && i < a.v.length; i++) r = compareItem(a.v[i]!, undefined);
          return r;
        }
        case 'list': {
          const n = Math.max(a.v.length, b.v.length);
          for (let i = 0; i < n; i++) {
            const l = a.v[i];
            const r = b.v[i];
            const result = l === undefined ? (r === undefined ? 0 : -1 * compareItem(r, undefined)) : compareItem(l, r);
            if (result !== 0) return result;
          }
          return 0;
        }
      }
    }
  }
  return 0;
}

/** ComparableVersion.parseVersion */
export function parseMaven(version: string): Item {
  const v = version.toLowerCase();
  const items: Item[] = [];
  let list = items;
  const stack: Item[][] = [list];
  const openList = () => {
    const sub: Item[] = [];
    list.push({ t: 'list', v: sub });
    list = sub;
    stack.push(list);
  };
  let isDigit = false;
  let isCombination = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.') {
      list.push(i === start ? { t: 'int', v: 0n } : parseItem(isCombination, isDigit, v.slice(start, i)));
      isCombination = false;
      start = i + 1;
    } else if (c === '-') {
      if (i === start) {
        list.push({ t: 'int', v: 0n });
      } else {
        // X-1 is read as X1
        if (!isDigit && i !== v.length - 1 && isUnicodeDigit(v[i + 1])) {
          isCombination = true;
          continue;
        }
        list.push(parseItem(isCombination, isDigit, v.slice(start, i)));
      }
      start = i + 1;
      if (list.length > 0) openList();
      isCombination = false;
    } else if (isAsciiDigit(c)) {
      if (!isDigit && i > start) {
        // X1
        isCombination = true;
        if (list.length > 0) openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(isCombination, true, v.slice(start, i)));
        start = i;
        openList();
        isCombination = false;
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    // 1.0.0.X1 < 1.0.0-X2: a trailing .X is read as -X
    if (!isDigit && list.length > 0) openList();
    list.push(parseItem(isCombination, isDigit, v.slice(start)));
  }
  while (stack.length) normalize(stack.pop()!);
  return { t: 'list', v: items };
}

/** ComparableVersion.getCanonical */
export function canonicalMaven(version: string): string {
  const render = (item: Item): string => {
    switch (item.t) {
      case 'int':
        return item.v.toString();
      case 'str':
        return item.v;
      case 'comb':
        return `${item.s}${item.d}`;
      case 'list': {
        let out = '';
        for (const child of item.v) {
          if (out.length > 0) out += child.t === 'list' ? '-' : '.';
          out += render(child);
        }
        return out;
      }
    }
  };
  return render(parseMaven(version));
}

/** A Maven version: any non-empty string of at most 256 characters (Maven's MAX_VERSION_LENGTH) without whitespace. */
export const validMaven = (version: string): boolean => version.length > 0 && version.length <= 256 && !/\s/.test(version);

export function compareMaven(a: string, b: string): number {
  return Math.sign(compareItem(parseMaven(a), parseMaven(b)));
}
