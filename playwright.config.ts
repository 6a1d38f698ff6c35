// Browser tests with @playwright/test: the dashboard at /ui in Debian's Chromium (test/browser/), and the
// Electron smoke test (test/e2e/) where an Electron binary exists. One worker: the machine has 2 cores and
// each file starts its own emulator. Traces and screenshots are kept for failures (test-results/playwright/).
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './test/browser/chromium.js';

export default defineConfig({
  testDir: 'test',
  outputDir: 'test-results/playwright',
  globalSetup: './test/browser/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure', viewport: { width: 1280, height: 820 } },
  projects: [
    {
      name: 'dashboard',
      testMatch: 'browser/**/*.spec.ts',
      use: { browserName: 'chromium', headless: true, launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } },
    },
    { name: 'electron', testMatch: 'e2e/**/*.spec.ts' },
  ],
});
