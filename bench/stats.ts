// Latency statistics and the bounded concurrent request pool the benchmarks share. No I/O here.
import { performance } from 'node:perf_hooks';

export interface LatencyStats {
  count: number;
  wallMs: number;
  /** completed operations per second of wall time */
  ratePerSec: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(latenciesMs: number[], wallMs: number): LatencyStats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    wallMs,
    ratePerSec: sorted.length / (wallMs / 1000),
    meanMs: sum / sorted.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface PoolOptions {
  /** operations to run (indices 0..total-1) */
  total: number;
  concurrency: number;
  /** stop handing out new operations after this long (the pool is always bounded) */
  maxMs: number;
}

/**
 * Runs `op(i)` for i = 0..total-1 with `concurrency` workers, timing each call. The first error stops the
 * pool and is rethrown. Returns the latency summary over the operations that ran.
 */
export async function runPool(opts: PoolOptions, op: (i: number) => Promise<void>): Promise<LatencyStats> {
  const latencies: number[] = [];
  let next = 0;
  let failed: unknown;
  const start = performance.now();
  const deadline = start + opts.maxMs;
  const worker = async () => {
    while (failed === undefined && next < opts.total && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
      } catch (err) {
        failed ??= err;
        return;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  if (failed !== undefined) throw failed;
  return summarize(latencies, performance.now() - start);
}

/** A small deterministic PRNG (mulberry32), so both servers see the same request sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
