// The occurrence filter of Container Analysis list and summary calls, as gcloud writes it (spec ar-fidelity §6.2,
// filter_util.py): `field = "value"` on kind, resourceUrl, noteId, noteProjectId; `has_prefix(field, "prefix")`;
// AND, OR, NOT; parentheses; juxtaposition is AND (AIP-160). A small recursive-descent parser, no library: the
// AIP-160 parsers on npm are unmaintained or far larger than this grammar. A filter that does not parse, or names
// another field, is INVALID_ARGUMENT with the position.
//
//   expr   := and (OR and)*
//   and    := unary ((AND)? unary)*
//   unary  := NOT unary | '-' unary | atom
//   atom   := '(' expr ')' | IDENT '(' IDENT ',' value ')' | IDENT ('=' | '!=') value
//   value  := STRING | IDENT
import { EmulatorError } from '../core/errors.js';

/** What a filter reads of an occurrence. */
export interface FilterSubject {
  kind: string;
  resourceUri: string;
  noteName: string;
  /** other names of the same resource (the host-swapped form the emulator's dockerImages give out): resourceUrl matches any */
  resourceAliases?: readonly string[];
}

export type OccurrencePredicate = (o: FilterSubject) => boolean;

const resource = (o: FilterSubject): readonly string[] => (o.resourceAliases?.length ? [o.resourceUri, ...o.resourceAliases] : [o.resourceUri]);
const FIELDS: Record<string, (o: FilterSubject) => readonly string[]> = {
  kind: (o) => [o.kind],
  resourceUrl: resource,
  resourceUri: resource,
  noteId: (o) => [o.noteName.slice(o.noteName.lastIndexOf('/') + 1)],
  noteProjectId: (o) => [o.noteName.split('/')[1] ?? ''],
};

/** The most a filter may hold (gcloud chunks long resource lists well below it). */
const MAX_FILTER = 64 * 1024;

type Token = { t: 'ident' | 'string' | 'op'; v: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let v = '';
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        v += src[i++];
      }
      if (i >= src.length) throw bad(`unterminated string starting at ${start + 1}`);
      i++;
      out.push({ t: 'string', v, at: start });
    } else if (c === '!' && src[i + 1] === '=') {
      out.push({ t: 'op', v: '!=', at: i });
      i += 2;
    } else if ('()=,-'.includes(c)) {
      out.push({ t: 'op', v: c, at: i++ });
    } else {
      const start = i;
      while (i < src.length && !/[\s()=,"'!]/.test(src[i]!)) i++;
      if (i === start) throw bad(`unexpected "${c}" at ${i + 1}`);
      out.push({ t: 'ident', v: src.slice(start, i), at: start });
    }
  }
  return out;
}

function bad(why: string): EmulatorError {
  return new EmulatorError('INVALID_ARGUMENT', `Invalid filter: ${why}.`, { field: 'filter' });
}

/** The predicate of a filter; an empty filter matches everything. */
export function parseOccurrenceFilter(filter: string | undefined): OccurrencePredicate {
  if (filter === undefined || filter.trim() === '') return () => true;
  if (filter.length > MAX_FILTER) throw bad(`longer than ${MAX_FILTER} characters`);
  const tokens = tokenize(filter);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;
  const isWord = (v: string) => peek()?.t === 'ident' && peek()!.v === v;
  const where = () => (peek() ? `at ${peek()!.at + 1}` : 'at the end');
  const expect = (v: string) => {
    if (!isOp(v)) throw bad(`expected "${v}" ${where()}`);
    pos++;
  };
  const field = (): ((o: FilterSubject) => readonly string[]) => {
    const tok = peek();
    if (!tok || tok.t !== 'ident' || tok.v === 'AND' || tok.v === 'OR' || tok.v === 'NOT') throw bad(`expected a field name ${where()}`);
    const get = FIELDS[tok.v];
    if (!get) throw bad(`unknown field "${tok.v.slice(0, 50)}" at ${tok.at + 1} (kind, resourceUrl, noteId and noteProjectId can be filtered on)`);
    pos++;
    return get;
  };
  const value = (): string => {
    const tok = peek();
    if (!tok || (tok.t !== 'string' && tok.t !== 'ident') || (tok.t === 'ident' && (tok.v === 'AND' || tok.v === 'OR' || tok.v === 'NOT'))) {
      throw bad(`expected a value ${where()}`);
    }
    pos++;
    return tok.v;
  };
  let depth = 0;
  const atom = (): OccurrencePredicate => {
    if (isOp('(')) {
      if (++depth > 100) throw bad('too deeply nested');
      pos++;
      const inner = expr();
      expect(')');
      depth--;
      return inner;
    }
    const tok = peek();
    if (tok?.t === 'ident' && tokens[pos + 1]?.t === 'op' && tokens[pos + 1]!.v === '(') {
      if (tok.v !== 'has_prefix') throw bad(`unknown function "${tok.v.slice(0, 50)}" at ${tok.at + 1} (has_prefix is supported)`);
      pos += 2;
      const get = field();
      expect(',');
      const prefix = value();
      expect(')');
      return (o) => get(o).some((v) => v.startsWith(prefix));
    }
    const get = field();
    if (isOp('=')) {
      pos++;
      const v = value();
      return (o) => get(o).includes(v);
    }
    if (isOp('!=')) {
      pos++;
      const v = value();
      return (o) => !get(o).includes(v);
    }
    throw bad(`expected "=" ${where()}`);
  };
  const unary = (): OccurrencePredicate => {
    if (isWord('NOT') || isOp('-')) {
      pos++;
      const inner = unary();
      return (o) => !inner(o);
    }
    return atom();
  };
  const and = (): OccurrencePredicate => {
    const parts = [unary()];
    for (;;) {
      if (isWord('AND')) {
        pos++;
        parts.push(unary());
      } else if (peek() && !isWord('OR') && !isOp(')')) {
        parts.push(unary());
      } else break;
    }
    return parts.length === 1 ? parts[0]! : (o) => parts.every((p) => p(o));
  };
  const expr = (): OccurrencePredicate => {
    const parts = [and()];
    while (isWord('OR')) {
      pos++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (o) => parts.some((p) => p(o));
  };
  const predicate = expr();
  if (pos < tokens.length) throw bad(`unexpected "${tokens[pos]!.v.slice(0, 50)}" at ${tokens[pos]!.at + 1}`);
  return predicate;
}

/** The resourceUrl a filter pins with `=` in every branch it can match through, if one: lets a list use the index. */
export function pinnedResource(filter: string | undefined): string | undefined {
  if (!filter || /\bOR\b|\bNOT\b|!=|(^|[\s(])-/.test(filter)) return undefined;
  const m = /resourceUr[li]\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(filter);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
}

/** Every value a filter compares resourceUrl (or resourceUri) to with `=`. */
export function resourceValues(filter: string | undefined): string[] {
  if (!filter) return [];
  return [...filter.matchAll(/resourceUr[li]\s*=\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}
