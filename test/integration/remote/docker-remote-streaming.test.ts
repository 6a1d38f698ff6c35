// The first fetch of a remote blob streams to the client while it is stored (issue 12): the client has bytes
// before the upstream has sent them all; a request arriving meanwhile waits for the stored copy (one upstream
// request); later requests are served from the cache. The upstream here holds the second half of the blob back
// until the test releases it, so "before" is a state, not a timing.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const CHUNK = 16 * 1024;

describe('Docker remote blob first fetch', () => {
  let server: Server;
  let upstream = '';
  let emu: TestEmulator;
  const blob = randomBytes(16 * CHUNK);
  const digest = sha256(blob);
  let requests = 0;
  let finished = false;
  let release: () => void = () => {};
  const held = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== `/v2/img/blobs/${digest}`) {
        res.writeHead(req.url === '/v2/' ? 200 : 404).end();
        return;
      }
      requests++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) });
      held.add(res);
      for (let i = 0; i < 8; i++) res.write(blob.subarray(i * CHUNK, (i + 1) * CHUNK));
      release = () => {
        res.end(blob.subarray(8 * CHUNK), () => (finished = true));
      };
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    emu = await startEmulator();
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=hub`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: upstream } } } }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    for (const r of held) r.destroy();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await emu?.stop();
  });

  it('streams the first GET while storing, makes a concurrent GET wait for the stored copy, then serves the cache', async () => {
    const url = `${emu.url}/v2/${TEST_PROJECT}/hub/img/blobs/${digest}`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-length')).toBe(String(blob.length));
    const reader = first.body!.getReader();
    const got: Buffer[] = [];
    let received = 0;
    while (received === 0) {
      const { value, done } = await reader.read();
      if (done) break;
      got.push(Buffer.from(value));
      received += value.length;
    }
    // bytes arrived while the upstream still holds the rest back
    expect(received).toBeGreaterThan(0);
    expect(finished).toBe(false);
    const second = fetch(url).then(async (r) => Buffer.from(await r.arrayBuffer()));
    release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      got.push(Buffer.from(value));
    }
    expect(sha256(Buffer.concat(got))).toBe(digest);
    expect(sha256(await second)).toBe(digest);
    expect(requests).toBe(1);
    const third = await fetch(url);
    expect(sha256(Buffer.from(await third.arrayBuffer()))).toBe(digest);
    expect(requests).toBe(1);
  });
});
