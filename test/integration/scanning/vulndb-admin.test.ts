// The import changes the database: it is admin-only beyond loopback (security.ts ADMIN_ROUTES); the summary is not.
import { describe, expect, it } from 'vitest';
import { VULNDB_ADMIN_ROUTES, vulnDbRoutes } from '../../../emulator/control/vulndb-api.js';
import { assertAdminAllowed, isAdminRoute } from '../../../emulator/security.js';

const ctx = (routeName: string, remoteAddress: string) =>
  ({ state: { routeName }, req: { socket: { remoteAddress } }, query: {}, get: () => '' }) as unknown as Parameters<typeof assertAdminAllowed>[0];

describe('the vulndb routes beyond loopback', () => {
  const routes = vulnDbRoutes({ vulndb: { importBody: () => Promise.reject(new Error('not called')), summary: () => ({}) } });

  it('protects the import (the name the route table really uses)', () => {
    const writes = routes.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /_emulator/vulndb\\:import']);
    expect(writes.map((r) => r.name)).toEqual([...VULNDB_ADMIN_ROUTES]);
    for (const r of writes) {
      expect(isAdminRoute(r.name)).toBe(true);
      expect(() => assertAdminAllowed(ctx(r.name, '198.51.100.7'), 'token')).toThrow(/admin token/);
      expect(() => assertAdminAllowed(ctx(r.name, '127.0.0.1'), 'token')).not.toThrow();
    }
  });

  it('leaves the summary readable', () => {
    expect(isAdminRoute('emulator.vulndb.get')).toBe(false);
  });
});
