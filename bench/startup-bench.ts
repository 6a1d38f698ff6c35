// Figures 4 and 5: headless startup time (spawn → first 200 from GET /v2/, polled every 5 ms) with an
// empty data dir and with the data dir the manifest figures left behind, and idle RSS (VmRSS) after
// startup plus a quiet period, empty store. Runs alternate between servers; one unmeasured start each first.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './stats.js';
import { rssBytes, startServer, type ServerSpec } from './servers.js';

export interface StartupOptions {
  reps: number;
  idleMs: number;
  workDir: string;
  log: (line: string) => void;
}

export interface StartupResult {
  emptyMs: number;
  /** NaN when the spec has no seeded data dir (the bare Node baseline) */
  seededMs: number;
  idleRssBytes: number;
  runs: { emptyMs: number[]; seededMs: number[] };
}

/** `seededDirs`: per spec, a data dir holding the seeded tags (reused, not emptied); absent → skipped. */
export async function startupBench(specs: ServerSpec[], seededDirs: Map<ServerSpec, string>, opts: StartupOptions): Promise<Map<ServerSpec, StartupResult>> {
  const runs = new Map(specs.map((s) => [s, { emptyMs: [] as number[], seededMs: [] as number[], rss: NaN }]));
  const emptyDir = () => mkdtempSync(join(opts.workDir, 'empty-'));

  for (const spec of specs) {
    const warm = await startServer(spec, emptyDir(), opts.workDir);
    await warm.stop();
  }

  for (let rep = 0; rep < opts.reps; rep++) {
    const order = rep % 2 === 0 ? specs : [...specs].reverse();
    for (const spec of order) {
      const r = runs.get(spec)!;
      const empty = await startServer(spec, emptyDir(), opts.workDir);
      r.emptyMs.push(empty.startupMs);
      if (rep === opts.reps - 1) {
        await sleep(opts.idleMs);
        r.rss = rssBytes(empty.pid);
      }
      await empty.stop();

      const seededDir = seededDirs.get(spec);
      if (seededDir !== undefined) {
        const seeded = await startServer(spec, seededDir, opts.workDir);
        r.seededMs.push(seeded.startupMs);
        await seeded.stop();
      }
      const seededText = seededDir === undefined ? '' : `, seeded ${r.seededMs.at(-1)!.toFixed(0)} ms`;
      opts.log(`  startup rep ${rep + 1}/${opts.reps} ${spec.label}: empty ${r.emptyMs.at(-1)!.toFixed(0)} ms${seededText}`);
    }
  }

  return new Map(
    [...runs].map(([spec, r]) => [
      spec,
      { emptyMs: median(r.emptyMs), seededMs: median(r.seededMs), idleRssBytes: r.rss, runs: { emptyMs: r.emptyMs, seededMs: r.seededMs } },
    ]),
  );
}
