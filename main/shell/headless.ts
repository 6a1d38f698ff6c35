// Whether the desktop shell can open here: the same rules as scripts/start.mjs (a display, an Electron binary,
// a built shell), as a pure function of the environment so it can be tested and reused by main/app.ts.
import { join } from 'node:path';

export interface LaunchEnvironment {
  env: Record<string, string | undefined>;
  platform: string;
  /** the package root (where node_modules and dist live) */
  root: string;
  exists(path: string): boolean;
}

/** Why the desktop app cannot open here, or undefined when it can. */
export function headlessReason(e: LaunchEnvironment): string | undefined {
  const hasDisplay = e.platform === 'darwin' || e.platform === 'win32' || Boolean(e.env.DISPLAY || e.env.WAYLAND_DISPLAY);
  if (!hasDisplay) return 'no display (DISPLAY/WAYLAND_DISPLAY unset)';
  const electron = e.env.ELECTRON_BIN || join(e.root, 'node_modules', 'electron', 'dist', e.platform === 'win32' ? 'electron.exe' : 'electron');
  if (!e.exists(electron)) return 'no Electron binary (set ELECTRON_BIN, or install the electron package where its download works)';
  if (!e.exists(join(e.root, 'main', 'app.ts')) && !e.exists(join(e.root, 'dist', 'main', 'app.js'))) return 'the desktop shell (main/) is not part of this build';
  return undefined;
}

/**
 * Inside a running Electron process the binary obviously exists; only the display matters. Linux without
 * DISPLAY/WAYLAND_DISPLAY cannot show a window or a tray, so the shell runs the emulator without UI.
 */
export function canShowUi(env: Record<string, string | undefined>, platform: string): boolean {
  return platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
