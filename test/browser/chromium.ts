// Debian's Chromium through playwright-core, for the dashboard tests: the flags this machine needs, a fresh
// profile per launch, and the rule that CI fails without Chromium while elsewhere the tests are skipped
// with a printed reason. Also builds the dashboard (tsc -b renderer) so the tests serve current code.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'ui');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Why Chromium tests cannot run here, or undefined; in CI a missing Chromium throws instead. */
export function chromiumMissingReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (install Debian's chromium: scripts/install-test-clients.sh, group browser)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  console.warn(`[ui tests] skipped: ${reason}`);
  return reason;
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', ...extraArgs,
    ],
  });
}

/** Compiles renderer/ (and what it references) so /ui serves the current sources. */
export function buildDashboard(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(ROOT, 'renderer')], { stdio: 'inherit' });
}
