// Runs the emulator CLI (`bin/ar-emulator.mjs start`) as a separate process, for tests that must kill it
// (crash tests) or watch it refuse to start. Only pids this module spawned are ever signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'ar-emulator.mjs');
const EXPORT_LINE = /^export ARTIFACT_REGISTRY_EMULATOR_HOST=localhost:(\d+)$/m;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EmulatorProcess {
  readonly pid: number;
  /** http://127.0.0.1:PORT (the CLI listens on 127.0.0.1; `localhost` may resolve to ::1 first) */
  readonly url: string;
  readonly port: number;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** Sends `signal` (unless the process already exited) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<ProcessExit>;
}

export interface SpawnOptions {
  dataDir: string;
  /** extra CLI flags after `start --port 0 --data-dir DIR` */
  args?: string[];
  /** how long to wait for the export line (default 15 s) */
  readyTimeoutMs?: number;
  /** extra environment variables for the process (e.g. AR_EMULATOR_COMPACTION_BYTES) */
  env?: Record<string, string>;
}

/** A started process that failed to become ready, or a run to completion. */
export interface FinishedProcess extends ProcessExit {
  stdout: string;
  stderr: string;
}

/** Spawns emulator processes and remembers them, so `killAll()` in afterAll can end every one of them. */
export class EmulatorProcesses {
  private readonly live = new Set<ChildProcess>();

  /** Starts `ar-emulator start` on port 0 and resolves once it prints its export line. */
  async start(opts: SpawnOptions): Promise<EmulatorProcess> {
    const run = this.spawnCli(opts);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        run.child.kill('SIGKILL');
        reject(new Error(`emulator did not print its export line within ${opts.readyTimeoutMs ?? 15_000} ms\n${describe(run)}`));
      }, opts.readyTimeoutMs ?? 15_000);
      const onData = () => {
        const m = EXPORT_LINE.exec(run.out.join(''));
        if (!m) return;
        clearTimeout(timer);
        run.child.stdout!.off('data', onData);
        resolve(Number(m[1]));
      };
      run.child.stdout!.on('data', onData);
      void run.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`emulator exited before it was ready (code ${exit.code}, signal ${exit.signal})\n${describe(run)}`));
      });
    });
    const child = run.child;
    return {
      pid: child.pid!,
      url: `http://127.0.0.1:${port}`,
      port,
      stdout: () => run.out.join(''),
      stderr: () => run.err.join(''),
      exited: run.exited,
      kill: async (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return run.exited;
      },
    };
  }

  /** Runs `ar-emulator start` expecting it to exit by itself (e.g. refusing damaged metadata). */
  async runToExit(opts: SpawnOptions & { timeoutMs?: number }): Promise<FinishedProcess> {
    const run = this.spawnCli(opts);
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
    const exit = await run.exited;
    clearTimeout(timer);
    return { ...exit, stdout: run.out.join(''), stderr: run.err.join('') };
  }

  /** SIGKILLs every process still running and waits for them to go. */
  async killAll(): Promise<void> {
    const waits = [...this.live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    );
    await Promise.all(waits);
    this.live.clear();
  }

  private spawnCli(opts: SpawnOptions): { child: ChildProcess; out: string[]; err: string[]; exited: Promise<ProcessExit> } {
    const args = [BIN, 'start', '--port', '0', '--data-dir', opts.dataDir, ...(opts.args ?? [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false, env: { ...process.env, ...opts.env } });
    this.live.add(child);
    const out: string[] = [];
    const err: string[] = [];
    child.stdout!.setEncoding('utf8').on('data', (s: string) => out.push(s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => err.push(s));
    const exited = new Promise<ProcessExit>((resolve) => {
      // 'close' (not 'exit'): all output has been read by then.
      child.once('close', (code, signal) => {
        this.live.delete(child);
        resolve({ code, signal });
      });
      child.once('error', () => {
        this.live.delete(child);
        resolve({ code: null, signal: null });
      });
    });
    return { child, out, err, exited };
  }
}

/** Polls `probe` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function describe(run: { out: string[]; err: string[] }): string {
  return `--- stdout ---\n${run.out.join('').slice(-4000)}\n--- stderr ---\n${run.err.join('').slice(-4000)}`;
}
