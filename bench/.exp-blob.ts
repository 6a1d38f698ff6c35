import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { BlobData, MiB } from './blob-data.js';
import { SPECS, startServer, ensureRepository, killAll } from './servers.js';
const base = process.argv[2] ?? '/tmp/exp';
const which = (process.argv[3] ?? 'emulator') as 'emulator' | 'distribution';
const work = mkdtempSync(join(base, 'w-'));
const s = await startServer(SPECS[which], mkdtempSync(join(work, 'd-')), work);
try {
  await ensureRepository(s, 'bench');
  const name = s.client.name('bench/blob');
  for (let rep = 0; rep < 3; rep++) {
    const b = new BlobData(500 + rep, 512 * MiB);
    spawnSync('sync');
    const cpu0 = process.cpuUsage();
    let t = performance.now();
    await s.client.pushBlobMonolithic(name, b.digest, b.size, b.slice(0, b.size));
    const push = 512 / ((performance.now() - t) / 1000);
    const cpu = process.cpuUsage(cpu0);
    t = performance.now();
    await s.client.pullBlob(name, b.digest);
    const pull = 512 / ((performance.now() - t) / 1000);
    console.log(which, base, 'push', push.toFixed(0), 'pull', pull.toFixed(0), 'client cpu s', ((cpu.user + cpu.system) / 1e6).toFixed(2));
  }
} finally { await s.stop(); killAll(); spawnSync('rm', ['-rf', work]); }
