// The IPC contract between the Electron main process and the dashboard: channel names (`emu:<area>.<verb>`)
// with their argument, result and event payload types. Type-only: no runtime code, no imports.

export type ServerState = 'starting' | 'running' | 'paused' | 'error';

export interface ShellStatus {
  state: ServerState;
  /** http://127.0.0.1:PORT while running or paused */
  url?: string;
  port?: number;
  dataDir: string;
  /** why the state is `error` */
  message?: string;
}

export interface ShellSettings {
  /** notify on every push (off by default: pushes are frequent) */
  notifyPushes: boolean;
  notifyViolations: boolean;
  notifyFailedPushes: boolean;
  openAtLogin: boolean;
}

/** Renderer → main requests (`ipcRenderer.invoke`). */
export interface IpcInvokeMap {
  'emu:server.getStatus': { args: []; result: ShellStatus };
  'emu:server.pause': { args: []; result: ShellStatus };
  'emu:server.resume': { args: []; result: ShellStatus };
  'emu:server.restart': { args: []; result: ShellStatus };
  'emu:shell.openDataDir': { args: []; result: void };
  'emu:shell.copyText': { args: [text: string]; result: void };
  'emu:settings.get': { args: []; result: ShellSettings };
  'emu:settings.update': { args: [patch: Partial<ShellSettings>]; result: ShellSettings };
  /** the dashboard is listening: main flushes the events it queued */
  'emu:renderer.ready': { args: []; result: void };
}

/** Main → renderer events (`webContents.send`), queued until `emu:renderer.ready`. */
export interface IpcEventMap {
  'emu:server.statusChanged': ShellStatus;
  'emu:shell.navigate': { route: string };
}

export type IpcInvokeChannel = keyof IpcInvokeMap;
export type IpcEventChannel = keyof IpcEventMap;
export type IpcArgs<C extends IpcInvokeChannel> = IpcInvokeMap[C]['args'];
export type IpcReturn<C extends IpcInvokeChannel> = IpcInvokeMap[C]['result'];

/** Errors cross the boundary as data: class identity is lost in structured cloning. */
export interface IpcError {
  code: 'UNKNOWN_CHANNEL' | 'INVALID_SENDER' | 'INVALID_ARGUMENT' | 'FAILED';
  message: string;
}

export type IpcResult<C extends IpcInvokeChannel> = { ok: true; value: IpcReturn<C> } | { ok: false; error: IpcError };

/** What the preload exposes as `window.emulatorShell`; derived from the maps above. */
export interface EmulatorShell {
  invoke<C extends IpcInvokeChannel>(channel: C, ...args: IpcArgs<C>): Promise<IpcReturn<C>>;
  on<E extends IpcEventChannel>(channel: E, listener: (payload: IpcEventMap[E]) => void): () => void;
}
