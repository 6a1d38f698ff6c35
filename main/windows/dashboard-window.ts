// The dashboard window: the emulator's /ui in a locked-down BrowserWindow (context isolation, sandbox, no
// Node), kept on its origin (other navigations and new windows are refused), hidden rather than closed.
import { BrowserWindow, type WebPreferences } from 'electron';

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** Whether the window may navigate to `target`: only within the dashboard on the emulator's origin. */
export function isAllowedNavigation(target: string, origin: string): boolean {
  try {
    const url = new URL(target);
    return url.origin === origin && url.pathname.startsWith('/ui/');
  } catch {
    return false;
  }
}

export interface DashboardWindowOptions {
  preload: string;
  icon?: string;
  /** called with the new window's webContents, so IPC events can target it */
  onCreated(window: BrowserWindow): void;
  /** false while quitting: then closing really closes */
  keepAlive(): boolean;
}

export class DashboardWindow {
  private window: BrowserWindow | undefined;

  constructor(private readonly opts: DashboardWindowOptions) {}

  /** Shows the dashboard at `url` (http://HOST:PORT), creating the window if needed, and focuses it. */
  show(url: string, route = ''): void {
    const target = `${url}/ui/${route}`;
    if (!this.window || this.window.isDestroyed()) {
      this.window = this.create(url);
      void this.window.loadURL(target);
    } else if (route) {
      void this.window.loadURL(target);
    }
    if (this.window.isMinimized()) this.window.restore();
    this.window.show();
    this.window.focus();
  }

  get current(): BrowserWindow | undefined {
    return this.window && !this.window.isDestroyed() ? this.window : undefined;
  }

  private create(url: string): BrowserWindow {
    const origin = new URL(url).origin;
    const win = new BrowserWindow({
      width: 1180,
      height: 800,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'Artifact Registry emulator',
      icon: this.opts.icon,
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(this.opts.preload),
    });
    win.webContents.on('will-navigate', (event, target) => {
      if (!isAllowedNavigation(target, origin)) event.preventDefault();
    });
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.on('close', (event) => {
      if (this.opts.keepAlive()) {
        event.preventDefault();
        win.hide();
      }
    });
    win.on('closed', () => (this.window = undefined));
    this.opts.onCreated(win);
    return win;
  }
}
