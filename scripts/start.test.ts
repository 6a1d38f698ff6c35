// The launcher's desktop-or-headless decision.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { electronBinary, headlessReason } from './start.mjs';

describe('headlessReason', () => {
  it('runs headless without a display on Linux', () => {
    expect(headlessReason({}, 'linux', () => true)).toMatch(/no display/);
  });
  it('runs headless without an Electron binary', () => {
    expect(headlessReason({ DISPLAY: ':0' }, 'linux', () => false)).toMatch(/no Electron binary/);
  });
  it('opens the desktop app with a display, a binary and the shell', () => {
    expect(headlessReason({ DISPLAY: ':0', ELECTRON_BIN: '/x/electron' }, 'linux', () => true)).toBeUndefined();
    expect(headlessReason({}, 'darwin', () => true)).toBeUndefined();
  });
});

describe('electronBinary', () => {
  it('takes ELECTRON_BIN as it is and never fetches for it', () => {
    expect(electronBinary({ ELECTRON_BIN: '/x/electron' }, 'linux')).toEqual({ path: '/x/electron', fetchable: false });
  });
  it('reads the binary name from the path.txt the package installer writes', () => {
    expect(electronBinary({}, 'linux', () => 'electron\n').path).toMatch(/node_modules\/electron\/dist\/electron$/);
    expect(electronBinary({}, 'darwin', () => { throw new Error('ENOENT'); }).path).toMatch(/Electron\.app\/Contents\/MacOS\/Electron$/);
  });
});
