// The Apt route table: what apt-get fetches for `deb URL/projects/PROJECT REPO COMPONENT` (as on LOCATION-apt.pkg.dev,
// spec ar-fidelity §2: REPO is the suite): `dists/REPO/{InRelease,Release,Release.gpg}`, the per-(component,
// architecture) `Packages` indexes (also `by-hash/SHA256/HEX`), the `.deb` files at their `Filename` below `pool/REPO/`, and the location's
// signing key at `/doc/repo-signing-key.gpg` (`.asc`: armored).
import type { Handler } from '../../http/context.js';
import { Routes } from '../../http/routes.js';

export interface AptHandlers {
  getSigningKey: Handler;
  getRelease: Handler;
  getIndex: Handler;
  getIndexByHash: Handler;
  getPoolFile: Handler;
}

export function aptRoutes(h: AptHandlers): Routes {
  return new Routes([
    { name: 'apt.signingKey.get', method: 'GET', path: '/doc/:file', handler: h.getSigningKey },
    { name: 'apt.release.get', method: 'GET', path: '/projects/:project/dists/:repository/:file', handler: h.getRelease },
    { name: 'apt.indexByHash.get', method: 'GET', path: '/projects/:project/dists/:repository/:component/:index/by-hash/:algorithm/:hash', handler: h.getIndexByHash },
    { name: 'apt.index.get', method: 'GET', path: '/projects/:project/dists/:repository/:component/:index/:file', handler: h.getIndex },
    { name: 'apt.pool.get', method: 'GET', path: '/projects/:project/pool/:repository/*path', handler: h.getPoolFile },
  ]);
}
