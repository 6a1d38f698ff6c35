// Starting, timing and stopping the servers under test, each on 127.0.0.1 with its own data dir:
// the emulator (compiled dist build, or the sources through tsx) and the CNCF distribution registry
// (Debian's docker-registry), and verdaccio, the npm bench's peer (bench/peers.ts installs it). Every
// child is tracked so it is killed even when the bench fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryClient } from './http-client.js';
import { VERDACCIO_BIN } from './peers.js';

export type ServerId = 'emulator' | 'emulator-bin' | 'emulator-tsx' | 'distribution' | 'verdaccio' | 'verdaccio-uplink' | 'node-baseline';

export interface ServerSpec {
  id: ServerId;
  label: string;
  /** the emulator serves /v2/PROJECT/REPO/IMAGE; distribution /v2/REPO/IMAGE */
  namePrefix: string;
  /** polled until it answers 200 (startup); GET /v2/ unless set */
  readyPath?: string;
}

export const EMULATOR_PROJECT = 'bench-project';
export const SPECS: Record<ServerId, ServerSpec> = {
  emulator: { id: 'emulator', label: 'emulator (dist build)', namePrefix: `${EMULATOR_PROJECT}/` },
  'emulator-bin': { id: 'emulator-bin', label: 'emulator (bin/ar-emulator.mjs)', namePrefix: `${EMULATOR_PROJECT}/` },
  'emulator-tsx': { id: 'emulator-tsx', label: 'emulator (sources via tsx)', namePrefix: `${EMULATOR_PROJECT}/` },
  distribution: { id: 'distribution', label: 'distribution (docker-registry)', namePrefix: '' },
  verdaccio: { id: 'verdaccio', label: 'verdaccio', namePrefix: '', readyPath: '/-/ping' },
  // the npm-remote figures' peer: verdaccio proxying the machine's configured registry (startServer's `uplink`)
  'verdaccio-uplink': { id: 'verdaccio-uplink', label: 'verdaccio (uplink)', namePrefix: '', readyPath: '/-/ping' },
  // the floor for any Node server on this machine: a bare http server answering GET /v2/ with {}
  'node-baseline': { id: 'node-baseline', label: 'bare Node http server', namePrefix: '' },
};

const NODE_BASELINE = `require('node:http').createServer((q, s) => { s.setHeader('Content-Type', 'application/json'); s.end('{}'); })
  .listen(Number(process.argv[1]), '127.0.0.1');`;

const ROOT = join(import.meta.dirname, '..');
const POLL_MS = 5;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
const live = new Set<ChildProcess>();

export interface RunningServer {
  spec: ServerSpec;
  pid: number;
  port: number;
  dataDir: string;
  /** spawn → first 200 from GET /v2/ */
  startupMs: number;
  client: RegistryClient;
  /** user + system CPU time the process has used so far (all threads), from /proc/PID/stat */
  cpuSeconds(): number;
  /** SIGTERM, then SIGKILL if it has not exited in time */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the server is told to listen on it, so startup can be polled). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function command(spec: ServerSpec, dataDir: string, port: number, workDir: string, uplink?: string): { file: string; args: string[] } {
  const emulatorArgs = ['start', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...(process.env.AR_BENCH_EMULATOR_LOG ? ['--log-level', process.env.AR_BENCH_EMULATOR_LOG] : [])];
  switch (spec.id) {
    case 'emulator':
      return { file: process.execPath, args: [join(ROOT, 'bench', 'dist-cli.mjs'), ...emulatorArgs] };
    case 'emulator-bin':
      return { file: process.execPath, args: [join(ROOT, 'bin', 'ar-emulator.mjs'), ...emulatorArgs] };
    case 'emulator-tsx':
      return { file: process.execPath, args: [join(ROOT, 'bench', 'tsx-cli.mjs'), ...emulatorArgs] };
    case 'node-baseline':
      return { file: process.execPath, args: ['-e', NODE_BASELINE, String(port)] };
    case 'distribution': {
      // The minimal config of shared/clients/REPORT.md §2, with request logging off: the emulator does
      // not log requests at its default level either, and log output would cost the server CPU.
      const config = join(workDir, `registry-${port}.yml`);
      writeFileSync(
        config,
        [
          'version: 0.1',
          'log:',
          '  level: error',
          '  accesslog:',
          '    disabled: true',
          'storage:',
          '  filesystem:',
          `    rootdirectory: ${dataDir}`,
          '  delete:',
          '    enabled: true',
          'http:',
          `  addr: 127.0.0.1:${port}`,
          '',
        ].join('\n'),
      );
      return { file: 'docker-registry', args: ['serve', config] };
    }
    case 'verdaccio':
    case 'verdaccio-uplink': {
      // shared/clients/REPORT.md §5: no uplinks, publish by an authenticated user; storage and htpasswd in
      // the data dir, logging at `fatal` only, web UI off. API tokens are JWTs: with the legacy AES tokens
      // verdaccio re-checks the bcrypt password on every authenticated request, which would measure bcrypt.
      // verdaccio-uplink: the same with one uplink (the registry given) that every package is proxied to.
      const config = join(workDir, `verdaccio-${port}.yaml`);
      if (spec.id === 'verdaccio-uplink' && !uplink) throw new Error('verdaccio-uplink needs an uplink URL');
      const proxy = spec.id === 'verdaccio-uplink' ? '\n    proxy: upstream' : '';
      const access = `    access: $all\n    publish: $authenticated\n    unpublish: $authenticated${proxy}`;
      writeFileSync(
        config,
        [
          `storage: ${JSON.stringify(join(dataDir, 'storage'))}`,
          'auth:',
          '  htpasswd:',
          `    file: ${JSON.stringify(join(dataDir, 'htpasswd'))}`,
          '    max_users: 100',
          ...(spec.id === 'verdaccio-uplink' ? ['uplinks:', '  upstream:', `    url: ${JSON.stringify(uplink)}`, '    timeout: 60s'] : ['uplinks: {}']),
          'packages:',
          "  '@*/*':",
          access,
          "  '**':",
          access,
          'security:',
          '  api:',
          '    jwt:',
          '      sign:',
          '        expiresIn: 7d',
          'web:',
          '  enable: false',
          'max_body_size: 50mb',
          'log: { type: stdout, format: json, level: fatal }',
          '',
        ].join('\n'),
      );
      return { file: process.execPath, args: [VERDACCIO_BIN, '--config', config, '--listen', `127.0.0.1:${port}`] };
    }
  }
}

