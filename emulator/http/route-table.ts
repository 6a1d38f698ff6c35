// Named routes: a method, a path pattern and a handler per route, and a URL builder so Location and Link
// headers are always built from route names (never by string concatenation at call sites).
import type { Handler, RouteParams } from './context.js';

export interface RouteDef {
  /** `<format>.<resource>.<op>`, e.g. `docker.blobUpload.patch` */
  name: string;
  method: string;
  /**
   * Path template with `{param}` segments; `{param+}` matches one or more path segments (OCI names contain
   * slashes), `{param}` exactly one.
   */
  path: string;
  handler: Handler;
}

interface CompiledRoute extends RouteDef {
  regex: RegExp;
  params: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDef; params: RouteParams }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'none' };

export class RouteTable {
  private readonly routes: CompiledRoute[] = [];

  constructor(defs: RouteDef[] = []) {
    for (const d of defs) this.add(d);
  }

  add(def: RouteDef): this {
    if (this.routes.some((r) => r.name === def.name && r.method === def.method)) throw new Error(`duplicate route ${def.name}`);
    const params: string[] = [];
    const source = def.path
      .split(/(\{[a-zA-Z]+\+?\})/)
      .map((part) => {
        const m = /^\{([a-zA-Z]+)(\+?)\}$/.exec(part);
        if (!m) return escapeRegex(part);
        params.push(m[1]!);
        return m[2] ? '(.+?)' : '([^/]+)';
      })
      .join('');
    this.routes.push({ ...def, regex: new RegExp(`^${source}$`), params });
    return this;
  }

  get all(): readonly RouteDef[] {
    return this.routes;
  }

  match(method: string, path: string): RouteMatch {
    const allowed = new Set<string>();
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== method) {
        allowed.add(r.method);
        continue;
      }
      const params: RouteParams = {};
      r.params.forEach((p, i) => (params[p] = m[i + 1]!));
      return { kind: 'found', route: r, params };
    }
    return allowed.size ? { kind: 'method-not-allowed', allowed: [...allowed] } : { kind: 'none' };
  }

  /** Builds the path of route `name` with `params` (and an optional query). */
  url(name: string, params: RouteParams, query?: Record<string, string | number | undefined>): string {
    const route = this.routes.find((r) => r.name === name);
    if (!route) throw new Error(`unknown route ${name}`);
    const path = route.path.replace(/\{([a-zA-Z]+)(\+?)\}/g, (_all, p: string, multi: string) => {
      const v = params[p];
      if (v === undefined) throw new Error(`route ${name} needs ${p}`);
      return multi ? v.split('/').map(encodeSegment).join('/') : encodeSegment(v);
    });
    const qs = query
      ? Object.entries(query)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join('&')
      : '';
    return qs ? `${path}?${qs}` : path;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Percent-encodes a path segment, keeping `:` (digests) and `@` readable as distribution does. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replaceAll('%3A', ':').replaceAll('%40', '@');
}
