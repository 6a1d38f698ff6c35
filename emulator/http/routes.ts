// Named routes on @koa/router: path patterns in path-to-regexp v8 syntax (`:param` one segment, `*param` one or
// more, `\\:` a literal colon), matching by the router, URLs built from route names with router.url().
// Handlers get the raw (still percent-encoded) captures: each format decodes its own parameters.
import { Router, type Layer } from '@koa/router';
import type { Handler, RouteParams } from './context.js';

export interface RouteDef {
  /** `<format>.<resource>.<op>`, e.g. `docker.blobUpload.patch` */
  name: string;
  method: string;
  /** path-to-regexp v8: `/v2/*name/blobs/:digest`; OCI names contain `/`, so they are wildcards */
  path: string;
  handler: Handler;
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDef; params: RouteParams }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'none' };

export class Routes {
  private readonly router = new Router({ strict: true, sensitive: true });
  private readonly byName = new Map<string, RouteDef>();
  private readonly defs: RouteDef[] = [];

  constructor(defs: RouteDef[] = []) {
    for (const d of defs) this.add(d);
  }

  add(def: RouteDef): this {
    if (this.byName.has(def.name)) throw new Error(`duplicate route ${def.name}`);
    this.byName.set(def.name, def);
    this.defs.push(def);
    // The router only matches here; dispatch runs the handler after the IAM guard (see match()).
    this.router.register(def.path, [def.method], async () => {}, { name: def.name });
    return this;
  }

  get all(): readonly RouteDef[] {
    return this.defs;
  }

  /**
   * The first route (in registration order) whose pattern and method match; otherwise the methods the path
   * allows (405 with Allow), or none (the protocol's 404). A GET route answers HEAD too (@koa/router).
   */
  match(method: string, path: string): RouteMatch {
    const m = this.router.match(path, method);
    const layer = m.pathAndMethod.find((l) => l.methods.length > 0 && l.name !== undefined);
    if (layer) return { kind: 'found', route: this.byName.get(layer.name!)!, params: rawParams(layer, path) };
    const allowed = [...new Set(m.path.flatMap((l) => l.methods))];
    return allowed.length ? { kind: 'method-not-allowed', allowed } : { kind: 'none' };
  }

  /** The path of route `name` with `params` (and an optional query), built by the router. */
  url(name: string, params: RouteParams, query?: Record<string, string | number | undefined>): string {
    const layer = this.router.route(name);
    if (!layer) throw new Error(`unknown route ${name}`);
    const encoded: Record<string, string> = {};
    for (const key of layer.paramNames) {
      const v = params[key.name];
      if (v === undefined) throw new Error(`route ${name} needs ${key.name}`);
      encoded[key.name] = key.type === 'wildcard' ? v.split('/').map(encodeSegment).join('/') : encodeSegment(v);
    }
    const q = query ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) : undefined;
    return layer.url(encoded, { encode: false, ...(q && Object.keys(q).length ? { query: q } : {}) });
  }
}

function rawParams(layer: Layer, path: string): RouteParams {
  const captures = layer.captures(path);
  const params: RouteParams = {};
  layer.paramNames.forEach((key, i) => {
    if (captures[i] !== undefined) params[key.name] = captures[i];
  });
  return params;
}

/** Percent-encodes a path segment, keeping `:` (digests) and `@` readable as distribution does. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replaceAll('%3A', ':').replaceAll('%40', '@');
}
