// Electron smoke test (Playwright _electron): the desktop app starts the emulator, opens the dashboard window
// on its URL, and the preload's window.emulatorShell answers. Runs where an Electron binary exists
// (ELECTRON_BIN, or node_modules/electron/dist) and a display is available; elsewhere prints why it is skipped.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ELECTRON = process.env.ELECTRON_BIN || join(ROOT, 'node_modules', 'electron', 'dist', process.platform === 'win32' ? 'electron.exe' : 'electron');

function skipReason(): string | undefined {
  if (!existsSync(ELECTRON)) return `no Electron binary at ${ELECTRON} (set ELECTRON_BIN; the electron package's postinstall download cannot run here)`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display (run under xvfb-run, or set DISPLAY)';
  return undefined;
}

const reason = skipReason();
if (reason) console.warn(`[electron smoke] skipped: ${reason}`);

describe.skipIf(reason !== undefined)('desktop app (Electron)', () => {
  let app: ElectronApplication;
  let dataDir: string;

  beforeAll(async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-b', join(ROOT, 'main'), join(ROOT, 'renderer')], { stdio: 'inherit' });
    dataDir = await mkdtemp(join(tmpdir(), 'are-e2e-'));
    app = await _electron.launch({
      executablePath: ELECTRON,
      args: [join(ROOT, 'dist', 'main', 'app.js'), '--port', '0', '--data-dir', dataDir, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
      env: { ...process.env, ELECTRON_DISABLE_SECURITY_WARNINGS: 'true' },
    });
  });
  afterAll(async () => {
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('opens the dashboard window on the emulator URL, with window.emulatorShell and no Node', async () => {
    const page = await app.firstWindow();
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/ui\//, { timeout: 15_000 });
    const port = Number(new URL(page.url()).port);
    await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.sidebar-foot code').textContent()).toBe(`localhost:${port}`);
    type ShellGlobal = { emulatorShell?: { invoke(channel: string): Promise<unknown> } };
    const status = await page.evaluate(() => (globalThis as ShellGlobal).emulatorShell?.invoke('emu:server.getStatus'));
    expect(status).toMatchObject({ state: 'running', port, dataDir });
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    const health = await (await fetch(`http://127.0.0.1:${port}/_emulator/health`)).json();
    expect(health).toMatchObject({ status: 'ok' });
  });
});