/** Spawns the server on `dataDir` and waits for its first `GET /v2/` 200. Output goes to a log file. */
export async function startServer(spec: ServerSpec, dataDir: string, workDir: string, opts: { uplink?: string } = {}): Promise<RunningServer> {
  const port = await freePort();
  const { file, args } = command(spec, dataDir, port, workDir, opts.uplink);
  const logFd = openSync(join(workDir, `${spec.id}-${port}.log`), 'a');
  const t0 = performance.now();
  const child = spawn(file, args, { stdio: ['ignore', logFd, logFd], env: { ...process.env, NODE_OPTIONS: '' } });
  closeSync(logFd);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => live.delete(child));
  let startupMs: number;
  try {
    await waitReady(port, child, spec.readyPath ?? '/v2/');
    startupMs = performance.now() - t0;
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${spec.label} did not start (log: ${join(workDir, `${spec.id}-${port}.log`)}): ${(err as Error).message}`);
  }
  const client = new RegistryClient(port, spec.namePrefix);
  return {
    spec,
    pid: child.pid!,
    port,
    dataDir,
    startupMs,
    client,
    cpuSeconds: () => cpuSeconds(child.pid!),
    async stop() {
      client.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls GET `path` (/v2/ for registries) every 5 ms on a fresh connection until it answers 200. */
async function waitReady(port: number, child: ChildProcess, path: string): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    if ((await probe(port, path)) === 200) return;
    await sleep(POLL_MS);
  }
  throw new Error(`no 200 from GET ${path} within ${READY_TIMEOUT_MS} ms`);
}

function probe(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
}

/** Resident set size of a process, from /proc/PID/status VmRSS (Linux). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

const CLOCK_TICKS_PER_SEC = 100; // getconf CLK_TCK on Linux

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after "(comm) ": state is field 3, utime 14, stime 15 (proc(5))
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
}

/** Emulator repositories must exist before pushing; distribution creates them on first push. */
export async function ensureRepository(server: RunningServer, repo: string, format: 'DOCKER' | 'NPM' = 'DOCKER'): Promise<void> {
  if (server.spec.id === 'distribution' || server.spec.id === 'verdaccio' || server.spec.id === 'verdaccio-uplink') return;
  const reply = await server.client.request(
    'POST',
    `/v1/projects/${EMULATOR_PROJECT}/locations/us-central1/repositories?repositoryId=${encodeURIComponent(repo)}`,
    { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify({ format })) },
  );
  if (reply.status !== 200 && reply.status !== 409) {
    throw new Error(`creating repository ${repo}: ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`);
  }
}

/** Last resort (error paths, signals): SIGKILL every child still running. */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
