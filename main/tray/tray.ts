// The tray icon: image and tooltip from the state, the menu from tray-menu.ts, clicks routed to actions.
// Follows the OS theme on Linux and Windows; macOS tints template images itself.
import { join } from 'node:path';
import { Menu, nativeImage, nativeTheme, Tray } from 'electron';
import type { ShellSettings, ShellStatus } from '../ipc/contract.js';
import { buildTrayMenu, trayIconFile, trayTooltip, type TrayAction } from './tray-menu.js';

export class TrayController {
  private readonly tray: Tray;
  private status: ShellStatus | undefined;
  private settings: ShellSettings | undefined;

  constructor(
    private readonly resourcesDir: string,
    private readonly actions: Record<TrayAction, () => void>,
    private readonly platform = process.platform,
  ) {
    this.tray = new Tray(this.image('starting'));
    this.tray.on('click', () => this.actions.openDashboard());
    nativeTheme.on('updated', () => this.status && this.tray.setImage(this.image(this.status.state)));
  }

  update(status: ShellStatus, settings: ShellSettings): void {
    this.status = status;
    this.settings = settings;
    this.tray.setImage(this.image(status.state));
    this.tray.setToolTip(trayTooltip(status));
    const template = buildTrayMenu(status, settings).map((item) => ({
      id: item.id,
      type: item.type,
      label: item.label,
      enabled: item.enabled,
      checked: item.checked,
      click: item.action ? this.actions[item.action] : undefined,
    }));
    this.tray.setContextMenu(Menu.buildFromTemplate(template));
  }

  refresh(): void {
    if (this.status && this.settings) this.update(this.status, this.settings);
  }

  destroy(): void {
    this.tray.destroy();
  }

  private image(state: ShellStatus['state']) {
    const img = nativeImage.createFromPath(join(this.resourcesDir, 'tray', trayIconFile(state, nativeTheme.shouldUseDarkColors, this.platform)));
    if (this.platform === 'darwin') img.setTemplateImage(true);
    return img;
  }
}
