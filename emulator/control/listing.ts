// List semantics shared by every List* method: the filter grammar (field="value" terms joined by AND,
// `*` wildcards at the start or end, case-insensitive values; spec ar-fidelity §1.8), orderBy
// (`field [desc]`, one field), and tamper-evident page tokens.
import { EmulatorError } from '../core/errors.js';
import { MAX_PAGE_SIZE, type PageTokens } from './page-token.js';

export interface ListSpec<T> {
  /** the list's parent, which its page tokens are bound to */
  scope: string;
  /** filterable fields → the value(s) of an item for that field */
  filterFields: Record<string, (item: T) => string | string[] | undefined>;
  /** orderable fields (snake_case) → sort key */
  orderFields: Record<string, (item: T) => string>;
}

export function listPage<T>(
  items: T[],
  spec: ListSpec<T>,
  req: { pageSize?: number; pageToken?: string; filter?: string; orderBy?: string },
  tokens: PageTokens,
): { items: T[]; nextPageToken?: string } {
  const matchers = parseFilter(req.filter ?? '', spec.filterFields);
  let out = items.filter((item) => matchers.every((m) => m(item)));
  if (req.orderBy) out = order(out, req.orderBy, spec.orderFields);
  const size = req.pageSize === undefined || req.pageSize === 0 ? MAX_PAGE_SIZE : req.pageSize;
  if (!Number.isInteger(size) || size < 0) {
    throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "page_size": must be a non-negative integer.', { field: 'page_size' });
  }
  const scope = `${spec.scope}|${req.filter ?? ''}|${req.orderBy ?? ''}`;
  const start = req.pageToken ? Number(tokens.decode(scope, req.pageToken)) : 0;
  const end = start + Math.min(size, MAX_PAGE_SIZE);
  return { items: out.slice(start, end), ...(end < out.length ? { nextPageToken: tokens.encode(scope, String(end)) } : {}) };
}

/**
 * listPage over `source` mapped by `toItem`, mapping only the page when neither a filter nor an order needs
 * every item: a first page of 1,000 out of 20,000 versions then builds 1,000 resources, not 20,000.
 */
export function listPageOf<S, T>(
  source: S[],
  toItem: (s: S) => T,
  spec: ListSpec<T>,
  req: { pageSize?: number; pageToken?: string; filter?: string; orderBy?: string },
  tokens: PageTokens,
): { items: T[]; nextPageToken?: string } {
  if ((req.filter ?? '').trim() || req.orderBy) return listPage(source.map(toItem), spec, req, tokens);
  const page = listPage(source, { scope: spec.scope, filterFields: {}, orderFields: {} }, req, tokens);
  return { ...page, items: page.items.map(toItem) };
}

type Matcher<T> = (item: T) => boolean;

function parseFilter<T>(filter: string, fields: ListSpec<T>['filterFields']): Array<Matcher<T>> {
  const text = filter.trim();
  if (!text) return [];
  return text.split(/\s+AND\s+/i).map((term) => {
    const m = /^([a-zA-Z_.]+)\s*(=|:)\s*(?:"([^"]*)"|`([^`]*)`|(\S+))$/.exec(term.trim());
    if (!m) throw new EmulatorError('INVALID_ARGUMENT', `Invalid filter "${term.slice(0, 100)}": expected field="value".`, { field: 'filter' });
    const field = m[1]!.toLowerCase();
    const get = fields[field] ?? fields[field.replace(/_([a-z])/g, (_a, c: string) => c.toUpperCase())];
    if (!get) {
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid filter: field "${m[1]}" cannot be filtered on (allowed: ${Object.keys(fields).join(', ')}).`, { field: 'filter' });
    }
    const pattern = wildcard(m[3] ?? m[4] ?? m[5]!);
    return (item: T) => [get(item) ?? []].flat().some((v) => pattern.test(v));
  });
}

function wildcard(value: string): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const starts = value.startsWith('*');
  const ends = value.endsWith('*') && value.length > 1;
  const core = value.slice(starts ? 1 : 0, ends ? -1 : undefined);
  return new RegExp(`${starts ? '' : '^'}${esc(core)}${ends ? '' : '$'}`, 'i');
}

function order<T>(items: T[], orderBy: string, fields: ListSpec<T>['orderFields']): T[] {
  const parts = orderBy.trim().split(',');
  if (parts.length > 1) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid order_by: only one field is supported.', { field: 'order_by' });
  const m = /^([a-zA-Z_]+)(?:\s+(asc|desc))?$/i.exec(parts[0]!.trim());
  const key = m ? m[1]!.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() : undefined;
  const get = key ? fields[key] : undefined;
  if (!m || !get) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid order_by "${orderBy.slice(0, 60)}" (allowed: ${Object.keys(fields).join(', ')}).`, { field: 'order_by' });
  }
  const dir = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => (get(a) < get(b) ? -dir : get(a) > get(b) ? dir : 0));
}
