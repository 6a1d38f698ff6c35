// The tray menu, tooltip and icon as functions of the shell's state.
import { describe, expect, it } from 'vitest';
import type { ShellSettings, ShellStatus } from '../ipc/contract.js';
import { buildTrayMenu, envExports, trayIconFile, trayTooltip } from './tray-menu.js';

const settings: ShellSettings = { notifyPushes: false, notifyViolations: true, notifyFailedPushes: true, openAtLogin: false };
const running: ShellStatus = { state: 'running', url: 'http://127.0.0.1:8088', port: 8088, dataDir: '/d' };
const byId = (status: ShellStatus, s = settings) => new Map(buildTrayMenu(status, s).map((i) => [i.id, i]));

describe('buildTrayMenu', () => {
  it('offers every item of the issue, in order, while running', () => {
    const labels = buildTrayMenu(running, settings).filter((i) => i.type !== 'separator').map((i) => i.label);
    expect(labels).toEqual(['Running on localhost:8088', 'localhost:8088  (click to copy)', 'Open dashboard', 'Copy env exports', 'Pause emulator', 'Open data folder', 'Reset…', 'Start at login', 'Quit']);
    expect(byId(running).get('endpoint')?.action).toBe('copyEndpoint');
    expect(byId(running).get('dashboard')?.enabled).toBe(true);
  });

  it('offers resume instead of pause, and no dashboard, while paused', () => {
    const items = byId({ ...running, state: 'paused' });
    expect(items.has('pause')).toBe(false);
    expect(items.get('resume')).toMatchObject({ label: 'Resume emulator', action: 'resume' });
    expect(items.get('dashboard')?.enabled).toBe(false);
    expect(items.get('status')?.label).toBe('Paused');
  });

  it('shows the error and offers a restart after a failed start', () => {
    const items = byId({ state: 'error', dataDir: '/d', message: 'listen EADDRINUSE 127.0.0.1:8088' });
    expect(items.get('status')?.label).toBe('Error: listen EADDRINUSE 127.0.0.1:8088');
    expect(items.get('resume')?.label).toBe('Restart emulator');
    expect(items.get('endpoint')?.enabled).toBe(false);
    expect(items.get('env')?.enabled).toBe(false);
  });

  it('disables pause and reset while starting', () => {
    const items = byId({ state: 'starting', dataDir: '/d' });
    expect(items.get('pause')?.enabled).toBe(false);
    expect(items.get('reset')?.enabled).toBe(false);
  });

  it('checks "Start at login" from the settings', () => {
    expect(byId(running, { ...settings, openAtLogin: true }).get('login')).toMatchObject({ type: 'checkbox', checked: true });
  });
});

describe('tray texts and icons', () => {
  it('copies the env export line for the endpoint', () => {
    expect(envExports(running)).toBe('export ARTIFACT_REGISTRY_EMULATOR_HOST=localhost:8088');
    expect(envExports({ state: 'starting', dataDir: '/d' })).toBeUndefined();
  });
  it('says the state in the tooltip', () => {
    expect(trayTooltip(running)).toBe('Artifact Registry emulator: Running on localhost:8088');
  });
  it('picks a template image on macOS and a theme-coloured image elsewhere', () => {
    expect(trayIconFile('running', true, 'darwin')).toBe('trayTemplate.png');
    expect(trayIconFile('paused', false, 'darwin')).toBe('trayTemplate-paused.png');
    expect(trayIconFile('error', true, 'linux')).toBe('tray-error-dark.png');
    expect(trayIconFile('running', false, 'win32')).toBe('tray-light.png');
  });
});
