// The upstream client of remote repositories (issue 12): one HTTP(S) request to an upstream, on Node's own
// http/https, with connect and read timeouts, a redirect limit, Basic or Bearer credentials (for OCI registries
// the token dance from a `WWW-Authenticate: Bearer` challenge), and UpstreamConditions consulted before every
// request (offline: no request at all; fault down/slow/status). Formats never talk to an upstream otherwise.
import http from 'node:http';
import https from 'node:https';
import { isUpstreamError, readAll, UpstreamError, type Upstream, type UpstreamCredentials, type UpstreamRequest, type UpstreamResponse } from '../content/upstream.js';
import type { UpstreamConditions } from './faults.js';

export { UpstreamError, isUpstreamError, readAll } from '../content/upstream.js';
export type { UpstreamCredentials, UpstreamRequest, UpstreamResponse } from '../content/upstream.js';

export interface UpstreamClientOptions {
  /** until the TCP/TLS connection is up (default 10 s) */
  connectTimeoutMs?: number;
  /** longest silence while waiting for headers or body bytes (default 30 s) */
  readTimeoutMs?: number;
  /** redirects followed before giving up (default 5) */
  maxRedirects?: number;
  /** the whole exchange, body included, however steadily bytes trickle in (default 15 min) */
  transferTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class UpstreamClient implements Upstream {
  private readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  private readonly maxRedirects: number;
  private readonly transferTimeoutMs: number;
  /** Bearer tokens by realm|service|scope (short-lived; dropped on a 401) */
  private readonly tokens = new Map<string, string>();
  /**
   * Connections are kept alive between requests: a cold npm install through a remote repository makes dozens of
   * requests to one upstream, and a TLS handshake each would be most of the first-fetch overhead. Idle sockets do
   * not keep the process alive (Node unrefs them) and `close()` ends them.
   */
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 8, timeout: 60_000 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 8, timeout: 60_000 }),
  };

  constructor(
    private readonly conditions: UpstreamConditions,
    opts: UpstreamClientOptions = {},
  ) {
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.readTimeoutMs = opts.readTimeoutMs ?? 30_000;
    this.maxRedirects = opts.maxRedirects ?? 5;
    this.transferTimeoutMs = opts.transferTimeoutMs ?? 15 * 60_000;
  }

  /** Ends the kept-alive connections (the emulator is closing). */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  /**
   * Sends the request, following redirects and answering one auth challenge. Any status comes back as a
   * response (the caller decides what a 404 means); failures to get one throw UpstreamError.
   */
  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    let url = req.url;
    let bearer: string | undefined;
    let challenged = false;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': 'artifact-registry-emulator (remote repository)', ...req.headers };
      const tokenKey = bearerKeyFor(url);
      bearer ??= tokenKey ? this.tokens.get(tokenKey) : undefined;
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      else if (req.credentials) headers.authorization = basic(req.credentials);
      const res = await this.once(req.repository, url, req.method ?? 'GET', headers);
      if (res.status >= 300 && res.status < 400 && res.headers.location) {
        res.body.resume();
        if (hop >= this.maxRedirects) throw new UpstreamError('redirects', `upstream redirected more than ${this.maxRedirects} times`);
        url = new URL(res.headers.location, url).toString();
        continue;
      }
      const challenge = res.status === 401 ? parseBearerChallenge(res.headers['www-authenticate']) : undefined;
      if (challenge && !challenged) {
        res.body.resume();
        challenged = true;
        bearer = await this.fetchToken(req, challenge);
        this.tokens.set(`${new URL(url).host}`, bearer);
        continue;
      }
      return { ...res, url };
    }
  }

  private async fetchToken(req: UpstreamRequest, c: Record<string, string>): Promise<string> {
    const realm = c.realm;
    if (!realm) throw new UpstreamError('protocol', 'upstream sent a Bearer challenge without a realm');
    const u = new URL(realm);
    if (c.service) u.searchParams.set('service', c.service);
    if (c.scope) u.searchParams.set('scope', c.scope);
    const headers: Record<string, string> = {};
    if (req.credentials) headers.authorization = basic(req.credentials);
    const res = await this.once(req.repository, u.toString(), 'GET', headers);
    const text = await readAll(res.body, 1 << 20);
    if (res.status !== 200) throw new UpstreamError('status', `upstream token endpoint answered ${res.status}`, res.status);
    let body: { token?: unknown; access_token?: unknown };
    try {
      body = JSON.parse(text.toString('utf8')) as typeof body;
    } catch {
      throw new UpstreamError('protocol', 'upstream token endpoint sent no JSON');
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new UpstreamError('protocol', 'upstream token endpoint sent no token');
    return token;
  }

  /** One request, no redirects: the fault in force first, then the network with both timeouts. */
  private async once(repository: string, url: string, method: string, headers: Record<string, string>): Promise<Omit<UpstreamResponse, 'url'>> {
    if (this.conditions.isOffline(repository)) throw new UpstreamError('offline', 'the emulator is offline for this repository (no upstream request was made)');
    const perimeter = this.conditions.perimeterDenial?.(repository);
    if (perimeter) throw new UpstreamError('vpcsc', perimeter);
    const fault = this.conditions.faultFor(repository);
    if (fault?.mode === 'down') throw new UpstreamError('down', 'upstream unreachable: connection refused (injected fault)');
    if (fault?.mode === 'slow') {
      const delay = fault.delayMs ?? 0;
      if (delay >= this.readTimeoutMs) {
        await sleep(this.readTimeoutMs);
        throw new UpstreamError('timeout', `upstream did not answer within ${this.readTimeoutMs} ms (injected slowness)`);
      }
      await sleep(delay);
    }
    if (fault?.mode === 'status') {
      const status = fault.status ?? 503;
      throw new UpstreamError('status', `upstream answered ${status} (injected fault)`, status);
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UpstreamError('protocol', 'upstream URL is not valid');
    }
    const lib = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!lib) throw new UpstreamError('protocol', `upstream URL scheme ${parsed.protocol} is not http or https`);
    return new Promise((resolve, reject) => {
      const r = lib.request(parsed, { method, headers, agent: parsed.protocol === 'https:' ? this.agents['https:'] : this.agents['http:'] });
      const connectTimer = setTimeout(() => r.destroy(new UpstreamError('timeout', `upstream connection not established within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      connectTimer.unref();
      r.on('socket', (s) => {
        const connected = () => clearTimeout(connectTimer);
        if (!s.connecting) connected();
        else s.once(parsed.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      });
      // on the request, not the socket: a kept-alive socket serves many requests, and Node moves this for us
      r.setTimeout(this.readTimeoutMs, () => r.destroy(new UpstreamError('timeout', `upstream sent nothing for ${this.readTimeoutMs} ms`)));
      r.on('error', (err) => {
        clearTimeout(connectTimer);
        clearTimeout(transferTimer);
        reject(isUpstreamError(err) ? err : new UpstreamError('down', `upstream unreachable: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
      const transferTimer = setTimeout(() => r.destroy(new UpstreamError('timeout', `upstream transfer did not complete within ${this.transferTimeoutMs} ms`)), this.transferTimeoutMs);
      transferTimer.unref();
      r.on('close', () => clearTimeout(transferTimer));
      r.on('response', (res) => {
        clearTimeout(connectTimer);
        res.on('close', () => clearTimeout(transferTimer));
        // errors while the body is read reach whoever reads it, as UpstreamErrors
        res.on('error', () => {});
        r.removeAllListeners('error');
        r.on('error', (err) => res.destroy(isUpstreamError(err) ? err : new UpstreamError('truncated', `upstream connection broke: ${err.message}`)));
        res.on('aborted', () => res.destroy(new UpstreamError('truncated', 'upstream closed the connection before the body was complete')));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      r.end();
    });
  }
}

function basic(c: UpstreamCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

function bearerKeyFor(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters; undefined for another scheme. */
export function parseBearerChallenge(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) out[m[1]!.toLowerCase()] = m[2]!;
  return out;
}
