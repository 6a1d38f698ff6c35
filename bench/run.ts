// `npm run bench`: measures the emulator against the CNCF distribution registry (the reference peer)
// on 127.0.0.1, prints a side-by-side table with ratios and acceptance targets, and writes
// bench/results/latest.json. `--quick` shrinks every figure for a fast smoke run. See bench/README.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MiB } from './blob-data.js';
import { blobBench } from './blob-bench.js';
import { environment, foreignCpuMeter } from './environment.js';
import { manifestBench } from './manifest-bench.js';
import { buildRows, formatTable, type Results } from './report.js';
import { killAll, SPECS, startServer, type RunningServer, type ServerSpec } from './servers.js';
import { startupBench } from './startup-bench.js';

const ROOT = join(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const P = {
  blobBytes: (quick ? 64 : 512) * MiB,
  chunkBytes: 16 * MiB,
  blobReps: quick ? 2 : 4,
  images: quick ? 300 : 2000,
  seedTags: quick ? 1000 : 10_000,
  concurrency: 16,
  getRequests: quick ? 3000 : 20_000,
  getMaxMs: 15_000,
  startupReps: quick ? 2 : 5,
  idleMs: 2000,
};
/** hard limit for the whole run (2.5–3.5 min on 2 cores, depending on other load): everything is killed after this */
const WATCHDOG_MS = 5 * 60_000;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const began = performance.now();
  ensureBuild();
  const envBefore = environment(ROOT);
  const foreignCpu = foreignCpuMeter();
  const workDir = mkdtempSync(join(tmpdir(), 'ar-bench-'));
  const started: RunningServer[] = [];
  const cleanup = () => {
    killAll();
    log(`removing ${workDir}`);
    rmSync(workDir, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    log(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
    cleanup();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();

  try {
    const dir = (name: string) => {
      const path = join(workDir, name);
      mkdirSync(path);
      return path;
    };
    const startPair = async (phase: string): Promise<[RunningServer, RunningServer]> => {
      const emu = await startServer(SPECS.emulator, dir(`${phase}-emulator`), workDir);
      const dist = await startServer(SPECS.distribution, dir(`${phase}-distribution`), workDir);
      started.push(emu, dist);
      return [emu, dist];
    };

    // Each phase ends with its servers stopped (reaped), so the CPU they used counts as ours.
    const phases: Record<string, { seconds: number; foreignCpuS: number }> = {};
    const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const meter = foreignCpuMeter();
      const t0 = performance.now();
      const result = await fn();
      phases[name] = { seconds: (performance.now() - t0) / 1000, foreignCpuS: meter().foreignCpuS };
      log(`  ${name}: ${phases[name].seconds.toFixed(0)} s; other processes used ${phases[name].foreignCpuS.toFixed(1)} CPU-s meanwhile`);
      return result;
    };

    log(`blob push/pull: ${P.blobBytes / MiB} MiB × ${P.blobReps} runs per server (pulls through ${existsSync("/usr/bin/curl") ? "curl" : "the Node client"})`);
    const [be, bd, blob] = await phase('blobs', async () => {
      const [e, d] = await startPair('blob');
      const r = await blobBench([e, d], { sizeBytes: P.blobBytes, chunkBytes: P.chunkBytes, reps: P.blobReps, log });
      // their data dirs are removed at the end: deleting GiBs now would load the disk during later figures
      await Promise.all([e.stop(), d.stop()]);
      return [e, d, r] as const;
    });

    log(`manifests: ${P.images} PUTs, ${P.seedTags} seeded tags, ${P.getRequests} GETs, concurrency ${P.concurrency}`);
    const [me, md, manifest] = await phase('manifests', async () => {
      const [e, d] = await startPair('meta');
      const r = await manifestBench([e, d], { ...P, log });
      await Promise.all([e.stop(), d.stop()]);
      return [e, d, r] as const;
    });
    const stores = { emulator: footprint(me.dataDir), distribution: footprint(md.dataDir) };

    log(`startup and idle RSS: ${P.startupReps} runs per server and data dir`);
    ensureBuild(); // again: bin/ar-emulator.mjs runs dist/ only while it is newer than every source file
    const specs = [SPECS.emulator, SPECS['emulator-bin'], SPECS['emulator-tsx'], SPECS.distribution, SPECS['node-baseline']];
    const seeded = new Map<ServerSpec, string>([
      [SPECS.emulator, me.dataDir],
      [SPECS['emulator-bin'], me.dataDir],
      [SPECS['emulator-tsx'], me.dataDir],
      [SPECS.distribution, md.dataDir],
    ]);
    const startup = await phase('startup', () => startupBench(specs, seeded, { reps: P.startupReps, idleMs: P.idleMs, workDir, log }));

    const results: Results = {
      blob: { emulator: blob.get(be)!, distribution: blob.get(bd)! },
      manifest: { emulator: manifest.get(me)!, distribution: manifest.get(md)! },
      startup: {
        emulator: startup.get(SPECS.emulator)!,
        emulatorBin: startup.get(SPECS['emulator-bin'])!,
        emulatorTsx: startup.get(SPECS['emulator-tsx'])!,
        distribution: startup.get(SPECS.distribution)!,
        nodeBaseline: startup.get(SPECS['node-baseline'])!,
      },
      stores,
    };
    const tagsTotal = results.manifest.emulator.tagsTotal;
    const rows = buildRows(results, { blobMiB: P.blobBytes / MiB, chunkMiB: P.chunkBytes / MiB, images: P.images, seedTags: P.seedTags, concurrency: P.concurrency, tagsTotal });
    const elapsedS = (performance.now() - began) / 1000;
    const env = { ...envBefore, loadavgAfter: environment(ROOT).loadavg, ...foreignCpu() };
    const base = results.startup.nodeBaseline;
    process.stdout.write(
      `\nAR emulator vs distribution — ${env.date}, ${env.cpuCount} × ${env.cpuModel}, node ${env.node}, ${env.distribution}${quick ? ' (QUICK run)' : ''}\n` +
        `ratio = emulator / distribution; "better" says which direction favours the emulator. Medians of runs where repeated.\n\n` +
        `${formatTable(rows)}\n\n` +
        `floor on this machine: a bare Node http server starts in ${base.emptyMs.toFixed(0)} ms and idles at ${(base.idleRssBytes / 1e6).toFixed(1)} MB RSS.\n` +
        `bench took ${elapsedS.toFixed(0)} s; other processes and kernel threads used ${env.foreignCpuS.toFixed(1)} of ${env.totalCpuS.toFixed(1)} busy CPU-seconds ` +
        `(load average ${env.loadavg[0]} before, ${env.loadavgAfter[0]} after).\n`,
    );
    const out = join(ROOT, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, quick ? 'latest-quick.json' : 'latest.json'), JSON.stringify({ env, quick, params: P, elapsedS, phases, rows, results }, null, 2) + '\n');
    log(`wrote bench/results/${quick ? 'latest-quick.json' : 'latest.json'}`);
  } finally {
    await Promise.allSettled(started.map((s) => s.stop()));
    clearTimeout(watchdog);
    cleanup();
  }
}

/** Files and bytes below `dir` (the store the manifest figures left behind). */
function footprint(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

/** The startup figure runs dist/: build it first, so it always measures the current sources. */
function ensureBuild(): void {
  log('bench: npm run build');
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    // tsc still writes dist/ when the sources have type errors; a missing build is caught by startServer
    log(`bench: the build failed (${(err as Error).message.split('\n')[0]}); measuring dist/ as it is`);
  }
}

main().catch((err: unknown) => {
  log(`bench failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
