// The Yum route table: what dnf (librepo) fetches under a repository's baseurl
// `/projects/PROJECT/REPO/` (as on LOCATION-yum.pkg.dev, spec ar-fidelity §2): `repodata/repomd.xml` (with
// `.asc` and `.key`), the compressed metadata files it names, and the packages at their `location href` (a remote
// repository's upstream may name other paths).
import type { Handler } from '../../http/context.js';
import { Routes } from '../../http/routes.js';

export interface YumHandlers {
  getRepodata: Handler;
  getPackage: Handler;
  getRemoteFile: Handler;
}

export function yumRoutes(h: YumHandlers): Routes {
  return new Routes([
    { name: 'yum.repodata.get', method: 'GET', path: '/projects/:project/:repository/repodata/:file', handler: h.getRepodata },
    { name: 'yum.package.get', method: 'GET', path: '/projects/:project/:repository/Packages/:letter/:file', handler: h.getPackage },
    // remote repositories: whatever path the upstream's repodata names (404 for a standard repository)
    { name: 'yum.remoteFile.get', method: 'GET', path: '/projects/:project/:repository/*path', handler: h.getRemoteFile },
  ]);
}
