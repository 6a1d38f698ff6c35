// Refuses requests a browser could be tricked into sending: a Host outside the allow-list (DNS rebinding) and
// cross-origin or token-less mutating requests that carry an Origin. Clients without Origin are unaffected.
import { timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { EmulatorError } from '../../core/errors.js';
import type { RequestState } from '../context.js';

export interface HostGuardOptions {
  /** the interface the emulator listens on (`127.0.0.1`, `::1`, `0.0.0.0`, a host name) */
  listenHost: string;
  /** further host names to accept (without port) */
  extraHosts?: readonly string[];
  /** the per-process token a same-origin page must send in `X-Emulator-Token` on mutating requests */
  token: string;
}

export const TOKEN_HEADER = 'x-emulator-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
/**
 * `LOCATION-FORMAT.pkg.dev`: what clients configured for the real service send once pointed here. Any format is
 * accepted (dispatch decides whether one is registered): pkg.dev names cannot be rebound by an attacker.
 */
const PKG_DEV_HOST = /^[a-z0-9-]+-[a-z0-9]+\.pkg\.dev$/;
/** The Container Registry hosts dispatch serves (docs/gcr.md); Google's names, as unbindable as pkg.dev ones. */
const GCR_HOST = /^(?:us\.|eu\.|asia\.)?gcr\.io$/;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host name of a Host header value (`[::1]:8088` → `::1`, `Example:80` → `example`), or undefined if malformed. */
export function hostName(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h) ?? /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m?.[1];
}

/**
 * Whether a Host header names this emulator. A rebinding attack needs a DNS name the attacker controls, so
 * only loopback names, the configured host, extra names and pkg.dev hosts pass; when the emulator listens
 * on every interface, IP literals pass too (a LAN address cannot be rebound).
 */
export function isAllowedHost(header: string | undefined, opts: Pick<HostGuardOptions, 'listenHost' | 'extraHosts'>): boolean {
  if (header === undefined || header === '') return true; // HTTP/1.0 without Host: not a browser
  const name = hostName(header);
  if (name === undefined) return false;
  const listen = opts.listenHost.toLowerCase().replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.includes(name) || name === listen || PKG_DEV_HOST.test(name) || GCR_HOST.test(name)) return true;
  if (opts.extraHosts?.some((h) => h.toLowerCase() === name)) return true;
  return WILDCARD_HOSTS.has(listen) && (IPV4.test(name) || name.includes(':'));
}

/** Whether a socket's remote address is this machine (127.0.0.0/8, ::1, IPv4-mapped 127.x); false when unknown. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Why a mutating request must be refused, or undefined when it may proceed. */
export function originRefusal(req: { method: string; host?: string; origin?: string; token?: string }, token: string): string | undefined {
  if (SAFE_METHODS.has(req.method.toUpperCase()) || req.origin === undefined) return undefined;
  let origin: URL;
  try {
    origin = new URL(req.origin);
  } catch {
    return 'the Origin header is malformed';
  }
  if (origin.protocol !== 'http:' || origin.host !== (req.host ?? '').toLowerCase()) return `cross-origin request from ${origin.origin} refused`;
  if (!req.token || !sameSecret(req.token, token)) return 'the dashboard token is missing or wrong; reload the page';
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function hostGuard(opts: HostGuardOptions): Middleware<RequestState> {
  return async (ctx, next) => {
    const host = ctx.get('host') || undefined;
    if (!isAllowedHost(host, opts)) {
      throw new EmulatorError('PERMISSION_DENIED', `Host "${(host ?? '').slice(0, 100)}" is not allowed; use localhost or 127.0.0.1`);
    }
    const refusal = originRefusal(
      { method: ctx.method, host, origin: ctx.get('origin') || undefined, token: ctx.get(TOKEN_HEADER) || undefined },
      opts.token,
    );
    if (refusal) throw new EmulatorError('PERMISSION_DENIED', refusal);
    await next();
  };
}
