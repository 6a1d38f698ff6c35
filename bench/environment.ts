// What the figures were measured on (machine, versions), and how busy the machine was with other work
// during the run: CPU time used system-wide minus what this bench and its children used.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';

const CLOCK_TICKS_PER_SEC = 100; // getconf CLK_TCK on Linux

export function environment(root: string) {
  const version = spawnSync('docker-registry', ['--version'], { encoding: 'utf8' });
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    cpuCount: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memTotalGiB: +(totalmem() / 2 ** 30).toFixed(1),
    memFreeGiB: +(freemem() / 2 ** 30).toFixed(1),
    kernel: release(),
    node: process.version,
    distribution: (version.stdout || 'docker-registry (version unknown)').trim(),
    commit,
    loadavg: loadavg().map((n) => +n.toFixed(2)),
  };
}

/** Busy CPU seconds of the whole machine (/proc/stat) and of this process plus its reaped children. */
function sample(): { system: number; ours: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait
  const busy = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3]! - cpu[4]!;
  const self = readFileSync('/proc/self/stat', 'utf8');
  const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
  // utime stime cutime cstime are fields 14-17 (proc(5)); children count once they have been waited for
  return { system: busy / CLOCK_TICKS_PER_SEC, ours: (f[11]! + f[12]! + f[13]! + f[14]!) / CLOCK_TICKS_PER_SEC };
}

/** Call once at the start; the returned function gives the CPU seconds other processes used since. */
export function foreignCpuMeter(): () => { foreignCpuS: number; totalCpuS: number } {
  const start = sample();
  return () => {
    const end = sample();
    const totalCpuS = end.system - start.system;
    return { foreignCpuS: Math.max(0, totalCpuS - (end.ours - start.ours)), totalCpuS };
  };
}
