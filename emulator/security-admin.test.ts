// The admin surface beyond loopback (issue 8 item 4): decided by the socket's remote address, never by Host;
// callers beyond loopback need the admin token printed at start. Tested with the remote address set on the
// request, so no traffic leaves loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulatorApiModule } from './control/emulator-api.js';
import { policyRoutes } from './control/policy-api.js';
import { FAULT_ADMIN_ROUTES, faultRoutes } from './control/faults-api.js';
import { UpstreamConditions } from './remote/faults.js';
import { systemClock, VirtualClock } from './core/clock.js';
import { EventBus } from './core/events.js';
import { randomIds } from './core/ids.js';
import { silentLogger } from './core/logger.js';
import { createApp } from './http/app.js';
import { IdentityStore } from './iam/identities.js';
import { IamPolicyService } from './iam/repository-policies.js';
import { ADMIN_TOKEN_HEADER, assertAdminAllowed, createSecurity, isAdminRoute } from './security.js';
import { LowMetaStore } from './storage/low-meta-store.js';
import { DataPaths } from './storage/paths.js';

const TOKEN = 'admin-token-of-this-process';

function ctx(routeName: string, remoteAddress: string | undefined, headers: Record<string, string> = {}, query: Record<string, string> = {}) {
  return {
    state: { routeName },
    req: { socket: { remoteAddress } },
    query,
    get: (name: string) => headers[name.toLowerCase()] ?? '',
  } as unknown as Parameters<typeof assertAdminAllowed>[0];
}

const ADMIN = [
  'emulator.iam.mintToken', 'emulator.iam.setGroup', 'ui.page.get', 'control.admin.serviceAccounts.create', 'control.admin.serviceAccountKeys.create', 'control.admin.projects.setIamPolicy',
  // policy administration (issue 11): moving the clock, running cleanup, collecting garbage
  'emulator.clock.set', 'emulator.cleanup.run', 'emulator.gc.run',
  // upstream faults and offline mode (issue 12)
  'emulator.faults.add', 'emulator.faults.clear', 'emulator.offline.set',
  // reports naming packages whatever the caller may read; advisory imports
  'emulator.cleanup.last', 'emulator.warnings.get', 'emulator.vulndb.import',
];

describe('assertAdminAllowed', () => {
  it.each(ADMIN)('refuses %s to a caller beyond loopback without the admin token', (route) => {
    expect(() => assertAdminAllowed(ctx(route, '192.0.2.10'), TOKEN)).toThrow(/admin token/);
    expect(() => assertAdminAllowed(ctx(route, '::ffff:10.1.2.3', { [ADMIN_TOKEN_HEADER]: 'wrong' }), TOKEN)).toThrow(/admin token/);
    // a Host or X-Forwarded-For claiming localhost changes nothing
    expect(() => assertAdminAllowed(ctx(route, '192.0.2.10', { host: 'localhost:8088', 'x-forwarded-for': '127.0.0.1' }), TOKEN)).toThrow(/admin token/);
  });

  it.each(ADMIN)('accepts %s beyond loopback with the admin token, and from loopback without it', (route) => {
    expect(() => assertAdminAllowed(ctx(route, '192.0.2.10', { [ADMIN_TOKEN_HEADER]: TOKEN }), TOKEN)).not.toThrow();
    expect(() => assertAdminAllowed(ctx(route, '127.0.0.1'), TOKEN)).not.toThrow();
    expect(() => assertAdminAllowed(ctx(route, '::1'), TOKEN)).not.toThrow();
  });

  it('takes ?adminToken= only on the dashboard page, which a browser opens by URL', () => {
    expect(() => assertAdminAllowed(ctx('ui.page.get', '192.0.2.10', {}, { adminToken: TOKEN }), TOKEN)).not.toThrow();
    expect(() => assertAdminAllowed(ctx('emulator.iam.mintToken', '192.0.2.10', {}, { adminToken: TOKEN }), TOKEN)).toThrow(/admin token/);
  });

  it('a socket without a remote address counts as beyond loopback', () => {
    expect(() => assertAdminAllowed(ctx('emulator.iam.mintToken', undefined), TOKEN)).toThrow(/admin token/);
  });

  it('protects every policy route that changes something (the names the route table really uses)', () => {
    const routes = policyRoutes({ clock: {} as never, cleanup: () => Promise.reject(new Error('not called')), gc: () => Promise.reject(new Error('not called')) });
    const writes = routes.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /_emulator/clock', 'POST /_emulator/cleanup\\:run', 'POST /_emulator/gc']);
    for (const r of writes) {
      expect(isAdminRoute(r.name)).toBe(true);
      expect(() => assertAdminAllowed(ctx(r.name, '198.51.100.7'), TOKEN)).toThrow(/admin token/);
    }
  });

  it('protects every fault and offline route that changes something (the names the route table really uses)', () => {
    const routes = faultRoutes({ upstream: new UpstreamConditions(systemClock), clock: systemClock, events: new EventBus(() => new Date(), silentLogger), repositoryMode: () => undefined });
    const writes = routes.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /_emulator/faults', 'DELETE /_emulator/faults', 'POST /_emulator/offline']);
    expect(writes.map((r) => r.name)).toEqual([...FAULT_ADMIN_ROUTES]);
    for (const r of writes) {
      expect(isAdminRoute(r.name)).toBe(true);
      expect(() => assertAdminAllowed(ctx(r.name, '198.51.100.7'), TOKEN)).toThrow(/admin token/);
    }
  });

  it('leaves the registry, the control plane and the feed to IAM', () => {
    for (const route of ['docker.manifest.put', 'control.repositories.create', 'emulator.events.stream', 'emulator.health.get', 'emulator.clock.get', 'emulator.faults.list', 'emulator.offline.get']) {
      expect(isAdminRoute(route)).toBe(false);
      expect(() => assertAdminAllowed(ctx(route, '192.0.2.10'), TOKEN)).not.toThrow();
    }
  });
});

