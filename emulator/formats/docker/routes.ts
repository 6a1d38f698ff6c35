// The Docker/OCI registry route table (names `docker.<resource>.<op>`). Routes only.
// Patterns are path-to-regexp v8 (@koa/router): `*name` is the image name, which contains `/` (the wildcard is
// greedy, so an image may itself be called `blobs/uploads`, `manifests` or `tags`; see routes.test.ts). Upload
// routes come before blob routes.
import { Routes } from '../../http/routes.js';
import type { Handler } from '../../http/context.js';

export interface DockerHandlers {
  checkVersion: Handler;
  getCatalog: Handler;
  listTags: Handler;
  headManifest: Handler;
  getManifest: Handler;
  putManifest: Handler;
  deleteManifest: Handler;
  startBlobUpload: Handler;
  patchBlobUpload: Handler;
  completeBlobUpload: Handler;
  getBlobUploadStatus: Handler;
  cancelBlobUpload: Handler;
  headBlob: Handler;
  getBlob: Handler;
  deleteBlob: Handler;
  listReferrers: Handler;
  getToken: Handler;
  postToken: Handler;
}

export function dockerRoutes(h: DockerHandlers): Routes {
  return new Routes([
    { name: 'docker.base.get', method: 'GET', path: '/v2/', handler: h.checkVersion },
    { name: 'docker.base.head', method: 'HEAD', path: '/v2/', handler: h.checkVersion },
    { name: 'docker.base.getBare', method: 'GET', path: '/v2', handler: h.checkVersion },
    { name: 'docker.catalog.get', method: 'GET', path: '/v2/_catalog', handler: h.getCatalog },
    { name: 'docker.token.get', method: 'GET', path: '/v2/token', handler: h.getToken },
    { name: 'docker.token.post', method: 'POST', path: '/v2/token', handler: h.postToken },
    { name: 'docker.tags.list', method: 'GET', path: '/v2/*name/tags/list', handler: h.listTags },
    { name: 'docker.manifest.head', method: 'HEAD', path: '/v2/*name/manifests/:reference', handler: h.headManifest },
    { name: 'docker.manifest.get', method: 'GET', path: '/v2/*name/manifests/:reference', handler: h.getManifest },
    { name: 'docker.manifest.put', method: 'PUT', path: '/v2/*name/manifests/:reference', handler: h.putManifest },
    { name: 'docker.manifest.delete', method: 'DELETE', path: '/v2/*name/manifests/:reference', handler: h.deleteManifest },
    { name: 'docker.blobUpload.start', method: 'POST', path: '/v2/*name/blobs/uploads/', handler: h.startBlobUpload },
    { name: 'docker.blobUpload.patch', method: 'PATCH', path: '/v2/*name/blobs/uploads/:uuid', handler: h.patchBlobUpload },
    { name: 'docker.blobUpload.put', method: 'PUT', path: '/v2/*name/blobs/uploads/:uuid', handler: h.completeBlobUpload },
    { name: 'docker.blobUpload.get', method: 'GET', path: '/v2/*name/blobs/uploads/:uuid', handler: h.getBlobUploadStatus },
    { name: 'docker.blobUpload.delete', method: 'DELETE', path: '/v2/*name/blobs/uploads/:uuid', handler: h.cancelBlobUpload },
    { name: 'docker.blob.head', method: 'HEAD', path: '/v2/*name/blobs/:digest', handler: h.headBlob },
    { name: 'docker.blob.get', method: 'GET', path: '/v2/*name/blobs/:digest', handler: h.getBlob },
    { name: 'docker.blob.delete', method: 'DELETE', path: '/v2/*name/blobs/:digest', handler: h.deleteBlob },
    { name: 'docker.referrers.list', method: 'GET', path: '/v2/*name/referrers/:digest', handler: h.listReferrers },
  ]);
}
