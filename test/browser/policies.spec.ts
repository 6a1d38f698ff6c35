// Policies in the dashboard at /ui, in Debian's Chromium: the header shows the virtual clock once it is moved
// (and hides it again at real time), a repository's "Last cleanup" panel shows each run's report as it
// happens (dry run or not, what went, how many stayed), and the feed reads cleanup runs and refused
// immutable tags in words.
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../support/emulator.js';
import { Registry, sha256 } from '../support/registry.js';
import { chromiumMissingReason, openLiveDashboard, SCREENSHOT_DIR } from './chromium.js';

const missing = chromiumMissingReason();
const REPO = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/apps`;

test.describe('policies in the dashboard', () => {
  test.skip(missing !== undefined, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let emu: TestEmulator;
  let page: Page;
  let reg: Registry;
  let untagged: string;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json();
  };

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    // only the cleanup runs the test asks for
    emu = await startEmulator({ cleanupIntervalMs: 50 * 365 * 86_400_000 });
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        format: 'DOCKER',
        dockerConfig: { immutableTags: true },
        cleanupPolicies: { 'delete-untagged': { id: 'delete-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '2592000s' } } },
      }),
    });
    expect(res.status, await res.text()).toBe(200);
    reg = new Registry(emu.url);
    const name = `${TEST_PROJECT}/apps/web`;
    expect((await reg.putManifest(name, 'v1', await reg.imageManifest(name, 'layer of v1'))).status).toBe(201);
    const loose = JSON.stringify(await reg.imageManifest(name, 'layer of an untagged image'));
    untagged = sha256(loose);
    expect((await reg.putManifest(name, untagged, loose)).status).toBe(201);
    page = await openLiveDashboard(browser, emu.url);
  });
  test.afterAll(async () => {
    await emu?.stop();
  });

  test('shows the virtual clock in the header once it moves, and hides it at real time', async () => {
    const clock = page.getByTestId('virtual-clock');
    await expect(clock).toBeHidden();
    await post('/_emulator/clock', { advance: '31d' });
    await expect(clock).toBeVisible();
    await expect(clock).toHaveText(/^virtual time: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, \+31 d$/);
    const shown = /virtual time: (\S+)/.exec((await clock.textContent()) ?? '')![1]!;
    const now = (await (await fetch(`${emu.url}/_emulator/clock`)).json()) as { now: string };
    expect(Math.abs(Date.parse(`${shown}T00:00:00Z`) - Date.parse(now.now.slice(0, 10) + 'T00:00:00Z'))).toBeLessThanOrEqual(86_400_000);
    await post('/_emulator/clock', { set: '2030-01-01T00:00:00Z' });
    await expect(clock).toHaveText(/^virtual time: 2030-01-01 00:0\d UTC, \+\d+ d/);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'virtual-clock.png') });
  });

  test("shows a cleanup run's report in the repository's Last cleanup panel as it happens", async () => {
    await page.goto(`${emu.url}/ui/#/repositories/${TEST_PROJECT}/${TEST_LOCATION}/apps`);
    const panel = page.getByTestId('last-cleanup');
    await expect(panel).toContainText('No cleanup has run');

    await post('/_emulator/cleanup:run', { repository: REPO, dryRun: true });
    await expect(page.getByTestId('cleanup-summary')).toHaveText('would delete 1 version, 1 kept');
    await expect(page.getByTestId('cleanup-mode')).toHaveText('dry run');
    const row = page.getByTestId('cleanup-deleted');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('web');
    await expect(row).toContainText(untagged.slice(0, 19));
    await expect(row).toContainText('delete-untagged');
    await expect(panel).toContainText('2030-01-01');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'last-cleanup-dry-run.png'), fullPage: true });

    await post('/_emulator/cleanup:run', { repository: REPO, dryRun: false });
    await expect(page.getByTestId('cleanup-mode')).toHaveText('deleting');
    await expect(page.getByTestId('cleanup-summary')).toHaveText('deleted 1 version, 1 kept');

    // the button runs a dry run; nothing is left to delete
    await page.getByTestId('cleanup-dry-run').click();
    await expect(page.getByTestId('cleanup-summary')).toHaveText('would delete nothing, 1 kept');
    await expect(page.getByTestId('cleanup-deleted')).toHaveCount(0);
  });

  test('reads cleanup runs and refused immutable tags in the feed', async () => {
    const name = `${TEST_PROJECT}/apps/web`;
    const moved = await reg.putManifest(name, 'v1', await reg.imageManifest(name, 'another layer'));
    expect(moved.status).toBe(400);
    await page.goto(`${emu.url}/ui/#/feed`);
    const entries = page.getByTestId('feed-entry');
    await expect(entries.filter({ hasText: 'Dry run: cleanup would delete 1 version in apps' })).toHaveCount(1);
    await expect(entries.filter({ hasText: 'Cleanup deleted 1 version in apps' })).toHaveCount(1);
    const refusal = entries.filter({ hasText: 'tried to move immutable tag' });
    await expect(refusal).toHaveCount(1);
    await expect(refusal).toHaveAttribute('data-category', 'violation');
    await expect(refusal).toContainText('apps has immutable tags');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'feed-policies.png'), fullPage: true });
  });

  test('hides the virtual clock again after a reset', async () => {
    await post('/_emulator/clock', { reset: true });
    await expect(page.getByTestId('virtual-clock')).toBeHidden();
  });
});
