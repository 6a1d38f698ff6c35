// The sandboxed preload: exposes `window.emulatorShell` (EmulatorShell of ipc/contract.ts) and nothing else;
// the page never sees ipcRenderer. CommonJS (preload/package.json), because sandboxed preloads cannot load ES
// modules or other local files, which is why the channel lists are inlined and type-checked against the contract.
import electron = require('electron');
import type { EmulatorShell, IpcError, IpcEventChannel, IpcInvokeChannel, IpcResult } from '../ipc/contract.js';

const { contextBridge, ipcRenderer } = electron;
type IpcRendererEvent = electron.IpcRendererEvent;

const INVOKE: Record<IpcInvokeChannel, true> = {
  'emu:server.getStatus': true,
  'emu:server.pause': true,
  'emu:server.resume': true,
  'emu:server.restart': true,
  'emu:shell.openDataDir': true,
  'emu:shell.copyText': true,
  'emu:settings.get': true,
  'emu:settings.update': true,
  'emu:renderer.ready': true,
};
const EVENTS: Record<IpcEventChannel, true> = { 'emu:server.statusChanged': true, 'emu:shell.navigate': true };

const refuse = (message: string): IpcError => ({ code: 'UNKNOWN_CHANNEL', message });

const api: EmulatorShell = {
  async invoke(channel, ...args) {
    if (!Object.prototype.hasOwnProperty.call(INVOKE, channel)) throw refuse(`unknown channel ${String(channel)}`);
    const result = (await ipcRenderer.invoke(channel, ...args)) as IpcResult<typeof channel>;
    if (!result.ok) throw result.error;
    return result.value;
  },
  on(channel, listener) {
    if (!Object.prototype.hasOwnProperty.call(EVENTS, channel)) throw refuse(`unknown event ${String(channel)}`);
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload as Parameters<typeof listener>[0]);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld('emulatorShell', api);
