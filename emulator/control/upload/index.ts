// The control plane's upload module: the `/upload/v1/…/<kind>:create` and `/resumable/upload/v1/…` methods of
// every registered upload kind (protocol.ts), Google JSON errors, IAM as `control.<kind>.upload`.
import type { IdGenerator } from '../../core/ids.js';
import type { UploadKind } from '../../core/upload-kind.js';
import type { FormatModule } from '../../http/format-module.js';
import { Routes, type RouteDef } from '../../http/routes.js';
import type { UploadSessions } from '../../storage/uploads.js';
import { renderGoogleError } from '../errors.js';
import { OperationStore } from '../operations.js';
import { UploadKinds, uploadOperation } from './kinds.js';
import { repoOf, uploadHandlers } from './protocol.js';

export { UploadKinds, uploadOperation } from './kinds.js';

const R = '/v1/projects/:project/locations/:location/repositories/:repository';

export interface UploadModuleDeps {
  uploads: UploadSessions;
  kinds: Iterable<UploadKind>;
  ids: IdGenerator;
  /** where the operations go (operations.get); default: a store of this module's own */
  operations?: OperationStore;
}

export function createUploadModule(d: UploadModuleDeps): FormatModule {
  const kinds = new UploadKinds(d.kinds);
  const h = uploadHandlers({ uploads: d.uploads, operations: d.operations ?? new OperationStore(d.ids) });
  const routes: RouteDef[] = kinds.all().flatMap((k) => [
    { name: `upload.${k.kind}.create`, method: 'POST', path: `/upload${R}/${k.kind}\\:create`, handler: h.simple(k) },
    { name: `upload.${k.kind}.resumable`, method: 'POST', path: `/resumable/upload${R}/${k.kind}\\:create`, handler: h.resumableBegin(k) },
    { name: `upload.${k.kind}.chunk`, method: 'PUT', path: `/resumable/upload${R}/${k.kind}\\:create`, handler: h.chunk(k) },
    // apitools and the discovery clients may also send the chunks to the /upload/ form of the session URL
    { name: `upload.${k.kind}.chunkUpload`, method: 'PUT', path: `/upload${R}/${k.kind}\\:create`, handler: h.chunk(k) },
  ]);
  return {
    id: 'upload',
    prefixes: ['/upload/v1/', '/resumable/upload/v1/'],
    routes: new Routes(routes),
    renderError: renderGoogleError,
    denialWording: 'rest',
    access(routeName, params) {
      const m = /^upload\.([^.]+)\./.exec(routeName);
      if (!m) return undefined;
      const repository = repoOf(params);
      return { operation: uploadOperation(m[1]!), project: repository.project, repository };
    },
  };
}
