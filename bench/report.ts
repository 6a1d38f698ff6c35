// Turns the measurements into rows (emulator vs the reference peer, ratio, acceptance target), prints
// them as tables (Docker against distribution, npm against verdaccio) and builds the JSON document
// written to bench/results/latest.json.
import type { BlobResult } from './blob-bench.js';
import type { ManifestResult, Measured, Repeated } from './manifest-bench.js';
import type { InstallResult, NpmResult } from './npm-bench.js';
import type { NpmRemoteResult } from './npm-remote-bench.js';
import type { ScanResult } from './scan-bench.js';
import type { FixtureResult } from './fixture-bench.js';
import type { OsIndexResult } from './os-index-bench.js';
import type { StartupResult } from './startup-bench.js';

/** `upstream`: a direct install from the machine's configured npm registry (the npm-remote figures); `scanning off`: the scan figures' other repository */
export type PeerName = 'distribution' | 'verdaccio' | 'upstream' | 'scanning off' | 'bare node' | 'static tool';

export interface Row {
  figure: string;
  unit: string;
  emulator: number;
  /** the reference peer's figure (`peerName`) */
  peer: number;
  peerName: PeerName;
  /** which direction is better for the emulator column */
  better: 'higher' | 'lower';
  /** emulator / peer */
  ratio: number;
  target?: string;
  pass?: boolean;
  /** the table the row is printed in when not its peer's usual one (`npm-remote`) */
  group?: 'npm-remote' | 'scan' | 'fixture' | 'os-index';
  /** for a figure measured several times: min and max of each server's runs and of the per-run ratio */
  spread?: { emulator: [number, number]; peer: [number, number]; ratio: [number, number]; runs: number };
}

export interface Results {
  blob?: { emulator: BlobResult; distribution: BlobResult };
  manifest?: { emulator: ManifestResult; distribution: ManifestResult };
  startup?: { emulator: StartupResult; emulatorBin: StartupResult; emulatorTsx: StartupResult; distribution: StartupResult; nodeBaseline: StartupResult };
  /** the data dir the manifest figures left (reused by the startup figure) */
  stores?: { emulator: { files: number; bytes: number }; distribution: { files: number; bytes: number } };
  npm?: { emulator: NpmResult; verdaccio: NpmResult };
  /** npm install through a remote repository, against a direct install and verdaccio with an uplink */
  npmRemote?: NpmRemoteResult;
  /** one more package into a 2,000-package Apt and Yum repository (bench/os-index-bench.ts) */
  osIndex?: OsIndexResult;
  /** startEmulator() to its first answer, against a bare Node server (bench/fixture-bench.ts) */
  fixture?: FixtureResult;
  /** a 1 GiB image pushed with scanning on and off (bench/scan-bench.ts) */
  scan?: ScanResult;
}

export interface RowParams {
  blobMiB: number;
  chunkMiB: number;
  images: number;
  putReps: number;
  seedTags: number;
  concurrency: number;
  tagsTotal: number;
  npm: { deps: number; getPackages: number; versions: number; publishConcurrency: number; installReps: number };
}

const MB = 1e6;