// The same decision through the whole request path (Koa app, dispatch, guard, the policy routes' handlers): a server on
// loopback that hands the app each request with the socket's remote address set, so no traffic leaves loopback.
describe('the policy administration routes beyond loopback, end to end', () => {
  let dir: string;
  let meta: LowMetaStore;
  let server: Server;
  let base: string;
  let remote: string | undefined;
  const runs = { gc: 0, cleanup: 0 };
  const clock = new VirtualClock(systemClock);
  const upstream = new UpstreamConditions(clock);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-admin-'));
    meta = new LowMetaStore(new DataPaths(dir), silentLogger);
    await meta.load();
    const events = new EventBus(() => clock.now(), silentLogger);
    const security = await createSecurity({ mode: 'open', identities: new IdentityStore(meta, clock), policies: new IamPolicyService(meta), events, clock, dashboardToken: 'dashboard-token', adminToken: TOKEN });
    const api = createEmulatorApiModule({
      events, version: '0.0.0', startedAt: Date.now(), url: () => base, iamHandlers: security.handlers,
      policy: {
        clock,
        cleanup: async (repository, dryRun) => (runs.cleanup++, { repository, dryRun: dryRun ?? false, deleted: [], keptCount: 0 }),
        gc: async () => (runs.gc++, { blobsDeleted: 0, bytesReclaimed: 0 }),
      },
      upstream, repositoryMode: () => 'REMOTE_REPOSITORY',
    });
    const app = createApp({
      guard: security.guard, logger: silentLogger, clock, ids: randomIds, shutdown: new AbortController().signal, modules: [], fallback: api,
      locateRepository: () => undefined, hostGuard: { listenHost: '127.0.0.1', token: 'dashboard-token' }, onError: security.onHttpError,
    });
    const handle = app.callback();
    server = createServer((req, res) => {
      if (remote !== undefined) Object.defineProperty(req.socket, 'remoteAddress', { value: remote, configurable: true });
      void handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await meta?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close', ...headers }, body: JSON.stringify(body) });
  const CALLS: Array<[string, unknown]> = [
    ['/_emulator/clock', { advance: '30d' }],
    ['/_emulator/cleanup:run', { repository: 'projects/p/locations/us-central1/repositories/r', dryRun: false }],
    ['/_emulator/gc', {}],
    ['/_emulator/faults', { repository: 'projects/p/locations/us-central1/repositories/r', mode: 'down' }],
    ['/_emulator/offline', { offline: false, repository: 'projects/p/locations/us-central1/repositories/r' }],
  ];

  it('refuses each one beyond loopback without the admin token (or with a wrong one), and does nothing', async () => {
    remote = '192.0.2.10';
    for (const [path, body] of CALLS) {
      for (const headers of [{}, { [ADMIN_TOKEN_HEADER]: 'wrong' }, { host: 'localhost', 'x-forwarded-for': '127.0.0.1' }] as Array<Record<string, string>>) {
        const res = await post(path, body, headers);
        expect([path, res.status]).toEqual([path, 403]);
        expect(((await res.json()) as { error: { status: string; message: string } }).error).toMatchObject({ status: 'PERMISSION_DENIED', message: expect.stringMatching(/admin token/) });
      }
    }
    expect(runs).toEqual({ gc: 0, cleanup: 0 });
    expect(clock.offsetMs).toBe(0);
    expect(upstream.listFaults()).toEqual([]);
    // clearing faults is administration too
    const del = await fetch(`${base}/_emulator/faults`, { method: 'DELETE', headers: { connection: 'close' } });
    expect(del.status).toBe(403);
    // reading the clock is not administration
    expect((await fetch(`${base}/_emulator/clock`, { headers: { connection: 'close' } })).status).toBe(200);
  });

  it('runs each one beyond loopback with the admin token, and from loopback without it', async () => {
    for (const [who, headers] of [['192.0.2.10', { [ADMIN_TOKEN_HEADER]: TOKEN }], ['::ffff:127.0.0.1', {}]] as const) {
      remote = who;
      for (const [path, body] of CALLS) expect([who, path, (await post(path, body, headers)).status]).toEqual([who, path, 200]);
      expect((await post('/_emulator/clock', { reset: true }, headers)).status).toBe(200);
    }
    expect(runs).toEqual({ gc: 2, cleanup: 2 });
  });
});
