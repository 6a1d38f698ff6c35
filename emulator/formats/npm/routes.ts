// The npm registry route table (names `npm.<resource>.<op>`), at `/PROJECT/REPO/…` as on
// LOCATION-npm.pkg.dev. Routes only. `*name` is the package name: `name`, `@scope%2fname` (what npm sends) or
// `@scope/name` (tarball URLs). Registration order matters: the `/-/…` endpoints and tarballs come before the
// packument, whose wildcard would match them too.
// https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md
import type { Handler } from '../../http/context.js';
import { Routes } from '../../http/routes.js';

export interface NpmHandlers {
  ping: Handler;
  whoami: Handler;
  search: Handler;
  listDistTags: Handler;
  putDistTag: Handler;
  deleteDistTag: Handler;
  getTarball: Handler;
  deleteTarball: Handler;
  getPackument: Handler;
  publishPackage: Handler;
  updatePackumentRev: Handler;
  unpublishPackage: Handler;
}

const R = '/:project/:repository';

export function npmRoutes(h: NpmHandlers): Routes {
  return new Routes([
    { name: 'npm.ping.get', method: 'GET', path: `${R}/-/ping`, handler: h.ping },
    { name: 'npm.whoami.get', method: 'GET', path: `${R}/-/whoami`, handler: h.whoami },
    { name: 'npm.search.get', method: 'GET', path: `${R}/-/v1/search`, handler: h.search },
    { name: 'npm.distTags.list', method: 'GET', path: `${R}/-/package/*name/dist-tags`, handler: h.listDistTags },
    { name: 'npm.distTag.put', method: 'PUT', path: `${R}/-/package/*name/dist-tags/:tag`, handler: h.putDistTag },
    { name: 'npm.distTag.delete', method: 'DELETE', path: `${R}/-/package/*name/dist-tags/:tag`, handler: h.deleteDistTag },
    { name: 'npm.tarball.get', method: 'GET', path: `${R}/*name/-/:file`, handler: h.getTarball },
    { name: 'npm.tarball.delete', method: 'DELETE', path: `${R}/*name/-/:file/-rev/:rev`, handler: h.deleteTarball },
    { name: 'npm.packumentRev.put', method: 'PUT', path: `${R}/*name/-rev/:rev`, handler: h.updatePackumentRev },
    { name: 'npm.packumentRev.delete', method: 'DELETE', path: `${R}/*name/-rev/:rev`, handler: h.unpublishPackage },
    { name: 'npm.packument.get', method: 'GET', path: `${R}/*name`, handler: h.getPackument },
    { name: 'npm.packument.put', method: 'PUT', path: `${R}/*name`, handler: h.publishPackage },
  ]);
}
