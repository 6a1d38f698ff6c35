#!/usr/bin/env node
// `npm start`: opens the desktop app where there is a display and an Electron binary; otherwise runs the
// emulator headless and prints one line saying why. Extra arguments go to the emulator
// (`npm start -- --port 0`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Why the desktop app cannot open here, or undefined when it can. */
export function headlessReason(env = process.env, platform = process.platform, exists = existsSync) {
  const hasDisplay = platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  if (!hasDisplay) return 'no display (DISPLAY/WAYLAND_DISPLAY unset)';
  const electron = env.ELECTRON_BIN || join(root, 'node_modules', 'electron', 'dist', platform === 'win32' ? 'electron.exe' : 'electron');
  if (!exists(electron)) return 'no Electron binary (set ELECTRON_BIN, or install the electron package where its download works)';
  if (!exists(join(root, 'dist', 'main', 'app.js'))) return 'the desktop shell is not built (npm run build)';
  return undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const reason = headlessReason();
  let child;
  if (reason) {
    process.stdout.write(`[ar-emulator] starting headless: ${reason}. The dashboard's address is printed once it is ready.\n`);
    child = spawn(process.execPath, [join(root, 'bin', 'ar-emulator.mjs'), 'start', ...args], { stdio: 'inherit' });
  } else {
    const electron = process.env.ELECTRON_BIN || join(root, 'node_modules', 'electron', 'dist', 'electron');
    child = spawn(electron, [join(root, 'dist', 'main', 'app.js'), ...args], { stdio: 'inherit' });
  }
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
