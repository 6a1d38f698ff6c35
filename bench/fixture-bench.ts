// The test-fixture figure (issue 16): `startEmulator()` from the built package to the first answer (GET
// /_emulator/health), in one process the way a test runner's globalSetup calls it, against the floor of the same
// thing for a bare Node http server (listen on port 0, one request). The module is imported once, untimed.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { median } from './stats.js';

export interface FixtureResult {
  /** startEmulator() → first 200, median */
  startMs: number;
  /** bare http server listen → first 200, median */
  bareMs: number;
  /** stop() including removal of the temp data dir, median */
  stopMs: number;
  runs: { startMs: number[]; bareMs: number[]; stopMs: number[] };
}

export async function fixtureBench(root: string, opts: { reps: number; log: (line: string) => void }): Promise<FixtureResult> {
  const mod = (await import(pathToFileURL(join(root, 'dist', 'emulator', 'index.js')).href)) as typeof import('../emulator/index.js');
  const runs = { startMs: [] as number[], bareMs: [] as number[], stopMs: [] as number[] };
  const once = async (measure: boolean) => {
    const t0 = performance.now();
    const emu = await mod.startEmulator({ grpcPort: false });
    const res = await fetch(`${emu.url}/_emulator/health`);
    if (res.status !== 200) throw new Error(`health ${res.status}`);
    await res.arrayBuffer();
    const t1 = performance.now();
    await emu.stop();
    const t2 = performance.now();
    const b0 = performance.now();
    const server = createServer((_req, r) => r.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
    const b1 = performance.now();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    if (!measure) return;
    runs.startMs.push(t1 - t0);
    runs.stopMs.push(t2 - t1);
    runs.bareMs.push(b1 - b0);
    opts.log(`  fixture rep ${runs.startMs.length}/${opts.reps}: startEmulator ${(t1 - t0).toFixed(0)} ms, stop ${(t2 - t1).toFixed(0)} ms, bare server ${(b1 - b0).toFixed(1)} ms`);
  };
  await once(false);
  for (let i = 0; i < opts.reps; i++) await once(true);
  return { startMs: median(runs.startMs), bareMs: median(runs.bareMs), stopMs: median(runs.stopMs), runs };
}
