// Debian's Chromium for the dashboard tests: where it is, the flags this machine needs, and the rule that
// CI fails without it while elsewhere the tests are skipped with a printed reason.
import { existsSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'ui');
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

/** Why Chromium tests cannot run here, or undefined; in CI a missing Chromium throws instead. */
export function chromiumMissingReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (install Debian's chromium: scripts/install-test-clients.sh, group browser)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  console.warn(`[ui tests] skipped: ${reason}`);
  return reason;
}

/** Opens the dashboard at `url` (http://HOST:PORT) in a new page and waits until its live feed is connected. */
export async function openLiveDashboard(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  await waitForLiveFeed(page, url);
  return page;
}

/** (Re)loads the dashboard's start page and waits until its live feed is connected. */
export async function waitForLiveFeed(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/ui/`);
  await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor({ timeout: 5000 });
}
