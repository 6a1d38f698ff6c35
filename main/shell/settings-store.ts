// The shell's own settings (notifications, start at login), kept as JSON in Electron's userData folder.
// Unknown or malformed values fall back to the defaults; the file is only written when a setting changes.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ShellSettings } from '../ipc/contract.js';

export const DEFAULT_SETTINGS: ShellSettings = { notifyPushes: false, notifyViolations: true, notifyFailedPushes: true, openAtLogin: false };

export function parseSettings(json: string | undefined): ShellSettings {
  const out = { ...DEFAULT_SETTINGS };
  if (!json) return out;
  try {
    const raw = JSON.parse(json) as Record<string, unknown>;
    for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof ShellSettings>) {
      if (typeof raw[key] === 'boolean') out[key] = raw[key];
    }
  } catch {
    // a damaged settings file is not worth refusing to start over: defaults apply, and the next change rewrites it
  }
  return out;
}

export class SettingsStore {
  private value: ShellSettings;

  constructor(private readonly file: string) {
    let json: string | undefined;
    try {
      json = readFileSync(file, 'utf8');
    } catch {
      json = undefined;
    }
    this.value = parseSettings(json);
  }

  get(): ShellSettings {
    return this.value;
  }

  async update(patch: Partial<ShellSettings>): Promise<ShellSettings> {
    this.value = { ...this.value, ...patch };
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(this.file, JSON.stringify(this.value, null, 2));
    return this.value;
  }
}
