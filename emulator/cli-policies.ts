// `ar-emulator clock`, `cleanup run` and `gc`: small clients of a running emulator's policy administration
// (POST/GET /_emulator/clock, POST /_emulator/cleanup:run, POST /_emulator/gc; emulator/control/policy-api.ts).
// The emulator's errors print as its message with exit status 1; usage errors exit 2.
import { parseArgs } from 'node:util';
import { CliFailure, callEmulator } from './cli-client.js';

export const POLICIES_USAGE = `ar-emulator clock [advance DURATION | set RFC3339 | reset] [--endpoint HOST:PORT]
       ar-emulator cleanup run --repository projects/P/locations/L/repositories/R [--dry-run | --no-dry-run] [--endpoint HOST:PORT]
       ar-emulator gc [--endpoint HOST:PORT]`;

/** What the commands do, for the USAGE text after the --endpoint line. */
export const POLICIES_HELP = `  clock        prints the emulator's time and its offset from real time; advance 30d | 2592000s | P30D, set 2027-01-01T00:00:00Z, reset
  cleanup run  runs the repository's cleanup policies now and prints what was (or in a dry run would be) deleted;
               --dry-run / --no-dry-run override the repository's cleanupPolicyDryRun for this run
  gc           deletes the blobs nothing references and prints what it reclaimed`;

/** A usage error (exit 2) or a failure (exit 1), printed as `ar-emulator: MESSAGE`. */
const usage = (message: string) => new CliFailure(`${message}\nusage: ${POLICIES_USAGE}\n${POLICIES_HELP}`, 2);

export async function policyCommand(command: 'clock' | 'cleanup' | 'gc', argv: string[]): Promise<number> {
  try {
    process.stdout.write(await run(command, argv));
    return 0;
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    process.stderr.write(`ar-emulator: ${err.message}\n`);
    return err.status;
  }
}

async function run(command: 'clock' | 'cleanup' | 'gc', argv: string[]): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        endpoint: { type: 'string', default: process.env.ARTIFACT_REGISTRY_EMULATOR_HOST || 'localhost:8088' },
        repository: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'no-dry-run': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  const endpoint = values.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (command !== 'cleanup' && (values.repository !== undefined || values['dry-run'] || values['no-dry-run'])) {
    throw usage(`--repository, --dry-run and --no-dry-run belong to "cleanup run", not "${command}"`);
  }
  if (command === 'clock') return clock(endpoint, positionals);
  if (command === 'gc') {
    if (positionals.length) throw usage(`"gc" takes no arguments (got "${positionals[0]}")`);
    const r = (await callEmulator(endpoint, 'POST', '/_emulator/gc', {})) as { blobsDeleted: number; bytesReclaimed: number };
    return `${r.blobsDeleted} blob${r.blobsDeleted === 1 ? '' : 's'} deleted, ${bytes(r.bytesReclaimed)} reclaimed\n`;
  }
  if (positionals[0] !== 'run' || positionals.length > 1) throw usage(positionals[0] === undefined ? '"cleanup" needs "run"' : `unknown cleanup command "${positionals.slice(0, 2).join(' ')}"`);
  if (!values.repository) throw usage('cleanup run needs --repository projects/P/locations/L/repositories/R');
  if (values['dry-run'] && values['no-dry-run']) throw usage('give --dry-run or --no-dry-run, not both');
  const dryRun = values['dry-run'] ? true : values['no-dry-run'] ? false : undefined;
  const report = (await callEmulator(endpoint, 'POST', '/_emulator/cleanup:run', { repository: values.repository, ...(dryRun === undefined ? {} : { dryRun }) })) as CleanupReport;
  return formatCleanupReport(report);
}

interface ClockState {
  now: string;
  offsetSeconds: number;
}

interface CleanupReport {
  repository: string;
  dryRun: boolean;
  deleted: Array<{ package: string; version: string; policy: string }>;
  keptCount: number;
  /** versions a policy chose that could not be deleted, with why */
  failed?: Array<{ package: string; version: string; reason: string }>;
}

async function clock(endpoint: string, args: string[]): Promise<string> {
  const [sub, value, ...extra] = args;
  if (extra.length) throw usage(`unexpected argument "${extra[0]}"`);
  let state: ClockState;
  if (sub === undefined) {
    state = (await callEmulator(endpoint, 'GET', '/_emulator/clock')) as ClockState;
  } else if (sub === 'reset') {
    if (value !== undefined) throw usage(`"clock reset" takes no value (got "${value}")`);
    state = (await callEmulator(endpoint, 'POST', '/_emulator/clock', { reset: true })) as ClockState;
  } else if (sub === 'advance' || sub === 'set') {
    if (value === undefined) throw usage(sub === 'advance' ? '"clock advance" needs a duration such as 30d or 2592000s' : '"clock set" needs an RFC 3339 time such as 2027-01-01T00:00:00Z');
    state = (await callEmulator(endpoint, 'POST', '/_emulator/clock', { [sub]: value })) as ClockState;
  } else {
    throw usage(`unknown clock command "${sub}"`);
  }
  return formatClock(state);
}

/** `now: 2027-01-01T00:00:00.000Z` and `offset: +30d 0h 0m 0s (2592000s)`, or `offset: 0s (real time)`. */
export function formatClock(state: ClockState): string {
  return `now:    ${state.now}\noffset: ${state.offsetSeconds === 0 ? '0s (real time)' : `${humanOffset(state.offsetSeconds)} (${state.offsetSeconds}s)`}\n`;
}

function humanOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  let s = Math.abs(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n || parts.length) parts.push(`${n}${unit}`);
  }
  parts.push(`${s}s`);
  return sign + parts.join(' ');
}

/** The report as a table (PACKAGE, VERSION, POLICY), then the counts. */
export function formatCleanupReport(r: CleanupReport): string {
  const rows = r.deleted.map((d) => [d.package, d.version, d.policy]);
  const head = ['PACKAGE', 'VERSION', 'POLICY'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  const table = rows.length ? [line(head), ...rows.map(line)].join('\n') + '\n' : '';
  const n = r.deleted.length;
  const summary = r.dryRun
    ? `${n} would be deleted (dry run: nothing was deleted), ${r.keptCount} kept`
    : `${n} deleted, ${r.keptCount} kept`;
  const failed = (r.failed ?? []).map((f) => `not deleted: ${f.package} ${f.version}: ${f.reason}\n`).join('');
  return `${table}${rows.length ? '\n' : ''}${failed}${r.repository}: ${summary}${r.failed?.length ? `, ${r.failed.length} failed` : ''}\n`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]} (${n} bytes)`;
}
