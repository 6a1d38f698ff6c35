// Host allow-list (DNS rebinding) and the Origin + token rule for mutating requests, on a bare Koa app.
import type { AddressInfo } from 'node:net';
import { createServer, request, type Server } from 'node:http';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmulatorError } from '../../core/errors.js';
import type { RequestState } from '../context.js';
import { hostGuard, isAllowedHost, isLoopbackAddress, originRefusal } from './host-guard.js';

const TOKEN = 'tok-123';

describe('isAllowedHost', () => {
  const local = { listenHost: '127.0.0.1' };
  it.each(['localhost:8088', '127.0.0.1:1', '[::1]:8088', 'LOCALHOST', 'us-central1-docker.pkg.dev', 'europe-west1-npm.pkg.dev:443'])(
    'accepts %s when listening on loopback',
    (h) => expect(isAllowedHost(h, local)).toBe(true),
  );
  it.each(['evil.example', 'evil.example:8088', '127.0.0.1.nip.io', 'localhost.evil.example', '10.0.0.5:8088', 'a b', 'docker.pkg.dev.evil'])(
    'refuses %s when listening on loopback',
    (h) => expect(isAllowedHost(h, local)).toBe(false),
  );
  it('accepts the configured host and extra names', () => {
    expect(isAllowedHost('devbox:8088', { listenHost: 'devbox' })).toBe(true);
    expect(isAllowedHost('registry.internal', { listenHost: '127.0.0.1', extraHosts: ['registry.internal'] })).toBe(true);
  });
  it('accepts IP literals but no other names when listening on every interface', () => {
    expect(isAllowedHost('10.0.0.5:8088', { listenHost: '0.0.0.0' })).toBe(true);
    expect(isAllowedHost('[fd00::5]:8088', { listenHost: '::' })).toBe(true);
    expect(isAllowedHost('evil.example:8088', { listenHost: '0.0.0.0' })).toBe(false);
  });
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])('takes %s as this machine', (a) => expect(isLoopbackAddress(a)).toBe(true));
  it.each(['192.0.2.2', '10.0.0.5', '::ffff:10.0.0.5', 'fe80::1', '128.0.0.1', '127.0.0.1.evil', '', undefined])('takes %s as remote', (a) => expect(isLoopbackAddress(a)).toBe(false));
});

describe('originRefusal', () => {
  const host = '127.0.0.1:8088';
  it('lets safe methods and requests without Origin through', () => {
    expect(originRefusal({ method: 'GET', host, origin: 'http://evil.example' }, TOKEN)).toBeUndefined();
    expect(originRefusal({ method: 'POST', host }, TOKEN)).toBeUndefined();
  });
  it('refuses a cross-origin mutating request even with the token', () => {
    expect(originRefusal({ method: 'POST', host, origin: 'http://evil.example', token: TOKEN }, TOKEN)).toMatch(/cross-origin/);
    expect(originRefusal({ method: 'DELETE', host, origin: 'null', token: TOKEN }, TOKEN)).toMatch(/malformed/);
    expect(originRefusal({ method: 'PUT', host, origin: 'https://127.0.0.1:8088', token: TOKEN }, TOKEN)).toMatch(/cross-origin/);
  });
  it('refuses a same-origin mutating request without the right token', () => {
    expect(originRefusal({ method: 'POST', host, origin: `http://${host}` }, TOKEN)).toMatch(/token/);
    expect(originRefusal({ method: 'POST', host, origin: `http://${host}`, token: 'tok-124' }, TOKEN)).toMatch(/token/);
  });
  it('accepts a same-origin mutating request with the token', () => {
    expect(originRefusal({ method: 'PATCH', host, origin: `http://${host}`, token: TOKEN }, TOKEN)).toBeUndefined();
  });
});

describe('hostGuard middleware', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    const app = new Koa<RequestState>();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        ctx.status = isEmulatorError(err) ? 403 : 500;
        ctx.body = { refused: isEmulatorError(err) ? err.message : 'other' };
      }
    });
    app.use(hostGuard({ listenHost: '127.0.0.1', token: TOKEN }));
    app.use((ctx) => {
      ctx.body = { ok: true };
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Raw request so the Host header can be anything (fetch would not allow it). */
  const send = (method: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path: '/v1/x', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

  it('answers 403 to a foreign Host and 200 to localhost', async () => {
    expect(await send('GET', { host: `evil.example:${port}` })).toBe(403);
    expect(await send('GET', { host: `localhost:${port}` })).toBe(200);
  });
  it('answers 403 to a cross-origin POST and 200 to a POST without Origin (curl, docker)', async () => {
    expect(await send('POST', { host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).toBe(403);
    expect(await send('POST', { host: `127.0.0.1:${port}` })).toBe(200);
    expect(await send('POST', { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, 'x-emulator-token': TOKEN })).toBe(200);
  });
});
