// The Maven route table (https://maven.apache.org/repository/layout.html), under /PROJECT/REPO/ as on
// LOCATION-maven.pkg.dev: every path below the repository is a file, a checksum or a metadata file (names.ts).
import { Routes } from '../../http/routes.js';
import type { Handler } from '../../http/context.js';

export interface MavenHandlers {
  getPath: Handler;
  putPath: Handler;
}

export function mavenRoutes(h: MavenHandlers): Routes {
  return new Routes([
    { name: 'maven.path.get', method: 'GET', path: '/:project/:repository/*path', handler: h.getPath },
    { name: 'maven.path.put', method: 'PUT', path: '/:project/:repository/*path', handler: h.putPath },
  ]);
}
