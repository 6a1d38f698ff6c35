import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobData, MiB } from './blob-data.js';
import { SPECS, startServer, ensureRepository, killAll } from './servers.js';
const which = (process.argv[2] ?? 'emulator') as 'emulator' | 'distribution';
const work = mkdtempSync(join('/tmp/exp', 'w-'));
const s = await startServer(SPECS[which], mkdtempSync(join(work, 'd-')), work);
try {
  await ensureRepository(s, 'bench');
  const name = s.client.name('bench/blob');
  const b = new BlobData(7, 64 * MiB);
  await s.client.pushBlobMonolithic(name, b.digest, b.size, b.slice(0, b.size));
  const st = spawn('perf', ['record', '-o', '/tmp/exp/perf-' + which + '.data', '-g', '-p', String(s.pid)], { stdio: ['ignore', 'inherit', 'inherit'] });
  await sleep(500);
  for (let i = 0; i < 8; i++) await s.client.pullBlob(name, b.digest);
  await sleep(200);
  st.kill('SIGINT');
  await new Promise((r) => st.once('exit', r));
} finally { await s.stop(); killAll(); spawnSync('rm', ['-rf', work]); }
