// The tray's menu, tooltip and icon as pure functions of the shell's state; tray.ts turns them into Electron
// objects. Items: endpoint (copies), open dashboard, copy env exports, pause/resume, data folder, reset…,
// start at login, quit.
import type { ShellSettings, ShellStatus } from '../ipc/contract.js';

export type TrayAction =
  | 'copyEndpoint' | 'openDashboard' | 'copyEnvExports' | 'pause' | 'resume' | 'openDataDir' | 'reset' | 'toggleOpenAtLogin' | 'quit';

export interface TrayMenuItem {
  id: string;
  type: 'normal' | 'separator' | 'checkbox';
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  action?: TrayAction;
}

const sep = (id: string): TrayMenuItem => ({ id, type: 'separator' });

export function endpointOf(status: ShellStatus): string | undefined {
  return status.port ? `localhost:${status.port}` : undefined;
}

export function envExports(status: ShellStatus): string | undefined {
  const endpoint = endpointOf(status);
  return endpoint ? `export ARTIFACT_REGISTRY_EMULATOR_HOST=${endpoint}` : undefined;
}

export function buildTrayMenu(status: ShellStatus, settings: ShellSettings): TrayMenuItem[] {
  const endpoint = endpointOf(status);
  const running = status.state === 'running';
  const items: TrayMenuItem[] = [
    { id: 'status', type: 'normal', label: statusLine(status), enabled: false },
    { id: 'endpoint', type: 'normal', label: endpoint ? `${endpoint}  (click to copy)` : 'No endpoint yet', enabled: Boolean(endpoint), action: 'copyEndpoint' },
    sep('s1'),
    { id: 'dashboard', type: 'normal', label: 'Open dashboard', enabled: running, action: 'openDashboard' },
    { id: 'env', type: 'normal', label: 'Copy env exports', enabled: Boolean(endpoint), action: 'copyEnvExports' },
    status.state === 'paused' || status.state === 'error'
      ? { id: 'resume', type: 'normal', label: status.state === 'error' ? 'Restart emulator' : 'Resume emulator', action: 'resume' }
      : { id: 'pause', type: 'normal', label: 'Pause emulator', enabled: running, action: 'pause' },
    { id: 'data', type: 'normal', label: 'Open data folder', action: 'openDataDir' },
    { id: 'reset', type: 'normal', label: 'Reset…', enabled: status.state !== 'starting', action: 'reset' },
    sep('s2'),
    { id: 'login', type: 'checkbox', label: 'Start at login', checked: settings.openAtLogin, action: 'toggleOpenAtLogin' },
    sep('s3'),
    { id: 'quit', type: 'normal', label: 'Quit', action: 'quit' },
  ];
  return items;
}

export function statusLine(status: ShellStatus): string {
  switch (status.state) {
    case 'running':
      return `Running on ${endpointOf(status) ?? status.url ?? ''}`.trim();
    case 'paused':
      return 'Paused';
    case 'error':
      return `Error: ${(status.message ?? 'unknown').slice(0, 80)}`;
    default:
      return 'Starting…';
  }
}

export function trayTooltip(status: ShellStatus): string {
  return `Artifact Registry emulator: ${statusLine(status)}`;
}

/**
 * The tray image file for a state. macOS gets template images (the system tints them for light and dark
 * menu bars); elsewhere the glyph colour follows the theme: dark glyph on light panels, light on dark.
 */
export function trayIconFile(state: ShellStatus['state'], darkTheme: boolean, platform: string): string {
  const variant = state === 'paused' ? '-paused' : state === 'error' ? '-error' : '';
  if (platform === 'darwin') return `trayTemplate${variant}.png`;
  return `tray${variant}-${darkTheme ? 'dark' : 'light'}.png`;
}
