// The upstream client against a node:http server on loopback: the OCI Bearer token dance with Basic credentials,
// the redirect limit, and UpstreamConditions consulted before every request (offline, down, slow, status).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { readAll } from '../content/upstream.js';
import { UpstreamConditions } from './faults.js';
import { UpstreamClient } from './upstream-client.js';

const REPO = 'projects/p/locations/us-central1/repositories/r';

describe('UpstreamClient', () => {
  let server: Server;
  let base = '';
  const seen: Array<{ url: string; auth?: string }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url!, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      if (req.url!.startsWith('/token')) {
        const ok = req.headers.authorization === `Basic ${Buffer.from('user:s3cret').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ token: 'tok-1' }) : '{}');
      } else if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' }).end();
      } else if (req.headers.authorization !== 'Bearer tok-1') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/token",service="fake",scope="repository:x:pull"` }).end();
      } else {
        res.writeHead(200).end('payload');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers a Bearer challenge with a token fetched with Basic credentials', async () => {
    const client = new UpstreamClient(new UpstreamConditions(new ManualClock()));
    const res = await client.request({ repository: REPO, url: `${base}/v2/x/manifests/1`, credentials: { username: 'user', password: 's3cret' } });
    expect(res.status).toBe(200);
    expect((await readAll(res.body, 100)).toString()).toBe('payload');
    const token = seen.find((s) => s.url.startsWith('/token'))!;
    expect(token.url).toContain('scope=repository%3Ax%3Apull');
  });

  it('gives up after the redirect limit', async () => {
    const client = new UpstreamClient(new UpstreamConditions(new ManualClock()), { maxRedirects: 3 });
    await expect(client.request({ repository: REPO, url: `${base}/loop` })).rejects.toMatchObject({ reason: 'redirects' });
  });

  it('makes no request when offline or down, and answers an injected status', async () => {
    const conditions = new UpstreamConditions(new ManualClock());
    const client = new UpstreamClient(conditions, { readTimeoutMs: 50 });
    const before = seen.length;
    conditions.setOffline(REPO, true);
    await expect(client.request({ repository: REPO, url: `${base}/v2/` })).rejects.toMatchObject({ reason: 'offline' });
    conditions.setOffline(REPO, false);
    conditions.setFault({ repository: REPO, mode: 'down' });
    await expect(client.request({ repository: REPO, url: `${base}/v2/` })).rejects.toMatchObject({ reason: 'down' });
    conditions.setFault({ repository: REPO, mode: 'status', status: 429 });
    await expect(client.request({ repository: REPO, url: `${base}/v2/` })).rejects.toMatchObject({ reason: 'status', status: 429 });
    conditions.setFault({ repository: REPO, mode: 'slow', delayMs: 60_000 });
    await expect(client.request({ repository: REPO, url: `${base}/v2/` })).rejects.toMatchObject({ reason: 'timeout' });
    expect(seen.length).toBe(before);
  });

  it('reports a refused connection as down', async () => {
    const client = new UpstreamClient(new UpstreamConditions(new ManualClock()));
    await expect(client.request({ repository: REPO, url: 'http://127.0.0.1:1/v2/' })).rejects.toMatchObject({ reason: 'down' });
  });
});
