// `npm run bench`: measures the emulator against its reference peers on 127.0.0.1 (the CNCF distribution
// registry for Docker, verdaccio for npm), prints side-by-side tables with ratios and acceptance targets,
// and writes bench/results/latest.json. `--quick` shrinks every figure for a fast smoke run; `--only
// npm` (or any comma-separated list of blobs, manifests, startup, npm, npm-remote, scan) runs only those sections
// and writes bench/results/latest-<sections>.json. See bench/README.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MiB } from './blob-data.js';
import { blobBench } from './blob-bench.js';
import { environment, foreignCpuMeter } from './environment.js';
import { manifestBench } from './manifest-bench.js';
import { npmBench } from './npm-bench.js';
import { scanBench } from './scan-bench.js';
import { machineRegistry, npmRemoteBench } from './npm-remote-bench.js';
import { ensureVerdaccio, VERDACCIO_VERSION } from './peers.js';
import { buildRows, formatTable, type Results } from './report.js';
import { killAll, SPECS, startServer, type RunningServer, type ServerSpec } from './servers.js';
import { startupBench } from './startup-bench.js';
import { fixtureBench } from './fixture-bench.js';
import { osIndexBench } from './os-index-bench.js';

const ROOT = join(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const SECTIONS = ['blobs', 'manifests', 'startup', 'npm', 'npm-remote', 'scan', 'fixture', 'os-index'] as const;
type Section = (typeof SECTIONS)[number];
const only = onlySections();
const run = (section: Section) => only === undefined || only.includes(section);
const P = {
  blobBytes: (quick ? 64 : 512) * MiB,
  chunkBytes: 16 * MiB,
  blobReps: quick ? 2 : 4,
  /** manifests per run of each PUT phase; 3 runs of 700 keep the store near the 2,000 of one run before */
  images: quick ? 150 : 700,
  putReps: 3,
  seedTags: quick ? 1000 : 10_000,
  concurrency: 16,
  getRequests: quick ? 3000 : 20_000,
  getMaxMs: 15_000,
  startupReps: quick ? 2 : 5,
  fixtureReps: quick ? 3 : 15,
  osIndex: { packages: quick ? 200 : 2000, reps: quick ? 2 : 5 },
  idleMs: 2000,
  npm: {
    deps: 50,
    getPackages: 10,
    versions: 30,
    getRequests: quick ? 1000 : 5000,
    getMaxMs: quick ? 3000 : 6000,
    publishSequential: quick ? 50 : 150,
    publishConcurrent: quick ? 100 : 300,
    publishConcurrency: 4,
    installReps: quick ? 1 : 3,
  },
  /** warm installs per registry through the remote repository, directly, through verdaccio's uplink */
  npmRemote: { reps: quick ? 1 : 3 },
  /** a 1 GiB image pushed to a repository with scanning on and one with it off, alternately (bench/scan-bench.ts) */
  scan: { layerBytes: 1024 * MiB, reps: quick ? 1 : 3, warmUp: !quick },
};
/** hard limit for the whole run (about 4–5 min on 2 cores, depending on other load): everything is killed after this */
const WATCHDOG_MS = ((run('npm-remote') ? 10 : 7) + (run('scan') ? 3 : 0)) * 60_000;
const resultFile = `${['latest', ...(quick ? ['quick'] : []), ...(only ?? [])].join('-')}.json`;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const began = performance.now();
  ensureBuild();
  if (run('npm') || run('npm-remote')) ensureVerdaccio(log);
  const envBefore = environment(ROOT);
  const foreignCpu = foreignCpuMeter();
  const workDir = mkdtempSync(join(tmpdir(), 'ar-bench-'));
  const started: RunningServer[] = [];
  const cleanup = () => {
    killAll();
    log(`removing ${workDir}`);
    if (process.env.AR_BENCH_KEEP === "1") log(`kept ${workDir} (AR_BENCH_KEEP=1)`);
    else rmSync(workDir, { recursive: true, force: true });
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

    const results: Results = {};
    if (run('blobs')) {
      log(`blob push/pull: ${P.blobBytes / MiB} MiB × ${P.blobReps} runs per server (pulls through ${existsSync('/usr/bin/curl') ? 'curl' : 'the Node client'})`);
      results.blob = await phase('blobs', async () => {
        const [e, d] = await startPair('blob');
        const r = await blobBench([e, d], { sizeBytes: P.blobBytes, chunkBytes: P.chunkBytes, reps: P.blobReps, log });
        // their data dirs are removed at the end: deleting GiBs now would load the disk during later figures
        await Promise.all([e.stop(), d.stop()]);
        return { emulator: r.get(e)!, distribution: r.get(d)! };
      });
    }

    let seeded: Map<ServerSpec, string> | undefined;
    if (run('manifests')) {
      log(`manifests: ${P.putReps} × ${P.images} PUTs per PUT phase, ${P.seedTags} seeded tags, ${P.getRequests} GETs, concurrency ${P.concurrency}`);
      const [me, md, manifest] = await phase('manifests', async () => {
        const [e, d] = await startPair('meta');
        const r = await manifestBench([e, d], { ...P, log });
        await Promise.all([e.stop(), d.stop()]);
        return [e, d, r] as const;
      });
      results.manifest = { emulator: manifest.get(me)!, distribution: manifest.get(md)! };
      results.stores = { emulator: footprint(me.dataDir), distribution: footprint(md.dataDir) };
      seeded = new Map<ServerSpec, string>([
        [SPECS.emulator, me.dataDir],
        [SPECS['emulator-bin'], me.dataDir],
        [SPECS['emulator-tsx'], me.dataDir],
        [SPECS.distribution, md.dataDir],
      ]);
    }

    if (run('npm')) {
      const n = P.npm;
      log(`npm: ${n.getPackages} × ${n.versions} versions, ${n.getRequests} GETs per figure (c=${P.concurrency}), ${n.publishSequential} + ${n.publishConcurrent} publishes, ${n.installReps} × npm install of ${n.deps} packages`);
      results.npm = await phase('npm', async () => {
        const e = await startServer(SPECS.emulator, dir('npm-emulator'), workDir);
        const v = await startServer(SPECS.verdaccio, dir('npm-verdaccio'), workDir);
        started.push(e, v);
        const httpLogDir = argValue('--npm-http-log');
        if (httpLogDir) mkdirSync(httpLogDir, { recursive: true });
        const r = await npmBench([e, v], { ...n, concurrency: P.concurrency, workDir: dir('npm-clients'), httpLogDir, log });
        await Promise.all([e.stop(), v.stop()]);
        return { emulator: r.get(e)!, verdaccio: r.get(v)! };
      });
    }

    if (run('npm-remote')) {
      const upstream = machineRegistry();
      log(`npm-remote: npm install of a 20-package tree through a remote NPMJS repository, directly from the machine's registry, and through verdaccio with an uplink to it; ${P.npmRemote.reps} warm runs each`);
      results.npmRemote = await phase('npm-remote', async () => {
        const e = await startServer(SPECS.emulator, dir('npm-remote-emulator'), workDir);
        const v = await startServer(SPECS['verdaccio-uplink'], dir('npm-remote-verdaccio'), workDir, { uplink: upstream });
        started.push(e, v);
        const r = await npmRemoteBench(e, v, upstream, { reps: P.npmRemote.reps, workDir: dir('npm-remote-clients'), log });
        await Promise.all([e.stop(), v.stop()]);
        return r;
      });
    }

    if (run('scan')) {
      log(`scan: a ${P.scan.layerBytes / MiB} MiB image pushed to a repository with scanning on and one with it off, ${P.scan.reps} runs each${P.scan.warmUp ? ' after one untimed push each' : ''}`);
      results.scan = await phase('scan', async () => {
        const e = await startServer(SPECS.emulator, dir('scan-emulator'), workDir);
        started.push(e);
        const r = await scanBench(e, { ...P.scan, workDir, log });
        await e.stop();
        return r;
      });
    }

    if (run('os-index')) {
      log(`os-index: one more package into a ${P.osIndex.packages}-package Apt and Yum repository, ${P.osIndex.reps} runs each, against dpkg-scanpackages and createrepo_c --update`);
      results.osIndex = await phase('os-index', async () => {
        const e = await startServer(SPECS.emulator, dir('os-index-emulator'), workDir);
        started.push(e);
        const r = await osIndexBench(e, { ...P.osIndex, workDir, log });
        await e.stop();
        return r;
      });
    }

    if (run('fixture')) {
      log(`fixture: startEmulator() from dist/ to its first answer, ${P.fixtureReps} runs in this process`);
      results.fixture = await phase('fixture', () => fixtureBench(ROOT, { reps: P.fixtureReps, log }));
    }

    if (run('startup')) {
      if (!seeded) throw new Error('the startup figure needs the manifests section (it starts on the data dir that section leaves)');
      log(`startup and idle RSS: ${P.startupReps} runs per server and data dir`);
      ensureBuild(); // again: bin/ar-emulator.mjs runs dist/ only while it is newer than every source file
      const specs = [SPECS.emulator, SPECS['emulator-bin'], SPECS['emulator-tsx'], SPECS.distribution, SPECS['node-baseline']];
      const startup = await phase('startup', () => startupBench(specs, seeded, { reps: P.startupReps, idleMs: P.idleMs, workDir, log }));
      results.startup = {
        emulator: startup.get(SPECS.emulator)!,
        emulatorBin: startup.get(SPECS['emulator-bin'])!,
        emulatorTsx: startup.get(SPECS['emulator-tsx'])!,
        distribution: startup.get(SPECS.distribution)!,
        nodeBaseline: startup.get(SPECS['node-baseline'])!,
      };
    }

    const tagsTotal = results.manifest?.emulator.tagsTotal ?? NaN;
    const rows = buildRows(results, { blobMiB: P.blobBytes / MiB, chunkMiB: P.chunkBytes / MiB, images: P.images, putReps: P.putReps, seedTags: P.seedTags, concurrency: P.concurrency, tagsTotal, npm: P.npm });
    const elapsedS = (performance.now() - began) / 1000;
    const env = { ...envBefore, loadavgAfter: environment(ROOT).loadavg, ...foreignCpu() };
    const base = results.startup?.nodeBaseline;
    const docker = rows.filter((r) => r.peerName === 'distribution');
    const npm = rows.filter((r) => r.peerName === 'verdaccio' && !r.group);
    const remoteUp = rows.filter((r) => r.group === 'npm-remote' && r.peerName === 'upstream');
    const remoteVerd = rows.filter((r) => r.group === 'npm-remote' && r.peerName === 'verdaccio');
    const scan = rows.filter((r) => r.group === 'scan');
    const fixture = rows.filter((r) => r.group === 'fixture');
    const osIndex = rows.filter((r) => r.group === 'os-index');
    const npmVersion = results.npm?.emulator.npmVersion;
    process.stdout.write(
      `\nAR emulator vs its reference peers — ${env.date}, ${env.cpuCount} × ${env.cpuModel}, node ${env.node}${quick ? ' (QUICK run)' : ''}${only ? ` (only: ${only.join(', ')})` : ''}\n` +
        `ratio = emulator / peer; "better" says which direction favours the emulator. Medians of runs where repeated; the runs columns give min–max.\n` +
        (docker.length ? `\nDocker: emulator vs ${env.distribution}\n\n${formatTable(docker)}\n` : '') +
        (npm.length ? `\nnpm: emulator vs verdaccio ${VERDACCIO_VERSION}, clients: RegistryClient and npm ${npmVersion}\n\n${formatTable(npm)}\n` : '') +
        (remoteUp.length ? `\nnpm remote: the emulator's remote NPMJS repository vs a direct install from the machine's registry (${results.npmRemote?.upstream})\n\n${formatTable(remoteUp)}\n` : '') +
        (remoteVerd.length ? `\nnpm remote: the emulator's remote repository vs verdaccio ${VERDACCIO_VERSION} with an uplink to the same registry\n\n${formatTable(remoteVerd)}\n` : '') +
        (scan.length ? `\nScanning: a ${((results.scan?.layerBytes ?? 0) / MiB).toFixed(0)} MiB image (one gzip layer) pushed to a repository with scanning on (the emulator column) and to one with it off, in one emulator; peak RSS = VmHWM of the run\n\n${formatTable(scan)}\n` : '') +
        (osIndex.length ? `\nApt and Yum: one more package into a ${results.osIndex?.packages}-package repository until a client can read it, vs a static repository tool regenerating its index\n\n${formatTable(osIndex)}\n` : '') +
        (fixture.length ? `\nTest fixture: startEmulator() from the built package vs a bare Node http server, in one process\n\n${formatTable(fixture)}\n` : '') +
        (base ? `\nfloor on this machine: a bare Node http server starts in ${base.emptyMs.toFixed(0)} ms and idles at ${(base.idleRssBytes / 1e6).toFixed(1)} MB RSS.\n` : '\n') +
        `bench took ${elapsedS.toFixed(0)} s; other processes and kernel threads used ${env.foreignCpuS.toFixed(1)} of ${env.totalCpuS.toFixed(1)} busy CPU-seconds ` +
        `(load average ${env.loadavg[0]} before, ${env.loadavgAfter[0]} after).\n`,
    );
    const out = join(ROOT, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, resultFile), JSON.stringify({ env, quick, only: only ?? SECTIONS, params: P, elapsedS, phases, rows, results }, null, 2) + '\n');
    log(`wrote bench/results/${resultFile}`);
  } finally {
    await Promise.allSettled(started.map((s) => s.stop()));
    clearTimeout(watchdog);
    cleanup();
  }
}

/** The value of `--name VALUE` or `--name=VALUE`, if given. */
function argValue(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice(name.length + 1) : argv[i + 1];
}

/** `--only a,b` (or `--only=a,b`): the sections to run, in the fixed order; undefined = all. */
function onlySections(): Section[] | undefined {
  const value = argValue('--only');
  if (value === undefined) return undefined;
  const wanted = (value ?? '').split(',').filter(Boolean);
  const unknown = wanted.filter((w) => !(SECTIONS as readonly string[]).includes(w));
  if (wanted.length === 0 || unknown.length > 0) {
    process.stderr.write(`bench: --only takes a comma-separated list of ${SECTIONS.join(', ')} (got ${value ?? 'nothing'})\n`);
    process.exit(2);
  }
  return SECTIONS.filter((s) => wanted.includes(s));
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
