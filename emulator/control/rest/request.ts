// REST request parsing shared by the handlers: query parameters in camelCase or snake_case, update masks,
// numeric-enum rendering on request (`$alt=json;enum-encoding=int`, as the Node client asks).
import { decodePercent } from '../../core/decode-percent.js';
import { EmulatorError } from '../../core/errors.js';
import { REPOSITORY_FORMATS, REPOSITORY_MODES } from '../../core/repository.js';
import type { AppContext } from '../../http/context.js';

export function query(ctx: AppContext, camelName: string): string | undefined {
  const snake = camelName.replace(/([A-Z])/g, (c) => `_${c.toLowerCase()}`);
  for (const n of [camelName, snake]) {
    const v = ctx.query[n];
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v[0];
  }
  return undefined;
}

export function intQuery(ctx: AppContext, camelName: string): number | undefined {
  const v = query(ctx, camelName);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) {
    const field = camelName.replace(/([A-Z])/g, (c) => `_${c.toLowerCase()}`);
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": "${v.slice(0, 40)}" is not an integer.`, { field });
  }
  return Number(v);
}

export function boolQuery(ctx: AppContext, camelName: string): boolean | undefined {
  const v = query(ctx, camelName);
  return v === undefined ? undefined : v === 'true' || v === '1';
}

/** `updateMask=a,b.c` (also repeated) → ['a', 'b.c']. */
export function maskQuery(ctx: AppContext): string[] | undefined {
  const raw = [ctx.query.updateMask, ctx.query.update_mask].flat().filter((v): v is string => typeof v === 'string');
  if (!raw.length) return undefined;
  return raw.flatMap((v) => v.split(',')).map((p) => p.trim()).filter(Boolean);
}

export function listQuery(ctx: AppContext) {
  return {
    pageSize: intQuery(ctx, 'pageSize'),
    pageToken: query(ctx, 'pageToken'),
    filter: query(ctx, 'filter'),
    orderBy: query(ctx, 'orderBy'),
  };
}

const ENUMS: Record<string, Record<string, number>> = {
  format: REPOSITORY_FORMATS,
  mode: REPOSITORY_MODES,
  legacyRedirectionState: {
    REDIRECTION_STATE_UNSPECIFIED: 0, REDIRECTION_FROM_GCR_IO_DISABLED: 1, REDIRECTION_FROM_GCR_IO_ENABLED: 2,
    REDIRECTION_FROM_GCR_IO_FINALIZED: 3, REDIRECTION_FROM_GCR_IO_ENABLED_AND_COPYING: 5, REDIRECTION_FROM_GCR_IO_PARTIAL_AND_COPYING: 6,
  },
  // CleanupPolicy.action and Rule.action share the key; their names do not overlap
  action: { ACTION_UNSPECIFIED: 0, DELETE: 1, KEEP: 2, ALLOW: 1, DENY: 2 },
  operation: { OPERATION_UNSPECIFIED: 0, DOWNLOAD: 1 },
  vpcscPolicy: { VPCSC_POLICY_UNSPECIFIED: 0, DENY: 1, ALLOW: 2 },
  tagState: { TAG_STATE_UNSPECIFIED: 0, TAGGED: 1, UNTAGGED: 2, ANY: 3 },
};
const HASH_TYPES: Record<string, number> = { HASH_TYPE_UNSPECIFIED: 0, SHA256: 1, MD5: 2, DIRSUM_SHA256: 3 };

/** Writes `body` as JSON, with enums as numbers when the request asked for them. */
export function respond(ctx: AppContext, body: unknown): void {
  const alt = [ctx.query['$alt'], ctx.query.alt].flat().filter((v): v is string => typeof v === 'string').join(';');
  ctx.type = 'application/json';
  ctx.body = /enum-encoding=int/.test(alt) ? numericEnums(body, undefined) : body;
}

function numericEnums(value: unknown, key: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => numericEnums(v, key === 'hashes' ? 'hash' : key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const table = key === 'hash' && k === 'type' ? HASH_TYPES : k === '@type' ? undefined : ENUMS[k];
      out[k] = table && typeof v === 'string' && v in table ? table[v] : numericEnums(v, k);
    }
    return out;
  }
  return value;
}

/**
 * A path segment in resource-name form. Google's REST clients percent-encode the resource name once more
 * (the Node client sends `packages/a%252Fb` for the package `a/b`, whose name is `packages/a%2Fb`), while
 * curl and gcloud send `packages/a%2Fb`; a segment carrying an encoded `%` is decoded once.
 */
export function seg(s: string | undefined): string {
  return s && /%25/i.test(s) ? decodePercent(s) : (s ?? '');
}
