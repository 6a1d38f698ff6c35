// The part of Electron's API that main/ uses, declared locally: the electron package cannot be installed
// here (its postinstall downloads the binary from GitHub). Signatures follow Electron 41's electron.d.ts;
// delete this file once `electron` is a devDependency and its bundled types apply.
declare module 'electron' {
  interface EventLike {
    preventDefault(): void;
  }

  interface WebFrameMain {
    readonly url: string;
    readonly parent: WebFrameMain | null;
  }

  interface WebContents {
    readonly id: number;
    send(channel: string, ...args: unknown[]): void;
    on(event: 'will-navigate', listener: (event: EventLike, url: string) => void): this;
    on(event: 'did-finish-load' | 'destroyed', listener: () => void): this;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
    isDestroyed(): boolean;
  }

  interface WebPreferences {
    preload?: string;
    contextIsolation?: boolean;
    sandbox?: boolean;
    nodeIntegration?: boolean;
    nodeIntegrationInSubFrames?: boolean;
    webSecurity?: boolean;
    allowRunningInsecureContent?: boolean;
    webviewTag?: boolean;
    spellcheck?: boolean;
  }

  interface BrowserWindowConstructorOptions {
    width?: number;
    height?: number;
    minWidth?: number;
    minHeight?: number;
    show?: boolean;
    title?: string;
    icon?: string;
    backgroundColor?: string;
    autoHideMenuBar?: boolean;
    webPreferences?: WebPreferences;
  }

  class BrowserWindow {
    constructor(options?: BrowserWindowConstructorOptions);
    readonly webContents: WebContents;
    loadURL(url: string): Promise<void>;
    show(): void;
    hide(): void;
    focus(): void;
    restore(): void;
    isMinimized(): boolean;
    isDestroyed(): boolean;
    on(event: 'close', listener: (event: EventLike) => void): this;
    on(event: 'closed' | 'ready-to-show', listener: () => void): this;
  }

  interface NativeImage {
    setTemplateImage(option: boolean): void;
    isEmpty(): boolean;
  }

  const nativeImage: { createFromPath(path: string): NativeImage };

  const nativeTheme: {
    readonly shouldUseDarkColors: boolean;
    on(event: 'updated', listener: () => void): void;
  };

  interface MenuItemConstructorOptions {
    id?: string;
    label?: string;
    type?: 'normal' | 'separator' | 'checkbox';
    enabled?: boolean;
    checked?: boolean;
    click?: () => void;
  }

  class Menu {
    static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu;
  }

  class Tray {
    constructor(image: NativeImage | string);
    setImage(image: NativeImage | string): void;
    setToolTip(toolTip: string): void;
    setContextMenu(menu: Menu | null): void;
    on(event: 'click', listener: () => void): this;
    destroy(): void;
  }

  interface NotificationConstructorOptions {
    title?: string;
    body?: string;
    silent?: boolean;
    icon?: string;
  }

  class Notification {
    constructor(options?: NotificationConstructorOptions);
    static isSupported(): boolean;
    show(): void;
    on(event: 'click', listener: () => void): this;
  }

  interface LoginItemSettings {
    openAtLogin: boolean;
  }

  const app: {
    readonly isPackaged: boolean;
    requestSingleInstanceLock(): boolean;
    whenReady(): Promise<void>;
    quit(): void;
    exit(code?: number): void;
    getPath(name: 'userData' | 'home'): string;
    getAppPath(): string;
    setLoginItemSettings(settings: { openAtLogin: boolean }): void;
    getLoginItemSettings(): LoginItemSettings;
    on(event: 'second-instance' | 'window-all-closed' | 'activate', listener: () => void): void;
    on(event: 'before-quit', listener: (event: EventLike) => void): void;
    readonly dock?: { hide(): void };
  };

  const clipboard: { writeText(text: string): void };

  const shell: {
    openPath(path: string): Promise<string>;
    openExternal(url: string): Promise<void>;
  };

  interface MessageBoxOptions {
    type?: 'none' | 'info' | 'error' | 'question' | 'warning';
    buttons?: string[];
    defaultId?: number;
    cancelId?: number;
    title?: string;
    message: string;
    detail?: string;
  }

  const dialog: {
    showMessageBox(options: MessageBoxOptions): Promise<{ response: number }>;
  };

  interface IpcMainInvokeEvent {
    readonly sender: WebContents;
    readonly senderFrame: WebFrameMain | null;
  }

  const ipcMain: {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
    removeHandler(channel: string): void;
  };

  interface IpcRendererEvent {
    readonly sender: unknown;
  }

  const ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
    removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
  };

  const contextBridge: {
    exposeInMainWorld(apiKey: string, api: unknown): void;
  };
}