export function buildRows(r: Results, p: RowParams): Row[] {
  const rows: Row[] = [];
  let peerName: PeerName = 'distribution';
  const add = (figure: string, unit: string, emulator: number, peer: number, better: Row['better'], target?: { text: string; pass: boolean }, spread?: Row['spread']) =>
    rows.push({ figure, unit, emulator, peer, peerName, better, ratio: emulator / peer, ...(target ? { target: target.text, pass: target.pass } : {}), ...(spread ? { spread } : {}) });
  const atLeast = (factor: number) => (e: number, d: number) => ({ text: `ratio ≥ ${factor.toFixed(1)}×`, pass: e / d >= factor });
  const atLeastPeer = atLeast(1);
  /** min–max of the runs of a repeated phase, for one field */
  const spreadOf = (e: Repeated, d: Repeated, field: keyof Measured): Row['spread'] => spreadOfRuns(e.runs.map((x) => x[field]), d.runs.map((x) => x[field]));

  if (r.blob) {
    const b = r.blob;
    add(`blob push, monolithic (${p.blobMiB} MiB)`, 'MiB/s', b.emulator.monolithicMiBs, b.distribution.monolithicMiBs, 'higher', atLeastPeer(b.emulator.monolithicMiBs, b.distribution.monolithicMiBs));
    add(`blob push, chunked (${p.chunkMiB} MiB PATCHes)`, 'MiB/s', b.emulator.chunkedMiBs, b.distribution.chunkedMiBs, 'higher', atLeastPeer(b.emulator.chunkedMiBs, b.distribution.chunkedMiBs));
    add(`blob pull (${p.blobMiB} MiB)`, 'MiB/s', b.emulator.pullMiBs, b.distribution.pullMiBs, 'higher', atLeastPeer(b.emulator.pullMiBs, b.distribution.pullMiBs));
    add('server CPU per GiB, push monolithic', 's/GiB', b.emulator.monolithicCpuSPerGiB, b.distribution.monolithicCpuSPerGiB, 'lower');
    add('server CPU per GiB, push chunked', 's/GiB', b.emulator.chunkedCpuSPerGiB, b.distribution.chunkedCpuSPerGiB, 'lower');
    add('server CPU per GiB, pull', 's/GiB', b.emulator.pullCpuSPerGiB, b.distribution.pullCpuSPerGiB, 'lower');
  }
  if (r.manifest) {
    const { emulator: me, distribution: md } = r.manifest;
    const runs = `${p.images} × ${p.putReps} runs, c=${p.concurrency}`;
    add(`manifest PUT, empty repo (${runs})`, 'req/s', me.putEmpty.ratePerSec, md.putEmpty.ratePerSec, 'higher', undefined, spreadOf(me.putEmpty, md.putEmpty, 'ratePerSec'));
    add('manifest PUT p50, empty repo', 'ms', me.putEmpty.p50Ms, md.putEmpty.p50Ms, 'lower', undefined, spreadOf(me.putEmpty, md.putEmpty, 'p50Ms'));
    add('manifest PUT p99, empty repo', 'ms', me.putEmpty.p99Ms, md.putEmpty.p99Ms, 'lower', undefined, spreadOf(me.putEmpty, md.putEmpty, 'p99Ms'));
    add('server CPU per manifest PUT, empty repo', 'ms', me.putEmpty.serverCpuMsPerReq, md.putEmpty.serverCpuMsPerReq, 'lower', undefined, spreadOf(me.putEmpty, md.putEmpty, 'serverCpuMsPerReq'));
    add(`seeding: 1 manifest tagged ${p.seedTags}×`, 'req/s', me.seed.ratePerSec, md.seed.ratePerSec, 'higher');
    add(`manifest PUT, repo with ${p.seedTags} tags (${runs})`, 'req/s', me.putSeeded.ratePerSec, md.putSeeded.ratePerSec, 'higher', undefined, spreadOf(me.putSeeded, md.putSeeded, 'ratePerSec'));
    add(`manifest PUT p50, repo with ${p.seedTags} tags`, 'ms', me.putSeeded.p50Ms, md.putSeeded.p50Ms, 'lower', undefined, spreadOf(me.putSeeded, md.putSeeded, 'p50Ms'));
    add(`manifest PUT p99, repo with ${p.seedTags} tags`, 'ms', me.putSeeded.p99Ms, md.putSeeded.p99Ms, 'lower', undefined, spreadOf(me.putSeeded, md.putSeeded, 'p99Ms'));
    add('server CPU per manifest PUT, repo with tags', 'ms', me.putSeeded.serverCpuMsPerReq, md.putSeeded.serverCpuMsPerReq, 'lower', undefined, spreadOf(me.putSeeded, md.putSeeded, 'serverCpuMsPerReq'));
    add(`PUT p99 ${p.seedTags}-tag / empty (each server)`, '×', me.p99Ratio, md.p99Ratio, 'lower', { text: 'emulator ≤ 2.0', pass: me.p99Ratio <= 2.0 });
    add(`manifest GET (${me.get.count} req, c=${p.concurrency})`, 'req/s', me.get.ratePerSec, md.get.ratePerSec, 'higher', atLeastPeer(me.get.ratePerSec, md.get.ratePerSec));
    add('manifest GET p50', 'ms', me.get.p50Ms, md.get.p50Ms, 'lower');
    add('manifest GET p99', 'ms', me.get.p99Ms, md.get.p99Ms, 'lower');
    add('server CPU per manifest GET', 'ms', me.get.serverCpuMsPerReq, md.get.serverCpuMsPerReq, 'lower');
  }
  if (r.stores) {
    add(`store after manifest figures: files`, 'files', r.stores.emulator.files, r.stores.distribution.files, 'lower');
    add(`store after manifest figures: size`, 'MB', r.stores.emulator.bytes / MB, r.stores.distribution.bytes / MB, 'lower');
  }
  if (r.startup) {
    const s = r.startup;
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
  }
  if (r.npm) {
    peerName = 'verdaccio';
    const { emulator: ne, verdaccio: nv } = r.npm;
    const twice = atLeast(2);
    const c = `c=${p.concurrency}`;
    const pk = `${p.npm.getPackages} packages × ${p.npm.versions} versions`;
    add(`npm packument GET, full (${pk}, ${c})`, 'req/s', ne.packumentFull.ratePerSec, nv.packumentFull.ratePerSec, 'higher', twice(ne.packumentFull.ratePerSec, nv.packumentFull.ratePerSec));
    add('npm packument GET p99, full', 'ms', ne.packumentFull.p99Ms, nv.packumentFull.p99Ms, 'lower');
    add('server CPU per packument GET, full', 'ms', ne.packumentFull.serverCpuMsPerReq, nv.packumentFull.serverCpuMsPerReq, 'lower');
    add('packument size, full', 'KB', ne.packumentFull.bytes / 1e3, nv.packumentFull.bytes / 1e3, 'lower');
    const notAbbrev = [ne, nv].some((x) => !x.packumentAbbreviated.abbreviated) ? ' [a server answered with the full document]' : '';
    add(`npm packument GET, abbreviated (${c})${notAbbrev}`, 'req/s', ne.packumentAbbreviated.ratePerSec, nv.packumentAbbreviated.ratePerSec, 'higher', twice(ne.packumentAbbreviated.ratePerSec, nv.packumentAbbreviated.ratePerSec));
    add('npm packument GET p99, abbreviated', 'ms', ne.packumentAbbreviated.p99Ms, nv.packumentAbbreviated.p99Ms, 'lower');
    add('server CPU per packument GET, abbreviated', 'ms', ne.packumentAbbreviated.serverCpuMsPerReq, nv.packumentAbbreviated.serverCpuMsPerReq, 'lower');
    add('packument size, abbreviated', 'KB', ne.packumentAbbreviated.bytes / 1e3, nv.packumentAbbreviated.bytes / 1e3, 'lower');
    add(`npm tarball GET (${(ne.tarball.bytes / 1e3).toFixed(1)} KB, ${c})`, 'req/s', ne.tarball.ratePerSec, nv.tarball.ratePerSec, 'higher', twice(ne.tarball.ratePerSec, nv.tarball.ratePerSec));
    add('npm tarball GET p99', 'ms', ne.tarball.p99Ms, nv.tarball.p99Ms, 'lower');
    add('server CPU per tarball GET', 'ms', ne.tarball.serverCpuMsPerReq, nv.tarball.serverCpuMsPerReq, 'lower');
    add(`npm publish, sequential (${ne.publishSequential.count})`, 'req/s', ne.publishSequential.ratePerSec, nv.publishSequential.ratePerSec, 'higher');
    add('npm publish p50, sequential', 'ms', ne.publishSequential.p50Ms, nv.publishSequential.p50Ms, 'lower');
    add(`npm publish, c=${p.npm.publishConcurrency} (${ne.publishConcurrent.count})`, 'req/s', ne.publishConcurrent.ratePerSec, nv.publishConcurrent.ratePerSec, 'higher');
    add(`npm publish p99, c=${p.npm.publishConcurrency}`, 'ms', ne.publishConcurrent.p99Ms, nv.publishConcurrent.p99Ms, 'lower');
    add('server CPU per publish', 'ms', ne.publishConcurrent.serverCpuMsPerReq, nv.publishConcurrent.serverCpuMsPerReq, 'lower');
    const install = (e: InstallResult, v: InstallResult) => spreadOfRuns(e.runs, v.runs);
    add(`npm install, ${p.npm.deps} packages, cold (median of ${p.npm.installReps})`, 'ms', ne.installCold.ms, nv.installCold.ms, 'lower', undefined, install(ne.installCold, nv.installCold));
    add(`npm install, ${p.npm.deps} packages, warm (median of ${p.npm.installReps})`, 'ms', ne.installWarm.ms, nv.installWarm.ms, 'lower', undefined, install(ne.installWarm, nv.installWarm));
  }
  if (r.npmRemote) {
    const x = r.npmRemote;
    const tree = `${x.packages} packages, fresh npm cache`;
    const remoteRow = (figure: string, emulator: number, peer: number, name: PeerName, target?: { text: string; pass: boolean }, spread?: Row['spread']) => {
      peerName = name;
      add(figure, 'ms', emulator, peer, 'lower', target, spread);
      rows[rows.length - 1]!.group = 'npm-remote';
    };
    const warmTarget = { text: 'ratio ≤ 1.0×', pass: x.emulatorWarm.ms <= x.direct.ms };
    remoteRow(`npm install via remote, warm (${tree}, median of ${x.emulatorWarm.runs.length})`, x.emulatorWarm.ms, x.direct.ms, 'upstream', warmTarget, spreadOfMedians(x.emulatorWarm.runs, x.direct.runs));
    remoteRow(`npm install via remote, first fetch (${tree}, 1 run)`, x.emulatorCold, x.direct.ms, 'upstream');
    remoteRow(`verdaccio uplink, first fetch (${tree}, 1 run) [verdaccio / direct]`, x.verdaccioCold, x.direct.ms, 'upstream');
    remoteRow(`npm install via remote vs verdaccio uplink, warm (median of ${x.emulatorWarm.runs.length})`, x.emulatorWarm.ms, x.verdaccioWarm.ms, 'verdaccio', undefined, spreadOfMedians(x.emulatorWarm.runs, x.verdaccioWarm.runs));
    remoteRow('npm install via remote vs verdaccio uplink, first fetch', x.emulatorCold, x.verdaccioCold, 'verdaccio');
  }
  if (r.scan) {
    const x = r.scan;
    peerName = 'scanning off';
    const n = x.runs.pushOnMs.length;
    const scanRow = (figure: string, unit: string, on: number, off: number, better: Row['better'], target?: { text: string; pass: boolean }, spread?: Row['spread']) => {
      add(figure, unit, on, off, better, target, spread);
      rows[rows.length - 1]!.group = 'scan';
    };
    const mib = (x.layerBytes / 2 ** 20).toFixed(0);
    scanRow(`push of a ${mib} MiB image (upload → manifest 201, median of ${n})`, 'ms', x.pushOnMs, x.pushOffMs, 'lower', { text: 'ratio ≤ 1.05×', pass: x.pushOnMs <= 1.05 * x.pushOffMs }, spreadOfRuns(x.runs.pushOnMs, x.runs.pushOffMs));
    scanRow('server CPU per push', 's', x.pushOnCpuS, x.pushOffCpuS, 'lower', undefined, spreadOfRuns(x.runs.pushOnCpuS, x.runs.pushOffCpuS));
    scanRow(`scan: manifest 201 → scan.completed (${x.findings} findings)`, 'ms', x.scanMs, NaN, 'lower', undefined, spreadOfRuns(x.runs.scanMs, x.runs.scanMs.map(() => NaN)));
    scanRow('server CPU per scan', 's', x.scanCpuS, NaN, 'lower');
    scanRow('idle RSS before the pushes (same process)', 'MB', x.idleRssBytes / MB, x.idleRssBytes / MB, 'lower');
    const bound = x.idleRssBytes + 256 * MB;
    scanRow('peak RSS during a run (VmHWM; on: push + scan)', 'MB', x.peakOnBytes / MB, x.peakOffBytes / MB, 'lower', { text: 'on ≤ idle + 256 MB', pass: x.peakOnBytes <= bound }, spreadOfRuns(x.runs.hwmOn.map((b) => b / MB), x.runs.hwmOff.map((b) => b / MB)));
    scanRow('peak RSS growth over idle', 'MB', (x.peakOnBytes - x.idleRssBytes) / MB, (x.peakOffBytes - x.idleRssBytes) / MB, 'lower');
  }
  if (r.osIndex) {
    const x = r.osIndex;
    peerName = 'static tool';
    const n = x.apt.runs.emulatorMs.length;
    add(`Apt: one more .deb into ${x.packages} → InRelease + Packages.gz served (median of ${n}) [peer: dpkg-scanpackages + gzip]`, 'ms', x.apt.emulatorMs, x.apt.peerMs, 'lower', { text: 'ratio ≤ 1.0×', pass: x.apt.emulatorMs <= x.apt.peerMs }, spreadOfRuns(x.apt.runs.emulatorMs, x.apt.runs.peerMs));
    rows[rows.length - 1]!.group = 'os-index';
    add(`Yum: one more .rpm into ${x.packages} → repomd.xml + primary.xml.gz served (median of ${n}) [peer: ${x.yum.peerName}]`, 'ms', x.yum.emulatorMs, x.yum.peerMs, 'lower', Number.isNaN(x.yum.peerMs) ? undefined : { text: 'ratio ≤ 1.0×', pass: x.yum.emulatorMs <= x.yum.peerMs }, spreadOfRuns(x.yum.runs.emulatorMs, x.yum.runs.peerMs));
    rows[rows.length - 1]!.group = 'os-index';
  }
  if (r.fixture) {
    const x = r.fixture;
    peerName = 'bare node';
    add(`startEmulator() → first answer, in-process (median of ${x.runs.startMs.length})`, 'ms', x.startMs, x.bareMs, 'lower', { text: 'emulator ≤ 300 ms', pass: x.startMs <= 300 }, spreadOfRuns(x.runs.startMs, x.runs.bareMs));
    rows[rows.length - 1]!.group = 'fixture';
    add('stop() with its temp data dir removed', 'ms', x.stopMs, NaN, 'lower', undefined, spreadOfRuns(x.runs.stopMs, x.runs.stopMs.map(() => NaN)));
    rows[rows.length - 1]!.group = 'fixture';
  }
  return rows;
}

