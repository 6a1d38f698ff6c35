// The headless-fallback decision: display, Electron binary and a built shell, the same rules as scripts/start.mjs.
import { describe, expect, it } from 'vitest';
import { canShowUi, headlessReason, type LaunchEnvironment } from './headless.js';
import { parseLaunchOptions } from './launch-options.js';

const env = (over: Partial<LaunchEnvironment> = {}, files: string[] = ['/r/node_modules/electron/dist/electron', '/r/dist/main/app.js']): LaunchEnvironment => ({
  env: { DISPLAY: ':0' },
  platform: 'linux',
  root: '/r',
  exists: (p) => files.includes(p),
  ...over,
});

describe('headlessReason', () => {
  it('opens the desktop app with a display, an Electron binary and a built shell', () => {
    expect(headlessReason(env())).toBeUndefined();
  });
  it('runs headless without a display on Linux, but not on macOS or Windows', () => {
    expect(headlessReason(env({ env: {} }))).toBe('no display (DISPLAY/WAYLAND_DISPLAY unset)');
    expect(headlessReason(env({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toBeUndefined();
    expect(headlessReason(env({ env: {}, platform: 'darwin' }))).toBeUndefined();
  });
  it('runs headless without an Electron binary, honouring ELECTRON_BIN', () => {
    expect(headlessReason(env({}, ['/r/dist/main/app.js']))).toMatch(/^no Electron binary/);
    expect(headlessReason(env({ env: { DISPLAY: ':0', ELECTRON_BIN: '/opt/e' } }, ['/opt/e', '/r/main/app.ts']))).toBeUndefined();
  });
  it('runs headless when the shell is not part of the build', () => {
    expect(headlessReason(env({}, ['/r/node_modules/electron/dist/electron']))).toBe('the desktop shell (main/) is not part of this build');
  });
  it('decides inside Electron on the display alone', () => {
    expect(canShowUi({}, 'linux')).toBe(false);
    expect(canShowUi({ DISPLAY: ':1' }, 'linux')).toBe(true);
    expect(canShowUi({}, 'win32')).toBe(true);
  });
});

describe('parseLaunchOptions', () => {
  it('uses the CLI defaults and reads --flag value and --flag=value', () => {
    expect(parseLaunchOptions([], '/home/u')).toEqual({ port: 8088, host: '127.0.0.1', dataDir: '/home/u/.ar-emulator/data', project: undefined, location: undefined });
    expect(parseLaunchOptions(['.', '--port', '0', '--data-dir=/tmp/d', '--project', 'p'], '/h')).toMatchObject({ port: 0, dataDir: '/tmp/d', project: 'p' });
    expect(parseLaunchOptions(['--port', 'abc'], '/h').port).toBe(8088);
  });
});
