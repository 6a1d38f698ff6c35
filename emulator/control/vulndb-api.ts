// The advisory database under /_emulator/ (issue 13): `POST /_emulator/vulndb:import` takes one OSV document, a JSON
// array of them, or a zip of OSV JSON files (by content type or magic bytes) and answers the import summary;
// `GET /_emulator/vulndb` answers counts per ecosystem and the last import. The import is admin-only beyond loopback
// (security.ts); errors render in Google's JSON shape like the rest of /_emulator/. Control knows the database only
// through VulnDbAccess (emulator/index.ts passes scanning/vulndb.ts's VulnDb), as it may not import scanning/.
import type { Handler } from '../http/context.js';
import type { RouteDef } from '../http/routes.js';
import { readBody } from '../http/body.js';

/** The largest import body (an OSV per-ecosystem zip beyond it goes through `ar-emulator vulndb import`, in batches). */
export const VULNDB_IMPORT_BODY_LIMIT = 64 << 20;

export interface VulnDbAccess {
  /** INVALID_ARGUMENT (with the reason) for a body that is neither, or a single document refused */
  importBody(body: Buffer, contentType: string | undefined): Promise<object>;
  summary(): object | Promise<object>;
}

export const VULNDB_ROUTES = ['emulator.vulndb.get', 'emulator.vulndb.import'] as const;
/** The one that changes state: admin-only beyond loopback. */
export const VULNDB_ADMIN_ROUTES = ['emulator.vulndb.import'] as const;

export function vulnDbRoutes(d: { vulndb: VulnDbAccess; bodyLimit?: number }): RouteDef[] {
  const get: Handler = async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await d.vulndb.summary();
  };
  const importAdvisories: Handler = async (ctx) => {
    const body = await readBody(ctx, d.bodyLimit ?? VULNDB_IMPORT_BODY_LIMIT);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await d.vulndb.importBody(body, ctx.get('content-type') || undefined);
  };
  return [
    { name: 'emulator.vulndb.get', method: 'GET', path: '/_emulator/vulndb', handler: get },
    { name: 'emulator.vulndb.import', method: 'POST', path: '/_emulator/vulndb\\:import', handler: importAdvisories },
  ];
}
