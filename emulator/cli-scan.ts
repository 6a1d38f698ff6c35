// `ar-emulator scan IMAGE [--location LOC] [--json] [--endpoint HOST:PORT]`: scans an image stored in a running
// emulator now (POST /_emulator/scans; docs/scanning.md) and prints its findings, worst first. IMAGE is
// `[HOST/]PROJECT/REPOSITORY/IMAGE@sha256:…` or `…:TAG`; a `LOCATION-docker.pkg.dev` HOST names the location, else
// --location does, else the emulator finds the repository as the registry does. Exit status 0 when the scan
// finished (findings or not), 1 when it failed or the emulator refused or cannot be reached, 2 for usage errors.
import { parseArgs } from 'node:util';
import { CliFailure, callEmulator } from './cli-client.js';

export const SCAN_USAGE = 'ar-emulator scan [HOST/]PROJECT/REPOSITORY/IMAGE(@sha256:…|:TAG) [--location LOC] [--json] [--endpoint HOST:PORT]';
export const SCAN_HELP = `  scan         scans an image stored in the emulator now against its advisory database and prints the findings
               (severity, advisory, package, installed and fixed versions; docs/scanning.md)`;

const usage = (message: string) => new CliFailure(`${message}\nusage: ${SCAN_USAGE}`, 2);

interface ScanAnswer {
  resourceUri: string;
  status: string;
  reason?: string;
  total: number;
  fixable: number;
  counts: Record<string, number>;
  occurrences: Array<{
    vulnerability?: {
      severity?: string;
      shortDescription: string;
      packageIssue: Array<{ affectedPackage: string; affectedVersion: { fullName?: string }; fixedVersion: { kind: string; fullName?: string }; packageType: string; fileLocation: Array<{ filePath: string }> }>;
    };
  }>;
}

/** `[HOST/]P/R/IMAGE@sha256:…` or `:TAG` → the request body of POST /_emulator/scans. */
export function scanTarget(ref: string, location: string | undefined): Record<string, string> {
  const parts = ref.split('/');
  let loc = location;
  if (parts.length > 3 && /[.:]|^localhost$/.test(parts[0]!)) {
    const host = parts.shift()!;
    const m = /^([a-z0-9-]+)-docker\.pkg\.dev(?::\d+)?$/.exec(host);
    if (m && !loc) loc = m[1];
  }
  if (parts.length < 3) throw usage(`"${ref}" does not name an image: PROJECT/REPOSITORY/IMAGE@sha256:… or …:TAG`);
  const [project, repository, ...rest] = parts as [string, string, ...string[]];
  let image = rest.join('/');
  const body: Record<string, string> = { project, repository };
  const at = image.indexOf('@');
  if (at >= 0) {
    body.digest = image.slice(at + 1);
    image = image.slice(0, at);
  } else {
    const colon = image.lastIndexOf(':');
    if (colon <= 0) throw usage(`"${ref}" names no digest or tag: add @sha256:… or :TAG`);
    body.tag = image.slice(colon + 1);
    image = image.slice(0, colon);
  }
  body.image = image;
  if (loc) body.location = loc;
  return body;
}

const ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'MINIMAL', 'SEVERITY_UNSPECIFIED'];

export function formatScan(a: ScanAnswer): string {
  const counts = ORDER.filter((s) => a.counts[s]).map((s) => `${a.counts[s]} ${s === 'SEVERITY_UNSPECIFIED' ? 'unspecified' : s}`);
  const head = `${a.resourceUri}: ${a.status}${a.reason ? ` (${a.reason})` : ''}, ${a.total} finding${a.total === 1 ? '' : 's'}` +
    `${counts.length ? ` (${counts.join(', ')})` : ''}, ${a.fixable} fixable\n`;
  const rows: string[][] = [];
  for (const o of a.occurrences) {
    const v = o.vulnerability;
    if (!v) continue;
    for (const p of v.packageIssue) {
      rows.push([v.severity ?? 'UNSPECIFIED', v.shortDescription, p.affectedPackage, p.affectedVersion.fullName ?? '', p.fixedVersion.kind === 'MAXIMUM' ? '(no fix)' : p.fixedVersion.fullName ?? '', p.packageType, p.fileLocation[0]?.filePath ?? '']);
    }
  }
  if (!rows.length) return head;
  const rank = (s: string) => (ORDER.indexOf(s) < 0 ? ORDER.length : ORDER.indexOf(s));
  rows.sort((x, y) => rank(x[0]!) - rank(y[0]!) || (x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0));
  const table = [['SEVERITY', 'ADVISORY', 'PACKAGE', 'INSTALLED', 'FIXED', 'TYPE', 'FILE'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return head + table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export async function scanCommand(argv: string[]): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          endpoint: { type: 'string', default: process.env.ARTIFACT_REGISTRY_EMULATOR_HOST || 'localhost:8088' },
          location: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw usage((err as Error).message);
    }
    if (parsed.positionals.length !== 1) throw usage(parsed.positionals.length ? `unexpected argument "${parsed.positionals[1]}"` : 'scan needs an IMAGE');
    const endpoint = parsed.values.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const answer = (await callEmulator(endpoint, 'POST', '/_emulator/scans', scanTarget(parsed.positionals[0]!, parsed.values.location))) as ScanAnswer;
    process.stdout.write(parsed.values.json ? `${JSON.stringify(answer, null, 2)}\n` : formatScan(answer));
    return answer.status === 'FINISHED_FAILED' ? 1 : 0;
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    process.stderr.write(`ar-emulator: ${err.message}\n`);
    return err.status;
  }
}
