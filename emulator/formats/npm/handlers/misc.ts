// npm ping, npm whoami and npm search.
// https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md#get-v1search
import type { Handler } from '../../../http/context.js';
import { T, type PackageRecord } from '../service/tables.js';
import { searchObject } from '../wire.js';
import { okJson, targetOf, type NpmDeps } from './deps.js';

const MAX_SEARCH_SIZE = 250;

export function miscHandlers(deps: NpmDeps) {
  const ping: Handler = async (ctx) => okJson(ctx, 200, {});

  /** The caller as npm prints it: the principal's email (or `anonymous`), without `user:`/`serviceAccount:`. */
  const whoami: Handler = async (ctx, params) => {
    targetOf(deps, ctx, params);
    const principal = ctx.state.principal ?? 'anonymous';
    okJson(ctx, 200, { username: principal.slice(principal.indexOf(':') + 1) });
  };

  /** Substring match of the text's words on name, description and keywords; packages in name order. */
  const search: Handler = async (ctx, params) => {
    const t = targetOf(deps, ctx, params);
    const words = String(ctx.query.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const size = Math.min(MAX_SEARCH_SIZE, Math.max(0, Number(ctx.query.size ?? 20) || 20));
    const from = Math.max(0, Number(ctx.query.from ?? 0) || 0);
    const matches: Array<Record<string, unknown>> = [];
    const names = [...t.shard.entries<PackageRecord>(T.packages)].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [name, pkg] of names) {
      const latestVersion = t.content.tagTarget(name, 'latest');
      const latest = latestVersion === undefined ? undefined : deps.packages.version(t, name, latestVersion);
      const keywords = Array.isArray(latest?.manifest.keywords) ? (latest.manifest.keywords as unknown[]).join(' ') : '';
      const hay = `${name} ${pkg.description ?? ''} ${keywords}`.toLowerCase();
      if (words.every((w) => hay.includes(w))) matches.push(searchObject(name, pkg, latest));
    }
    okJson(ctx, 200, { objects: matches.slice(from, from + size), total: matches.length, time: ctx.state.clock.now().toUTCString() });
  };

  return { ping, whoami, search };
}
