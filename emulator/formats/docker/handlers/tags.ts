// Tag listing with `n`/`last` pagination and a Link header, and the catalog (of the repositories the caller may pull).
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
import { EmulatorError } from '../../../core/errors.js';
import type { AppContext, Handler } from '../../../http/context.js';
import { T } from '../service/tables.js';
import type { OciTagList } from '../wire.js';
import { targetOf, type DockerDeps } from './deps.js';

export function tagHandlers(deps: DockerDeps): { listTags: Handler; getCatalog: Handler } {
  return {
    listTags: async (ctx, params) => {
      const t = targetOf(deps, ctx, params);
      // a virtual repository lists the tags of the member answering for the image (docs/virtual.md)
      const source = t.record.mode === 'VIRTUAL_REPOSITORY' ? (deps.virtual?.forImage(t) ?? t) : t;
      const page = paginate(ctx, deps.manifests.listTags(source));
      if (page.next) ctx.set('Link', `<${deps.routes().url('docker.tags.list', { name: t.name }, { n: page.n, last: page.next })}>; rel="next"`);
      ctx.set('Docker-Distribution-API-Version', 'registry/2.0');
      ctx.type = 'application/json';
      ctx.body = { name: t.name, tags: page.items } satisfies OciTagList;
    },

    getCatalog: async (ctx) => {
      const names: string[] = [];
      for (const { shard, record } of deps.targets.all()) {
        // Only repositories the caller may pull from (the permission tags/list needs for the same names).
        if (!deps.access.allows(ctx, 'docker.pull', record)) continue;
        for (const [image] of shard.entries(T.images)) names.push(`${record.project}/${record.repository}/${image}`);
      }
      names.sort();
      const page = paginate(ctx, names);
      if (page.next) ctx.set('Link', `<${deps.routes().url('docker.catalog.get', {}, { n: page.n, last: page.next })}>; rel="next"`);
      ctx.set('Docker-Distribution-API-Version', 'registry/2.0');
      ctx.type = 'application/json';
      ctx.body = { repositories: page.items };
    },
  };
}

/** `n` (page size) and `last` (exclusive lower bound) over a sorted list. */
function paginate(ctx: AppContext, sorted: string[]): { items: string[]; n?: number; next?: string } {
  const nRaw = ctx.query.n;
  const last = typeof ctx.query.last === 'string' ? ctx.query.last : undefined;
  let items = last !== undefined ? sorted.filter((s) => s > last) : sorted;
  if (nRaw === undefined) return { items };
  if (typeof nRaw !== 'string' || !/^\d+$/.test(nRaw)) throw new EmulatorError('INVALID_ARGUMENT', 'n must be a non-negative integer');
  const n = Number(nRaw);
  const more = items.length > n;
  items = items.slice(0, n);
  return more && n > 0 ? { items, n, next: items[items.length - 1]! } : { items };
}
