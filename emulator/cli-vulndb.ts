// `ar-emulator vulndb import FILE|DIR|ZIP…` and `ar-emulator vulndb [status]`: a client of a running emulator's
// advisory database (/_emulator/vulndb; emulator/control/vulndb-api.ts, emulator/scanning/). The files are read here,
// offline (OSV JSON files, directories of them, OSV's per-ecosystem zip dumps read entry by entry with the same limits
// as the emulator), and sent in batches of JSON arrays, so a dump of any size goes through with progress on stderr.
// The summary prints on stdout; exit status 1 when a document was rejected or the emulator refused or cannot be
// reached, 2 for usage errors.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { CliFailure, callEmulator } from './cli-client.js';
import { DEFAULT_IMPORT_LIMITS, documentOfJson, isZip, readZip, type SourceDocument } from './scanning/import-sources.js';
import type { ImportSummary, Rejection, VulnDbSummary } from './scanning/vulndb.js';

export const VULNDB_USAGE = `ar-emulator vulndb import FILE|DIR|ZIP… [--endpoint HOST:PORT]
       ar-emulator vulndb [status] [--endpoint HOST:PORT]`;

export const VULNDB_HELP = `  vulndb       imports OSV advisories (JSON files, folders of them, OSV's per-ecosystem zips) into the emulator's
               advisory database, offline; "status" prints its counts per ecosystem (docs/scanning.md)`;

const usage = (message: string) => new CliFailure(`${message}\nusage: ${VULNDB_USAGE}\n${VULNDB_HELP}`, 2);

/** A batch: at most this many documents, or about this many bytes of JSON (the endpoint takes 64 MiB). */
const BATCH_DOCS = 1000;
const BATCH_BYTES = 8 << 20;
/** A plain JSON file (one document or an array) may hold at most this much. */
const MAX_JSON_FILE_BYTES = 64 << 20;
const MAX_LISTED = 100;

export async function vulndbCommand(argv: string[]): Promise<number> {
  try {
    const { out, status } = await run(argv);
    process.stdout.write(out);
    return status;
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    process.stderr.write(`ar-emulator: ${err.message}\n`);
    return err.status;
  }
}

async function run(argv: string[]): Promise<{ out: string; status: number }> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { endpoint: { type: 'string', default: process.env.ARTIFACT_REGISTRY_EMULATOR_HOST || 'localhost:8088' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw usage((err as Error).message);
  }
  const endpoint = parsed.values.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const [sub, ...paths] = parsed.positionals;
  if (sub === undefined || sub === 'status') {
    if (paths.length) throw usage(`unexpected argument "${paths[0]}"`);
    return { out: formatStatus((await callEmulator(endpoint, 'GET', '/_emulator/vulndb')) as VulnDbSummary), status: 0 };
  }
  if (sub !== 'import') throw usage(`unknown vulndb command "${sub}" (import or status)`);
  if (!paths.length) throw usage('"vulndb import" needs at least one FILE, DIR or ZIP');
  const total = await importPaths(endpoint, paths);
  return { out: formatImport(total), status: total.rejected > 0 ? 1 : 0 };
}

