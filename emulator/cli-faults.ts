// `ar-emulator faults list|add|clear` and `ar-emulator offline [on|off] [--repository R]`: small clients of a
// running emulator's fault injection and offline switches (/_emulator/faults, /_emulator/offline;
// emulator/control/faults-api.ts). The emulator's errors print as its message with exit status 1; usage errors exit 2.
import { parseArgs } from 'node:util';
import { CliFailure, callEmulator } from './cli-client.js';

export const FAULTS_USAGE = `ar-emulator faults list [--endpoint HOST:PORT]
       ar-emulator faults add --repository R --mode down|slow|status [--status 429] [--delay-ms N] [--for-seconds N] [--endpoint HOST:PORT]
       ar-emulator faults clear [--repository R] [--endpoint HOST:PORT]
       ar-emulator offline [on | off] [--repository R] [--endpoint HOST:PORT]`;

export const FAULTS_HELP = `  faults       injects upstream faults into a remote repository (R: projects/P/locations/L/repositories/R):
               down (no answer), slow (--delay-ms), status (answers --status); --for-seconds ends it (emulator time)
  offline      prints the offline switches; on/off switches all remote repositories, or one with --repository`;

const usage = (message: string) => new CliFailure(`${message}\nusage: ${FAULTS_USAGE}\n${FAULTS_HELP}`, 2);

interface FaultJson { repository: string; mode: string; status?: number; delayMs?: number; until?: string }

export async function faultsCommand(command: 'faults' | 'offline', argv: string[]): Promise<number> {
  try {
    process.stdout.write(await run(command, argv));
    return 0;
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    process.stderr.write(`ar-emulator: ${err.message}\n`);
    return err.status;
  }
}

async function run(command: 'faults' | 'offline', argv: string[]): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        endpoint: { type: 'string', default: process.env.ARTIFACT_REGISTRY_EMULATOR_HOST || 'localhost:8088' },
        repository: { type: 'string' },
        mode: { type: 'string' },
        status: { type: 'string' },
        'delay-ms': { type: 'string' },
        'for-seconds': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  const endpoint = values.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const [sub, ...extra] = positionals;
  if (extra.length) throw usage(`unexpected argument "${extra[0]}"`);
  const addOnly = (['mode', 'status', 'delay-ms', 'for-seconds'] as const).find((k) => values[k] !== undefined);
  if (addOnly && !(command === 'faults' && sub === 'add')) throw usage(`--${addOnly} belongs to "faults add"`);

  if (command === 'offline') {
    if (sub === undefined) {
      if (values.repository) throw usage('"offline" without on/off prints the switches; --repository goes with on or off');
      return formatOffline((await callEmulator(endpoint, 'GET', '/_emulator/offline')) as OfflineJson);
    }
    if (sub !== 'on' && sub !== 'off') throw usage(`unknown offline command "${sub}" (on or off)`);
    const body = { offline: sub === 'on', ...(values.repository ? { repository: values.repository } : {}) };
    return formatOffline((await callEmulator(endpoint, 'POST', '/_emulator/offline', body)) as OfflineJson);
  }

  if (sub === 'list' || sub === undefined) {
    if (values.repository) throw usage('"faults list" lists every fault; it takes no --repository');
    return formatFaults(((await callEmulator(endpoint, 'GET', '/_emulator/faults')) as { faults: FaultJson[] }).faults);
  }
  if (sub === 'clear') {
    const q = values.repository ? `?repository=${encodeURIComponent(values.repository)}` : '';
    await callEmulator(endpoint, 'DELETE', `/_emulator/faults${q}`);
    return values.repository ? `cleared the fault of ${values.repository}\n` : 'cleared all faults\n';
  }
  if (sub !== 'add') throw usage(`unknown faults command "${sub}" (list, add or clear)`);
  if (!values.repository) throw usage('"faults add" needs --repository projects/P/locations/L/repositories/R');
  if (!values.mode) throw usage('"faults add" needs --mode down, slow or status');
  const int = (flag: 'status' | 'delay-ms' | 'for-seconds'): number | undefined => {
    const v = values[flag];
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw usage(`--${flag} must be a whole number (got "${v}")`);
    return Number(v);
  };
  const body = {
    repository: values.repository, mode: values.mode,
    ...(values.status !== undefined ? { status: int('status') } : {}),
    ...(values['delay-ms'] !== undefined ? { delayMs: int('delay-ms') } : {}),
    ...(values['for-seconds'] !== undefined ? { forSeconds: int('for-seconds') } : {}),
  };
  const f = (await callEmulator(endpoint, 'POST', '/_emulator/faults', body)) as FaultJson;
  return `added: ${describeFault(f)}\n`;
}

interface OfflineJson { global: boolean; repositories: string[] }

/** `projects/…/repositories/R: down until 2026-…` / `…: answers 429` / `…: slow (+1500 ms)` */
export function describeFault(f: FaultJson): string {
  const what = f.mode === 'status' ? `answers HTTP ${f.status}` : f.mode === 'slow' ? `slow (+${f.delayMs} ms)` : 'down';
  return `${f.repository}: ${what}${f.until ? ` until ${f.until}` : ' until cleared'}`;
}

export function formatFaults(faults: FaultJson[]): string {
  return faults.length ? faults.map((f) => `${describeFault(f)}\n`).join('') : 'no faults\n';
}

export function formatOffline(s: OfflineJson): string {
  const lines = [`offline (all remote repositories): ${s.global ? 'on' : 'off'}`];
  for (const r of s.repositories) lines.push(`offline: ${r}`);
  return `${lines.join('\n')}\n`;
}
