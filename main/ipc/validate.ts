// Checks on every IPC request before a handler runs: the channel is one the contract declares, the sender is
// the dashboard's own top frame on the emulator's origin, and the arguments have the contract's shape.
import type { IpcArgs, IpcError, IpcInvokeChannel, ShellSettings } from './contract.js';

type Validator<C extends IpcInvokeChannel> = (args: readonly unknown[]) => IpcArgs<C> | string;

const none = (args: readonly unknown[]): [] | string => (args.length === 0 ? [] : 'expects no arguments');
const SETTING_KEYS: ReadonlySet<string> = new Set<keyof ShellSettings>(['notifyPushes', 'notifyViolations', 'notifyFailedPushes', 'openAtLogin']);

/** One validator per channel: the mapped type makes a channel without a validator a compile error. */
export const VALIDATORS: { [C in IpcInvokeChannel]: Validator<C> } = {
  'emu:server.getStatus': none,
  'emu:server.pause': none,
  'emu:server.resume': none,
  'emu:server.restart': none,
  'emu:shell.openDataDir': none,
  'emu:settings.get': none,
  'emu:renderer.ready': none,
  'emu:shell.copyText': (args) => {
    const [text] = args;
    if (args.length !== 1 || typeof text !== 'string') return 'expects one string';
    if (text.length > 4096) return 'text is longer than 4096 characters';
    return [text];
  },
  'emu:settings.update': (args) => {
    const [patch] = args;
    if (args.length !== 1 || typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'expects one settings object';
    const out: Partial<ShellSettings> = {};
    for (const [k, v] of Object.entries(patch)) {
      if (!SETTING_KEYS.has(k)) return `unknown setting "${k.slice(0, 40)}"`;
      if (typeof v !== 'boolean') return `setting "${k}" must be true or false`;
      out[k as keyof ShellSettings] = v;
    }
    return [out];
  },
};

export const INVOKE_CHANNELS = Object.keys(VALIDATORS) as IpcInvokeChannel[];

export function isInvokeChannel(channel: string): channel is IpcInvokeChannel {
  return Object.prototype.hasOwnProperty.call(VALIDATORS, channel);
}

export type ValidatedArgs<C extends IpcInvokeChannel> = { ok: true; args: IpcArgs<C> } | { ok: false; error: IpcError };

export function validateArgs<C extends IpcInvokeChannel>(channel: C, args: readonly unknown[]): ValidatedArgs<C> {
  const result = (VALIDATORS[channel] as Validator<C>)(args);
  return typeof result === 'string' ? { ok: false, error: { code: 'INVALID_ARGUMENT', message: `${channel}: ${result}` } } : { ok: true, args: result };
}

/** A frame as Electron describes the sender of an IPC message. */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/**
 * Only the dashboard's top frame, loaded from the emulator's own origin, may call main (fiddle's ipc.ts and
 * VS Code's validatedIpcMain do the same); iframes and navigated-away pages are refused.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, dashboardOrigin: string | undefined): boolean {
  if (!frame || frame.parent !== null || !dashboardOrigin) return false;
  try {
    const url = new URL(frame.url);
    return url.origin === dashboardOrigin && url.pathname.startsWith('/ui/');
  } catch {
    return false;
  }
}