/** Reads every path and sends its documents in batches; the summaries add up. */
export async function importPaths(endpoint: string, paths: string[]): Promise<ImportSummary> {
  const total: ImportSummary = { added: 0, updated: 0, unchanged: 0, skipped: 0, ignored: 0, rejected: 0, rejections: [], ignoredExamples: [], advisories: 0 };
  const reject = (r: Rejection) => {
    total.rejected++;
    if (total.rejections.length < MAX_LISTED) total.rejections.push(r);
  };
  let batch: SourceDocument[] = [];
  let batchBytes = 0;
  let sent = 0;
  const flush = async () => {
    if (!batch.length) return;
    const docs = batch;
    batch = [];
    batchBytes = 0;
    const s = (await callEmulator(endpoint, 'POST', '/_emulator/vulndb:import', docs.map((d) => d.doc))) as ImportSummary;
    for (const key of ['added', 'updated', 'unchanged', 'skipped', 'ignored'] as const) total[key] += s[key];
    // the emulator names array elements body[i]: put the file or zip entry back
    const local = (r: Rejection): Rejection => {
      const i = /^body\[(\d+)\]$/.exec(r.source ?? '')?.[1];
      return { ...r, ...(i !== undefined && docs[Number(i)] ? { source: docs[Number(i)]!.source } : {}) };
    };
    total.rejected += s.rejected - Math.min(s.rejected, s.rejections.length);
    for (const r of s.rejections) reject(local(r));
    for (const r of s.ignoredExamples) if (total.ignoredExamples.length < 10) total.ignoredExamples.push(local(r));
    total.advisories = s.advisories;
    sent += docs.length;
    process.stderr.write(`vulndb: ${sent} documents sent (added ${total.added}, updated ${total.updated}, rejected ${total.rejected})\n`);
  };
  const add = async (d: SourceDocument) => {
    if (d.problem !== undefined) return reject({ source: d.source, reason: d.problem });
    const size = JSON.stringify(d.doc).length;
    if (batch.length && (batch.length >= BATCH_DOCS || batchBytes + size > BATCH_BYTES)) await flush();
    batch.push(d);
    batchBytes += size;
  };

  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      throw new CliFailure(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1);
    }
    if (info.isDirectory()) {
      for await (const file of walk(path)) await importFile(file, relative(path, file) || file, add, reject);
    } else {
      await importFile(path, path, add, reject);
    }
  }
  await flush();
  if (!sent) total.advisories = ((await callEmulator(endpoint, 'GET', '/_emulator/vulndb')) as VulnDbSummary).advisories;
  return total;
}

async function importFile(path: string, source: string, add: (d: SourceDocument) => Promise<void>, reject: (r: Rejection) => void): Promise<void> {
  const head = Buffer.alloc(4);
  const fh = await open(path, 'r');
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (isZip(head)) {
    process.stderr.write(`vulndb: reading ${source}\n`);
    try {
      await readZip({ path }, DEFAULT_IMPORT_LIMITS, (d) => add({ ...d, source: `${source}:${d.source}` }));
    } catch (err) {
      throw new CliFailure(`${source}: ${(err as Error).message}`, 1);
    }
    return;
  }
  if (!path.toLowerCase().endsWith('.json')) return reject({ source, reason: 'neither a zip nor a .json file' });
  const size = (await stat(path)).size;
  if (size > MAX_JSON_FILE_BYTES) return reject({ source, reason: `${size} bytes; a JSON file may hold at most ${MAX_JSON_FILE_BYTES}` });
  const d = documentOfJson(source, await readFile(path));
  if (Array.isArray(d.doc)) {
    for (let i = 0; i < d.doc.length; i++) await add({ source: `${source}[${i}]`, doc: d.doc[i] as unknown });
  } else {
    await add(d);
  }
}

/** The .json and .zip files below `dir` (symbolic links are not followed), in name order. */
async function* walk(dir: string, depth = 0): AsyncGenerator<string> {
  if (depth > 16) return;
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, depth + 1);
    else if (e.isFile() && /\.(json|zip)$/i.test(e.name)) yield p;
  }
}

export function formatImport(s: ImportSummary): string {
  const lines = [`added ${s.added}, updated ${s.updated}, unchanged ${s.unchanged}, skipped ${s.skipped} (stored copy newer), ignored ${s.ignored} (no ecosystem the emulator matches), rejected ${s.rejected}`];
  for (const r of s.rejections) lines.push(`rejected: ${r.source ?? ''}${r.id ? ` (${r.id})` : ''}: ${r.reason}`);
  if (s.rejected > s.rejections.length) lines.push(`… and ${s.rejected - s.rejections.length} more rejected`);
  lines.push(`database: ${s.advisories} advisories`);
  return `${lines.join('\n')}\n`;
}

export function formatStatus(s: VulnDbSummary): string {
  const lines = [`advisories: ${s.advisories}${s.withdrawn ? ` (${s.withdrawn} withdrawn)` : ''}`];
  for (const [eco, n] of Object.entries(s.ecosystems).sort()) lines.push(`  ${eco}: ${n}`);
  if (s.lastImport) lines.push(`last import: ${s.lastImport.time} (added ${s.lastImport.added}, updated ${s.lastImport.updated}, rejected ${s.lastImport.rejected})`);
  if (s.seeded) lines.push(`seed loaded: ${s.seeded.time} (${s.seeded.advisories} advisories)`);
  return `${lines.join('\n')}\n`;
}
