// The dashboard at /ui of a headless emulator, in Debian's Chromium: the live feed shows a push within 1 s
// without a reload, the image view shows tags and layers, a policy violation shows as one. Screenshots of
// each main view go to test-results/ui/.
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../support/emulator.js';
import { Registry } from '../support/registry.js';
import { chromiumMissingReason, SCREENSHOT_DIR, openLiveDashboard } from './chromium.js';

const missing = chromiumMissingReason();

test.describe('dashboard at /ui in Chromium', () => {
  test.skip(missing !== undefined, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let emu: TestEmulator;
  let browser: Browser;
  let page: Page;
  let reg: Registry;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

  test.beforeAll(async ({ browser: shared }) => {
    emu = await startEmulator();
    await emu.createRepository('apps');
    await emu.createRepository('team-cache');
    reg = new Registry(emu.url);
    const seed = await reg.imageManifest(`${TEST_PROJECT}/team-cache/base`, 'x'.repeat(300_000));
    await reg.putManifest(`${TEST_PROJECT}/team-cache/base`, 'stable', seed);
    browser = shared;
    page = await openLiveDashboard(browser, emu.url);
  });
  test.afterAll(async () => {
    await emu?.stop();
  });

  test('shows a pushed image in the live feed within 1 s, without a reload', async () => {
    const name = `${TEST_PROJECT}/apps/web`;
    const manifest = await reg.imageManifest(name, 'layer-one-'.repeat(2000));
    const entry = page.locator('[data-testid="feed-entry"][data-type="artifact.pushed"]', { hasText: 'apps/web:v1' });
    expect(await entry.count()).toBe(0);
    const res = await reg.putManifest(name, 'v1', manifest);
    expect(res.status).toBe(201);
    const pushedAt = Date.now();
    await entry.first().waitFor({ timeout: 1000 });
    expect(Date.now() - pushedAt).toBeLessThan(1000);
    await reg.fetch(`/v2/${name}/manifests/v1`);
    await page.locator('[data-testid="feed-entry"][data-type="artifact.pulled"]').first().waitFor({ timeout: 1000 });
    await shot('feed');
  });

  test('hides filtered categories and holds events while paused', async () => {
    await page.locator('.chip[data-category="pull"]').click();
    expect(await page.locator('[data-testid="feed-entry"][data-category="pull"]').count()).toBe(0);
    await page.locator('.chip[data-category="pull"]').click();
    await page.getByTestId('feed-pause').click();
    await emu.createRepository('while-paused');
    await page.getByTestId('feed-pause').filter({ hasText: '1 new' }).waitFor({ timeout: 2000 });
    expect(await page.locator('[data-testid="feed-entry"]', { hasText: 'while-paused' }).count()).toBe(0);
    await page.getByTestId('feed-pause').click();
    await page.locator('[data-testid="feed-entry"]', { hasText: 'while-paused' }).waitFor({ timeout: 1000 });
  });

  test('navigates from the repository list to the image and shows its tags and layers', async () => {
    await page.click('nav.nav >> text=Repositories');
    await page.getByTestId('repositories-table').locator('a', { hasText: 'apps' }).first().waitFor();
    await shot('repositories');
    await page.getByTestId('repositories-table').locator('a', { hasText: /^apps$/ }).click();
    const pkg = page.locator('[data-testid="package"][data-package="web"]');
    await pkg.locator('summary').click();
    await pkg.getByTestId('version').first().waitFor();
    expect(await pkg.getByTestId('version').first().textContent()).toContain('v1');
    await shot('repository');
    await pkg.getByTestId('version').first().locator('a').click();
    await page.getByTestId('image-view').waitFor();
    await page.getByTestId('layers').waitFor();
    expect(await page.getByTestId('image-tags').textContent()).toContain('v1');
    expect(await page.getByTestId('layer').count()).toBe(1);
    expect(await page.getByTestId('layers').textContent()).toContain('20 KB');
    await shot('image');
  });

  test('shows a policy.violated event as a violation entry in the feed and on the IAM page', async () => {
    await page.click('nav.nav >> text=Live feed');
    const resource = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/apps`;
    emu.emulator.events.emit('policy.violated', {
      principal: 'user:mallory@example.com', permission: 'artifactregistry.repositories.uploadArtifacts', resource, operation: 'docker.manifest.put',
    });
    const entry = page.locator('[data-testid="feed-entry"][data-category="violation"]');
    await entry.first().waitFor({ timeout: 1000 });
    expect(await entry.first().textContent()).toContain('user:mallory@example.com denied artifactregistry.repositories.uploadArtifacts');
    await shot('feed-violation');
    await page.goto(`${emu.url}/ui/#/iam/${TEST_PROJECT}/${TEST_LOCATION}/apps`);
    await page.getByTestId('violations').locator('li', { hasText: 'mallory' }).waitFor({ timeout: 2000 });
    await page.locator('text=No bindings').waitFor();
    await shot('iam');
  });

  test('shows where the emulator listens in Settings', async () => {
    await page.click('nav.nav >> text=Settings');
    await page.getByTestId('settings').waitFor();
    const text = await page.getByTestId('settings').textContent();
    expect(text).toContain(`localhost:${emu.emulator.port}`);
    expect(text).toContain(emu.dataDir);
    await shot('settings');
  });

  test('shows a not-found view for a link with malformed percent-encoding, without a page error', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${emu.url}/ui/#/repositories/%E0%A4%A`);
    await page.getByTestId('not-found').waitFor({ timeout: 2000 });
    expect(errors).toEqual([]);
    await page.goto(`${emu.url}/ui/`);
  });

  test('follows a dark colour scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.click('nav.nav >> text=Live feed');
    await page.getByTestId('feed-list').waitFor();
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(17, 20, 24)');
    await shot('feed-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
