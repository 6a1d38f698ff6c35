// The Python route table (https://packaging.python.org/specifications/simple-repository-api/, the legacy
// upload API), under /PROJECT/REPO/ as on LOCATION-python.pkg.dev.
import { Routes } from '../../http/routes.js';
import type { Handler } from '../../http/context.js';

export interface PythonHandlers {
  uploadFile: Handler;
  getIndex: Handler;
  getProject: Handler;
  redirectToSlash: Handler;
  getFile: Handler;
}

export function pythonRoutes(h: PythonHandlers): Routes {
  return new Routes([
    { name: 'python.upload.post', method: 'POST', path: '/:project/:repository/', handler: h.uploadFile },
    { name: 'python.upload.postBare', method: 'POST', path: '/:project/:repository', handler: h.uploadFile },
    { name: 'python.index.get', method: 'GET', path: '/:project/:repository/simple/', handler: h.getIndex },
    { name: 'python.index.redirect', method: 'GET', path: '/:project/:repository/simple', handler: h.redirectToSlash },
    { name: 'python.project.get', method: 'GET', path: '/:project/:repository/simple/:name/', handler: h.getProject },
    { name: 'python.project.redirect', method: 'GET', path: '/:project/:repository/simple/:name', handler: h.redirectToSlash },
    { name: 'python.file.get', method: 'GET', path: '/:project/:repository/packages/:name/:file', handler: h.getFile },
  ]);
}
