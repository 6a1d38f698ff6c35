// The Go route table: the GOPROXY protocol (https://go.dev/ref/mod#goproxy-protocol) under /PROJECT/REPO/ as on
// LOCATION-go.pkg.dev. Module paths contain `/`, so they are wildcards; `@` cannot occur in one, so `/@v/` and
// `/@latest` end them unambiguously.
import { Routes } from '../../http/routes.js';
import type { Handler } from '../../http/context.js';

export interface GoHandlers {
  getList: Handler;
  getVersionFile: Handler;
  getLatest: Handler;
}

export function goRoutes(h: GoHandlers): Routes {
  return new Routes([
    { name: 'go.list.get', method: 'GET', path: '/:project/:repository/*module/@v/list', handler: h.getList },
    { name: 'go.version.get', method: 'GET', path: '/:project/:repository/*module/@v/:file', handler: h.getVersionFile },
    { name: 'go.latest.get', method: 'GET', path: '/:project/:repository/*module/@latest', handler: h.getLatest },
  ]);
}
