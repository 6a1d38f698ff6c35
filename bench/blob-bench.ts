// Figure 1: blob push (monolithic and chunked) and pull throughput for one large blob, per server.
// Every transfer alternates between the servers (who goes first alternates per repetition), and dirty
// pages are flushed with sync(1) before each one, so one server's writeback is not on the other's clock.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { BlobData, MiB } from './blob-data.js';
import { median } from './stats.js';
import { ensureRepository, type RunningServer } from './servers.js';

export interface BlobOptions {
  sizeBytes: number;
  chunkBytes: number;
  reps: number;
  log: (line: string) => void;
}

export interface BlobResult {
  /** medians over the runs, MiB/s */
  monolithicMiBs: number;
  chunkedMiBs: number;
  pullMiBs: number;
  /** medians of the server's own CPU time (user + system, all threads) per GiB moved */
  monolithicCpuSPerGiB: number;
  chunkedCpuSPerGiB: number;
  pullCpuSPerGiB: number;
  runs: Record<Measure, number[]> & Record<`${Measure}Cpu`, number[]>;
}

type Measure = 'monolithic' | 'chunked' | 'pull';
/** large pulls go through curl where it is installed (see BenchClient.pullBlobWithCurl) */
const CURL = existsSync('/usr/bin/curl');
/** pulls are short and noisier than pushes: several per repetition */
const PULLS_PER_REP = 5;
const IMAGE = 'bench/blob';

export async function blobBench(servers: RunningServer[], opts: BlobOptions): Promise<Map<RunningServer, BlobResult>> {
  const runs = new Map(servers.map((s) => [s, emptyRuns()]));
  for (const s of servers) await ensureRepository(s, 'bench');

  // Warm-up, untimed: connections, JIT, first-use directories, and a first full-size blob each (the
  // first GiBs written on a fresh VM disk are faster than later ones and would favour whoever goes first).
  const warm = new BlobData(1, opts.sizeBytes);
  const warmChunked = new BlobData(2, 16 * MiB);
  for (const s of servers) {
    const name = s.client.name(IMAGE);
    await s.client.pushBlobMonolithic(name, warm.digest, warm.size, warm.slice(0, warm.size));
    await s.client.pushBlobChunked(name, warmChunked.digest, warmChunked.parts(4 * MiB));
    await s.client.pullBlob(name, warm.digest);
  }

  const gib = opts.sizeBytes / 2 ** 30;
  const timed = async (s: RunningServer, m: Measure, fn: () => Promise<void>) => {
    flushDirtyPages();
    const cpu0 = s.cpuSeconds();
    const t0 = performance.now();
    await fn();
    const r = runs.get(s)!;
    r[m].push((gib * 1024) / ((performance.now() - t0) / 1000));
    r[`${m}Cpu`].push((s.cpuSeconds() - cpu0) / gib);
  };
  for (let rep = 0; rep < opts.reps; rep++) {
    // distinct content per run, so no server can skip work because the digest is already stored
    const mono = new BlobData(100 + rep, opts.sizeBytes);
    const chunked = new BlobData(200 + rep, opts.sizeBytes);
    // every measurement alternates between the servers, and who goes first alternates per repetition
    const order = rep % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      await timed(s, 'monolithic', () => s.client.pushBlobMonolithic(s.client.name(IMAGE), mono.digest, mono.size, mono.slice(0, mono.size)));
    }
    for (const s of order) await timed(s, 'chunked', () => s.client.pushBlobChunked(s.client.name(IMAGE), chunked.digest, chunked.parts(opts.chunkBytes)));
    for (let i = 0; i < PULLS_PER_REP; i++) {
      for (const s of order) {
        await timed(s, 'pull', async () => {
          const digest = i % 2 === 0 ? mono.digest : chunked.digest;
          const bytes = CURL ? await s.client.pullBlobWithCurl(s.client.name(IMAGE), digest) : await s.client.pullBlob(s.client.name(IMAGE), digest);
          if (bytes !== opts.sizeBytes) throw new Error(`${s.spec.label}: pulled ${bytes} bytes, expected ${opts.sizeBytes}`);
        });
      }
    }
    for (const s of order) {
      const r = runs.get(s)!;
      opts.log(
        `  blob rep ${rep + 1}/${opts.reps} ${s.spec.label}: push mono ${fmt(r.monolithic.at(-1)!)} MiB/s, ` +
          `chunked ${fmt(r.chunked.at(-1)!)} MiB/s, pull ${r.pull.slice(-PULLS_PER_REP).map(fmt).join('/')} MiB/s`,
      );
    }
  }

  return new Map(
    [...runs].map(([s, r]) => [
      s,
      {
        monolithicMiBs: median(r.monolithic),
        chunkedMiBs: median(r.chunked),
        pullMiBs: median(r.pull),
        monolithicCpuSPerGiB: median(r.monolithicCpu),
        chunkedCpuSPerGiB: median(r.chunkedCpu),
        pullCpuSPerGiB: median(r.pullCpu),
        runs: r,
      },
    ]),
  );
}

function emptyRuns(): BlobResult['runs'] {
  return { monolithic: [], chunked: [], pull: [], monolithicCpu: [], chunkedCpu: [], pullCpu: [] };
}

function flushDirtyPages(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

function fmt(n: number): string {
  return n.toFixed(0);
}
