// The Electron main process's composition root: one instance, the emulator in-process (createEmulator), the
// tray, notifications, the dashboard window and the IPC host. Logic lives in the modules it wires together.
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, clipboard, dialog, shell } from 'electron';
import { createEmulator, createLineLogger } from '../emulator/index.js';
import type { ShellSettings } from './ipc/contract.js';
import { registerIpcHost, RendererEvents } from './ipc/host.js';
import { NotificationRules } from './notifications/notification-rules.js';
import { Notifier } from './notifications/notifier.js';
import { EmulatorController } from './shell/emulator-controller.js';
import { canShowUi } from './shell/headless.js';
import { parseLaunchOptions } from './shell/launch-options.js';
import { SettingsStore } from './shell/settings-store.js';
import { claimSingleInstance } from './shell/single-instance.js';
import { endpointOf, envExports } from './tray/tray-menu.js';
import { TrayController } from './tray/tray.js';
import { DashboardWindow } from './windows/dashboard-window.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/main → the package root, where resources/ lives (inside the app archive when packaged) */
const root = join(here, '..', '..');
const resources = join(root, 'resources');
const logger = createLineLogger({ level: 'info', area: 'shell', sink: (line) => process.stdout.write(`${line}\n`) });

/** Deletes what is inside the data folder (not the folder itself, which may be a mount). */
async function emptyDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.map((e) => rm(join(dir, e), { recursive: true, force: true })));
}

async function main(): Promise<void> {
  const launch = parseLaunchOptions(process.argv.slice(1));
  const controller = new EmulatorController(
    createEmulator,
    { dataDir: launch.dataDir, host: launch.host, port: launch.port, defaultProject: launch.project, defaultLocation: launch.location, logger },
    emptyDir,
  );
  let quitting = false;
  const rendererEvents = new RendererEvents();
  const settings = new SettingsStore(join(app.getPath('userData'), 'settings.json'));
  const window = new DashboardWindow({
    preload: join(here, 'preload', 'preload.js'),
    icon: join(resources, 'icons', 'icon.png'),
    keepAlive: () => !quitting,
    onCreated: (win) => rendererEvents.attach(win.webContents),
  });
  const openDashboard = (route = '') => controller.status.url && window.show(controller.status.url, route);

  if (!claimSingleInstance(() => openDashboard())) return;
  await app.whenReady();
  app.dock?.hide();

  if (!canShowUi(process.env, process.platform)) {
    logger.warn('no display: running the emulator without tray or window');
    await controller.start();
    return;
  }

  const confirmReset = async () => {
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      buttons: ['Reset', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'Delete every repository, image and setting of the emulator?',
      detail: `Everything in ${controller.status.dataDir} is deleted. This cannot be undone.`,
    });
    if (response === 0) await controller.reset();
  };
  const setLogin = (openAtLogin: boolean) => app.setLoginItemSettings({ openAtLogin });
  const updateSettings = async (patch: Partial<ShellSettings>) => {
    const next = await settings.update(patch);
    if (patch.openAtLogin !== undefined) setLogin(next.openAtLogin);
    tray.refresh();
    return next;
  };

  const tray = new TrayController(resources, {
    copyEndpoint: () => clipboard.writeText(endpointOf(controller.status) ?? ''),
    openDashboard: () => openDashboard(),
    copyEnvExports: () => clipboard.writeText(envExports(controller.status) ?? ''),
    pause: () => void controller.pause(),
    resume: () => void controller.resume(),
    openDataDir: () => void shell.openPath(controller.status.dataDir),
    reset: () => void confirmReset(),
    toggleOpenAtLogin: () => void updateSettings({ openAtLogin: !settings.get().openAtLogin }),
    quit: () => app.quit(),
  });

  const rules = new NotificationRules(() => settings.get(), Date.now);
  const notifier = new Notifier(rules, Date.now, (notice) => openDashboard(notice.route));
  controller.onEvent((e) => notifier.offer(e));
  controller.onStatus((s) => {
    tray.update(s, settings.get());
    rendererEvents.send('emu:server.statusChanged', s);
  });

  const disposeIpc = registerIpcHost({
    dashboardOrigin: () => (controller.status.url ? new URL(controller.status.url).origin : undefined),
    logger,
    handlers: {
      'emu:server.getStatus': () => controller.status,
      'emu:server.pause': () => controller.pause(),
      'emu:server.resume': () => controller.resume(),
      'emu:server.restart': () => controller.restart(),
      'emu:shell.openDataDir': async () => void (await shell.openPath(controller.status.dataDir)),
      'emu:shell.copyText': (text) => clipboard.writeText(text),
      'emu:settings.get': () => settings.get(),
      'emu:settings.update': (patch) => updateSettings(patch),
      'emu:renderer.ready': () => rendererEvents.ready(),
    },
  });

  app.on('window-all-closed', () => undefined); // the tray keeps the app alive
  app.on('activate', () => openDashboard());
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    disposeIpc();
    notifier.dispose();
    void controller.stop().finally(() => {
      tray.destroy();
      app.exit(0);
    });
  });

  const status = await controller.start();
  tray.update(status, settings.get());
  if (status.state === 'running') {
    logger.info(`Artifact Registry emulator ready at ${status.url} (data: ${status.dataDir})`);
    openDashboard();
  }
}

void main().catch((err: unknown) => {
  logger.error('the desktop shell failed to start', { err });
  app.exit(1);
});
