// Typed access to `window.emulatorShell`, present only inside the Electron app; in a browser at /ui it is
// undefined and the dashboard hides the shell-only controls.
import type { EmulatorShell } from '../../main/ipc/contract.js';

declare global {
  interface Window {
    emulatorShell?: EmulatorShell;
  }
}

export function shell(): EmulatorShell | undefined {
  return window.emulatorShell;
}
