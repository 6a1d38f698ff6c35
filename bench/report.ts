// Turns the measurements into rows (emulator vs distribution, ratio, acceptance target), prints them as
// a table and builds the JSON document written to bench/results/latest.json.
import type { BlobResult } from './blob-bench.js';
import type { ManifestResult } from './manifest-bench.js';
import type { StartupResult } from './startup-bench.js';

export interface Row {
  figure: string;
  unit: string;
  emulator: number;
  distribution: number;
  /** which direction is better for the emulator column */
  better: 'higher' | 'lower';
  /** emulator / distribution */
  ratio: number;
  target?: string;
  pass?: boolean;
}

export interface Results {
  blob: { emulator: BlobResult; distribution: BlobResult };
  manifest: { emulator: ManifestResult; distribution: ManifestResult };
  startup: { emulator: StartupResult; emulatorBin: StartupResult; emulatorTsx: StartupResult; distribution: StartupResult; nodeBaseline: StartupResult };
  /** the data dir the manifest figures left (reused by the startup figure) */
  stores: { emulator: { files: number; bytes: number }; distribution: { files: number; bytes: number } };
}

const MB = 1e6;

export function buildRows(r: Results, p: { blobMiB: number; chunkMiB: number; images: number; seedTags: number; concurrency: number; tagsTotal: number }): Row[] {
  const rows: Row[] = [];
  const add = (figure: string, unit: string, emulator: number, distribution: number, better: Row['better'], target?: { text: string; pass: boolean }) =>
    rows.push({ figure, unit, emulator, distribution, better, ratio: emulator / distribution, ...(target ? { target: target.text, pass: target.pass } : {}) });
  const atLeastPeer = (e: number, d: number) => ({ text: 'ratio ≥ 1.0×', pass: e / d >= 1.0 });
  const { blob: b, manifest: m, startup: s } = r;

  add(`blob push, monolithic (${p.blobMiB} MiB)`, 'MiB/s', b.emulator.monolithicMiBs, b.distribution.monolithicMiBs, 'higher', atLeastPeer(b.emulator.monolithicMiBs, b.distribution.monolithicMiBs));
  add(`blob push, chunked (${p.chunkMiB} MiB PATCHes)`, 'MiB/s', b.emulator.chunkedMiBs, b.distribution.chunkedMiBs, 'higher', atLeastPeer(b.emulator.chunkedMiBs, b.distribution.chunkedMiBs));
  add(`blob pull (${p.blobMiB} MiB)`, 'MiB/s', b.emulator.pullMiBs, b.distribution.pullMiBs, 'higher', atLeastPeer(b.emulator.pullMiBs, b.distribution.pullMiBs));
  add('server CPU per GiB, push monolithic', 's/GiB', b.emulator.monolithicCpuSPerGiB, b.distribution.monolithicCpuSPerGiB, 'lower');
  add('server CPU per GiB, push chunked', 's/GiB', b.emulator.chunkedCpuSPerGiB, b.distribution.chunkedCpuSPerGiB, 'lower');
  add('server CPU per GiB, pull', 's/GiB', b.emulator.pullCpuSPerGiB, b.distribution.pullCpuSPerGiB, 'lower');
  add(`manifest PUT, empty repo (${p.images}, c=${p.concurrency})`, 'req/s', m.emulator.putEmpty.ratePerSec, m.distribution.putEmpty.ratePerSec, 'higher');
  add('manifest PUT p50, empty repo', 'ms', m.emulator.putEmpty.p50Ms, m.distribution.putEmpty.p50Ms, 'lower');
  add('manifest PUT p99, empty repo', 'ms', m.emulator.putEmpty.p99Ms, m.distribution.putEmpty.p99Ms, 'lower');
  add('server CPU per manifest PUT, empty repo', 'ms', m.emulator.putEmpty.serverCpuMsPerReq, m.distribution.putEmpty.serverCpuMsPerReq, 'lower');
  add(`seeding: 1 manifest tagged ${p.seedTags}×`, 'req/s', m.emulator.seed.ratePerSec, m.distribution.seed.ratePerSec, 'higher');
  add(`manifest PUT, repo with ${p.seedTags} tags`, 'req/s', m.emulator.putSeeded.ratePerSec, m.distribution.putSeeded.ratePerSec, 'higher');
  add(`manifest PUT p50, repo with ${p.seedTags} tags`, 'ms', m.emulator.putSeeded.p50Ms, m.distribution.putSeeded.p50Ms, 'lower');
  add(`manifest PUT p99, repo with ${p.seedTags} tags`, 'ms', m.emulator.putSeeded.p99Ms, m.distribution.putSeeded.p99Ms, 'lower');
  add(`PUT p99 ${p.seedTags}-tag / empty (each server)`, '×', m.emulator.p99Ratio, m.distribution.p99Ratio, 'lower', {
    text: 'emulator ≤ 2.0',
    pass: m.emulator.p99Ratio <= 2.0,
  });
  add(`manifest GET (${m.emulator.get.count} req, c=${p.concurrency})`, 'req/s', m.emulator.get.ratePerSec, m.distribution.get.ratePerSec, 'higher', atLeastPeer(m.emulator.get.ratePerSec, m.distribution.get.ratePerSec));
  add('manifest GET p50', 'ms', m.emulator.get.p50Ms, m.distribution.get.p50Ms, 'lower');
  add('manifest GET p99', 'ms', m.emulator.get.p99Ms, m.distribution.get.p99Ms, 'lower');
  add('server CPU per manifest GET', 'ms', m.emulator.get.serverCpuMsPerReq, m.distribution.get.serverCpuMsPerReq, 'lower');
  add(`store after manifest figures: files`, 'files', r.stores.emulator.files, r.stores.distribution.files, 'lower');
  add(`store after manifest figures: size`, 'MB', r.stores.emulator.bytes / MB, r.stores.distribution.bytes / MB, 'lower');
  add('startup, empty data dir (dist build)', 'ms', s.emulator.emptyMs, s.distribution.emptyMs, 'lower');
  add(`startup, ${p.tagsTotal} tags (dist build)`, 'ms', s.emulator.seededMs, s.distribution.seededMs, 'lower', {
    text: 'emulator ≤ 1000 ms',
    pass: s.emulator.seededMs <= 1000,
  });
  add('startup, empty data dir (bin/ar-emulator.mjs)', 'ms', s.emulatorBin.emptyMs, s.distribution.emptyMs, 'lower');
  add(`startup, ${p.tagsTotal} tags (bin/ar-emulator.mjs)`, 'ms', s.emulatorBin.seededMs, s.distribution.seededMs, 'lower');
  add('startup, empty data dir (tsx sources)', 'ms', s.emulatorTsx.emptyMs, s.distribution.emptyMs, 'lower');
  add(`startup, ${p.tagsTotal} tags (tsx sources)`, 'ms', s.emulatorTsx.seededMs, s.distribution.seededMs, 'lower');
  add('idle RSS, empty store (dist build)', 'MB', s.emulator.idleRssBytes / MB, s.distribution.idleRssBytes / MB, 'lower', {
    text: 'emulator ≤ 120 MB',
    pass: s.emulator.idleRssBytes <= 120 * MB,
  });
  add('idle RSS, empty store (tsx sources)', 'MB', s.emulatorTsx.idleRssBytes / MB, s.distribution.idleRssBytes / MB, 'lower');
  return rows;
}

export function formatTable(rows: Row[]): string {
  const header = ['figure', 'unit', 'emulator', 'distribution', 'emu/dist', 'better', 'target', 'ok'];
  const body = rows.map((r) => [
    r.figure,
    r.unit,
    num(r.emulator),
    num(r.distribution),
    `${r.ratio.toFixed(2)}×`,
    r.better === 'higher' ? 'higher' : 'lower',
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i >= 2 && i <= 4 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(header), rule, ...body.map(line)].join('\n');
}

function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
