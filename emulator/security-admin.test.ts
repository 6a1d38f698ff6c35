// The admin surface beyond loopback (issue 8 item 4): decided by the socket's remote address, never by Host;
// callers beyond loopback need the admin token printed at start. Tested with the remote address set on the
// request, so no traffic leaves loopback.
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_HEADER, assertAdminAllowed, isAdminRoute } from './security.js';

const TOKEN = 'admin-token-of-this-process';

function ctx(routeName: string, remoteAddress: string | undefined, headers: Record<string, string> = {}, query: Record<string, string> = {}) {
  return {
    state: { routeName },
    req: { socket: { remoteAddress } },
    query,
    get: (name: string) => headers[name.toLowerCase()] ?? '',
  } as unknown as Parameters<typeof assertAdminAllowed>[0];
}

const ADMIN = ['emulator.iam.mintToken', 'emulator.iam.setGroup', 'ui.page.get', 'control.admin.serviceAccounts.create', 'control.admin.serviceAccountKeys.create', 'control.admin.projects.setIamPolicy'];

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

  it('leaves the registry, the control plane and the feed to IAM', () => {
    for (const route of ['docker.manifest.put', 'control.repositories.create', 'emulator.events.stream', 'emulator.health.get']) {
      expect(isAdminRoute(route)).toBe(false);
      expect(() => assertAdminAllowed(ctx(route, '192.0.2.10'), TOKEN)).not.toThrow();
    }
  });
});