/** min–max of each side's runs and of the per-run ratio when both sides ran equally often (else of the medians). */
function spreadOfMedians(e: number[], d: number[]): Row['spread'] {
  if (e.length === d.length) return spreadOfRuns(e, d);
  const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  return { emulator: range(e), peer: range(d), ratio: [Math.min(...e) / Math.max(...d), Math.max(...e) / Math.min(...d)], runs: Math.min(e.length, d.length) };
}

/** min–max of each server's runs and of the ratio of the runs made back to back (run i against run i). */
function spreadOfRuns(e: number[], d: number[]): Row['spread'] {
  const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  const ratios = e.map((x, i) => x / d[i]!);
  return { emulator: range(e), peer: range(d), ratio: range(ratios), runs: e.length };
}

/** A markdown table of rows that share one peer; the spread columns appear when some row has runs. */
export function formatTable(rows: Row[]): string {
  const peer = rows[0]?.peerName ?? 'distribution';
  const short = peer === 'distribution' ? 'dist' : peer === 'verdaccio' ? 'verd' : peer === 'scanning off' ? 'off' : peer === 'bare node' ? 'node' : peer === 'static tool' ? 'tool' : 'up';
  const withSpread = rows.some((r) => r.spread);
  const header = ['figure', 'unit', 'emulator', peer, `emu/${short}`, 'better', 'target', 'ok', ...(withSpread ? ['emulator runs', `${peer} runs`, 'ratio runs'] : [])];
  const range = ([a, b]: [number, number], suffix = '') => (Number.isNaN(a) && Number.isNaN(b) ? '–' : `${num(a)}–${num(b)}${suffix}`);
  const body = rows.map((r) => [
    r.figure,
    r.unit,
    num(r.emulator),
    num(r.peer),
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '–',
    r.better === 'higher' ? 'higher' : 'lower',
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
    ...(withSpread ? (r.spread ? [range(r.spread.emulator), range(r.spread.peer), Number.isFinite(r.spread.ratio[0]) ? `${r.spread.ratio[0].toFixed(2)}–${r.spread.ratio[1].toFixed(2)}×` : '–'] : ['', '', '']) : []),
  ]);
  const right = (i: number) => (i >= 2 && i <= 4) || i >= 8;
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (right(i) ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(header), rule, ...body.map(line)].join('\n');
}

function num(n: number): string {
  if (Number.isNaN(n)) return '–';
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
