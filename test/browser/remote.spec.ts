// Remote repositories in the dashboard at /ui, in Debian's Chromium: a fault added over the API shows in the
// "Remote repositories" panel at once (faults.changed), clears from its button, offline switches show and switch
// back; cache hits and misses (emitted on the emulator's event bus) read in words in the feed and add up to a hit
// ratio per remote repository.
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startFaultsEmulator, type FaultsEmulator } from '../integration/faults/remote-fixture.js';
import { chromiumMissingReason, openLiveDashboard, SCREENSHOT_DIR } from './chromium.js';

const missing = chromiumMissingReason();
const DIGEST = 'sha256:' + 'd'.repeat(64);

test.describe('remote repositories in the dashboard', () => {
  test.skip(missing !== undefined, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let emu: FaultsEmulator;
  let page: Page;
  let remote: string;

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    emu = await startFaultsEmulator();
    remote = await emu.createRemote('docker-hub');
    page = await openLiveDashboard(browser, emu.url);
  });
  test.afterAll(async () => {
    await emu?.stop();
  });

  test('shows a fault added over the API, and clears it from the panel', async () => {
    await page.goto(`${emu.url}/ui/#/repositories`);
    const faults = page.getByTestId('remote-faults');
    await expect(faults).toContainText('No upstream faults');
    const added = await emu.json('POST', '/_emulator/faults', { repository: remote, mode: 'status', status: 429, forSeconds: 600 });
    expect(added.status).toBe(200);
    const row = page.getByTestId('remote-fault');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('docker-hub');
    await expect(row).toContainText('answers HTTP 429');
    await expect(row).toContainText('until');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'remote-faults.png'), fullPage: true });
    await row.getByRole('button', { name: 'Clear' }).click();
    await expect(faults).toContainText('No upstream faults');
    expect((await emu.json('GET', '/_emulator/faults')).body).toEqual({ faults: [] });
  });

  test('shows the offline switches and goes online from the panel', async () => {
    await emu.json('POST', '/_emulator/offline', { offline: true });
    await expect(page.getByTestId('offline-global')).toContainText('All remote repositories answer from their caches only');
    await page.getByTestId('offline-global-off').click();
    await expect(page.getByTestId('offline-global')).toHaveCount(0);
    expect((await emu.json('GET', '/_emulator/offline')).body.global).toBe(false);
  });

  test('reads cache events in the feed and shows the hit ratio per remote repository', async () => {
    const events = emu.emulator.events;
    const ref = { repository: remote, format: 'docker', package: 'library/alpine', version: DIGEST };
    events.emit('cache.miss', { ...ref, kind: 'manifest', sizeBytes: 1024, upstream: 'http://127.0.0.1:1', latencyMs: 12 });
    for (let i = 0; i < 3; i++) events.emit('cache.hit', { ...ref, kind: 'manifest', sizeBytes: 1024 });
    events.emit('upstream.failed', { repository: remote, format: 'docker', package: 'library/alpine', upstream: 'http://127.0.0.1:1', reason: 'rate limited', status: 429, latencyMs: 2, served: true });
    await expect(page.getByTestId('cache-hit-ratio')).toContainText('75% hits (3/4)');
    await expect(page.getByTestId('cache-hit-ratio')).toContainText('1 upstream failure');
    await page.goto(`${emu.url}/ui/#/feed`);
    await expect(page.locator('[data-testid="feed-entry"][data-type="cache.hit"]').first()).toContainText('Cache hit: image docker-hub/library/alpine');
    await expect(page.locator('[data-testid="feed-entry"][data-type="cache.miss"]')).toContainText('fetched from http://127.0.0.1:1 in 12 ms');
    await expect(page.locator('[data-testid="feed-entry"][data-type="upstream.failed"]')).toContainText('Upstream of docker-hub failed: HTTP 429 (rate limited)');
    // and on the repository's own page
    await page.goto(`${emu.url}/ui/#/repositories/${remote.split('/').filter((_, i) => i % 2 === 1).join('/')}`);
    await expect(page.getByTestId('repository-cache')).toContainText('75% hits (3 of 4)');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'remote-repository-cache.png'), fullPage: true });
  });
});
