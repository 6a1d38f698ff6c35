// /ui security in Chromium: a page from another origin cannot create a repository (fetch or form POST), a
// rebound host name is refused, the dashboard's own token-bearing request works, and nothing answers with
// a CORS wildcard.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Browser } from '@playwright/test';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../support/emulator.js';
import { chromiumMissingReason, CHROMIUM, CHROMIUM_ARGS } from './chromium.js';

const missing = chromiumMissingReason();
const REPOS = `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories`;

/** GET with any Host header (fetch forbids setting it). */
function rawGet(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

// a host name that resolves to the emulator, for the DNS-rebinding check
test.use({ launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.test 127.0.0.1'] } });

test.describe('/ui security in Chromium', () => {
  test.skip(missing !== undefined, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let emu: TestEmulator;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl = '';
  const exists = async (id: string) => (await fetch(`${emu.url}${REPOS}/${id}`)).status === 200;

  test.beforeAll(async ({ browser: shared }) => {
    emu = await startEmulator();
    attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form id="f" method="POST" enctype="text/plain" action="${emu.url}${REPOS}?repositoryId=evil-form"><input name='{"format":"DOCKER","x":"' value='"}'><button id="go">go</button></form>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, 'localhost', resolve));
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
    browser = shared;
  });
  test.afterAll(async () => {
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    await emu?.stop();
  });

  test('refuses a request whose Host header is foreign, on every API', async () => {
    const port = emu.emulator.port;
    for (const path of ['/ui/', '/v2/', REPOS, '/_emulator/info']) expect(await rawGet(port, path, `evil.example:${port}`)).toBe(403);
    expect(await rawGet(port, '/_emulator/health', `localhost:${port}`)).toBe(200);
    expect(await rawGet(port, '/v2/', `us-central1-docker.pkg.dev:${port}`)).toBe(200);
  });

  test('refuses the dashboard to a rebound DNS name (DNS rebinding)', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`http://rebind.test:${emu.emulator.port}/ui/`);
    expect(res?.status()).toBe(403);
    expect(await page.content()).not.toContain('emulator-token');
    await page.close();
  });

  test('does not let a page from another origin create a repository, by fetch or by form', async () => {
    const page = await browser.newPage();
    await page.goto(attackerUrl);
    const fetched = await page.evaluate(async (target) => {
      const r = await fetch(target, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"format":"DOCKER"}' });
      return r.type;
    }, `${emu.url}${REPOS}?repositoryId=evil-fetch`);
    expect(fetched).toBe('opaque');
    const readable = await page.evaluate(async (target) => fetch(target).then(() => 'read', () => 'blocked'), `${emu.url}/_emulator/info`);
    expect(readable).toBe('blocked');
    const [formResponse] = await Promise.all([page.waitForResponse((r) => r.url().includes('evil-form')), page.click('#go')]);
    expect(formResponse.status()).toBe(403);
    expect(await exists('evil-fetch')).toBe(false);
    expect(await exists('evil-form')).toBe(false);
    await page.close();
  });

  test('accepts the dashboard’s own mutating request with its token, and refuses it without', async () => {
    const page = await browser.newPage();
    await page.goto(`${emu.url}/ui/#/repositories`);
    const status = await page.evaluate(async (target) => (await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"format":"DOCKER"}' })).status, `${REPOS}?repositoryId=no-token`);
    expect(status).toBe(403);
    await page.locator('summary', { hasText: 'New repository' }).click();
    await page.getByLabel('repository id').fill('from-dashboard');
    await page.getByTestId('create-repository').locator('button[type="submit"]').click();
    await page.getByTestId('repositories-table').locator('a', { hasText: 'from-dashboard' }).waitFor({ timeout: 3000 });
    expect(await exists('from-dashboard')).toBe(true);
    expect(await exists('no-token')).toBe(false);
    await page.close();
  });

  test('never answers with a CORS wildcard', async () => {
    for (const path of ['/ui/', '/_emulator/info', '/_emulator/health', REPOS, '/v2/']) {
      const res = await fetch(`${emu.url}${path}`, { headers: { origin: 'http://evil.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});
