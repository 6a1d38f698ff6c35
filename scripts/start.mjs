#!/usr/bin/env node
// `npm start`: opens the desktop app where there is a display; otherwise runs the emulator headless and
// prints one line saying why. npm install never downloads Electron's binary (package.json's allowScripts
// keeps the electron package's install script off), so the first desktop start fetches it where the
// network allows, and falls back to headless with the reason where it does not. Extra arguments go to the
// emulator (`npm start -- --port 0`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronPackage = join(root, 'node_modules', 'electron');
/** how long the first start may spend fetching Electron's binary */
const FETCH_TIMEOUT_MS = 180_000;

/** Where the Electron binary is (or would be, once fetched), and whether the electron package is there. */
export function electronBinary(env = process.env, platform = process.platform, read = (p) => readFileSync(p, 'utf8')) {
  if (env.ELECTRON_BIN) return { path: env.ELECTRON_BIN, fetchable: false };
  let relative = platform === 'win32' ? 'electron.exe' : platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
  try {
    relative = read(join(electronPackage, 'path.txt')).trim() || relative;
  } catch {
    // path.txt is written by the package's install script, which has not run yet
  }
  return { path: join(electronPackage, 'dist', relative), fetchable: existsSync(join(electronPackage, 'install.js')) };
}

/** Why the desktop app cannot open here (before any fetch), or undefined when it can. */
export function headlessReason(env = process.env, platform = process.platform, exists = existsSync) {
  const hasDisplay = platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  if (!hasDisplay) return 'no display (DISPLAY/WAYLAND_DISPLAY unset)';
  const electron = env.ELECTRON_BIN || join(electronPackage, 'dist', platform === 'win32' ? 'electron.exe' : 'electron');
  if (!exists(electron)) return 'no Electron binary (set ELECTRON_BIN, or install the electron package where its download works)';
  if (!exists(join(root, 'dist', 'main', 'app.js'))) return 'the desktop shell is not built (npm run build)';
  return undefined;
}

/** Runs the electron package's own installer once (it downloads the binary). Returns an error text or undefined. */
function fetchElectron() {
  process.stdout.write('[ar-emulator] fetching the Electron binary for the desktop app (first start only)...\n');
  const r = spawnSync(process.execPath, [join(electronPackage, 'install.js')], { cwd: electronPackage, stdio: ['ignore', 'ignore', 'pipe'], timeout: FETCH_TIMEOUT_MS, encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const why = (r.error?.message ?? r.stderr ?? '').split('\n').map((l) => l.trim()).find((l) => /error|fail|ENOTFOUND|ECONN|timed out/i.test(l));
  return `Electron's binary could not be fetched${why ? ` (${why.slice(0, 160)})` : ''}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  let reason = headlessReason();
  const binary = electronBinary();
  if (reason?.startsWith('no Electron binary') && binary.fetchable) {
    reason = fetchElectron() ?? headlessReason();
  }
  let child;
  if (reason) {
    process.stdout.write(`[ar-emulator] starting headless: ${reason}. The dashboard's address is printed once it is ready.\n`);
    child = spawn(process.execPath, [join(root, 'bin', 'ar-emulator.mjs'), 'start', ...args], { stdio: 'inherit' });
  } else {
    child = spawn(electronBinary().path, [join(root, 'dist', 'main', 'app.js'), ...args], { stdio: 'inherit' });
  }
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
