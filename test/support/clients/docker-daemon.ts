// Starts a private dockerd for one test file (vfs, no iptables, no bridge) in a fresh temp dir and stops it.
// Never touches the machine's /var/lib/docker, /etc/docker/daemon.json or ~/.docker.
// Flags follow /work/shared/clients/REPORT.md §3; 127.0.0.0/8 is an insecure registry by default.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from './remove-tree.js';
import { run } from './run.js';

export interface DockerDaemon {
  /** Pass to run(): points the docker CLI at this daemon and at a private client config. */
  env: Record<string, string | undefined>;
  root: string;
  /** The daemon's own containerd socket, for `ctr -a`. */
  containerdSocket: string;
  logPath: string;
  stop(): Promise<void>;
}

export interface DockerDaemonOptions {
  /** Extra `--insecure-registry` values; loopback hosts need none. */
  insecureRegistries?: string[];
  readyTimeoutMs?: number;
}

/** Unix socket paths are limited to 108 bytes; containerd's lives three levels below the root. */
const MAX_ROOT_PATH_LENGTH = 50;
const STOP_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;

export async function startDockerDaemon(options: DockerDaemonOptions = {}): Promise<DockerDaemon> {
  const base = tmpdir().length <= MAX_ROOT_PATH_LENGTH - 20 ? tmpdir() : '/tmp';
  const root = await mkdtemp(join(base, 'are-dockerd-'));
  const dirs = {
    data: join(root, 'data'),
    exec: join(root, 'exec'),
    cliConfig: join(root, 'cli-config'),
  };
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));
  const configFile = join(root, 'daemon.json');
  await writeFile(configFile, '{}\n');
  const socketPath = join(root, 'docker.sock');
  const logPath = join(root, 'dockerd.log');

  const args = [
    '--data-root', dirs.data,
    '--exec-root', dirs.exec,
    '--pidfile', join(root, 'dockerd.pid'),
    '--config-file', configFile,
    '-H', `unix://${socketPath}`,
    '--storage-driver=vfs',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--bridge=none',
    ...(options.insecureRegistries ?? []).flatMap((host) => ['--insecure-registry', host]),
  ];
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    // detached = setsid: the daemon and its managed containerd get their own process group.
    child = spawn('dockerd', args, { detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const env: Record<string, string | undefined> = {
    DOCKER_HOST: `unix://${socketPath}`,
    DOCKER_CONFIG: dirs.cliConfig,
    DOCKER_CONTEXT: undefined,
    DOCKER_TLS_VERIFY: undefined,
    DOCKER_CERT_PATH: undefined,
    // No buildx in bookworm: use the legacy builder explicitly (the 28.x CLI prints a deprecation banner).
    DOCKER_BUILDKIT: '0',
    DOCKER_CLI_HINTS: 'false',
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const containerdPid = await readPid(join(dirs.exec, 'containerd', 'containerd.pid'));
      if (!hasExited && child.pid !== undefined) {
        signal(child.pid, 'SIGTERM');
        if (!(await settlesWithin(exited, STOP_TIMEOUT_MS))) {
          signal(-child.pid, 'SIGKILL');
          await exited;
        }
      }
      // The managed containerd exits with dockerd; make sure it did before its state is removed.
      if (containerdPid !== undefined) await waitForProcessExit(containerdPid, STOP_TIMEOUT_MS);
      await removeTree(root);
    })();
    return stopped;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      await stop();
      throw new Error(`dockerd exited during startup (exit code ${child.exitCode}).\n${log.slice(-4000)}`);
    }
    const probe = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { env, timeoutMs: 10_000 }).then(
      () => true,
      () => false,
    );
    if (probe) break;
    if (Date.now() > deadline) {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      await stop();
      throw new Error(`dockerd did not answer \`docker info\` within the deadline.\n${log.slice(-4000)}`);
    }
    await delay(POLL_INTERVAL_MS);
  }

  return { env, root, containerdSocket: join(dirs.exec, 'containerd', 'containerd.sock'), logPath, stop };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForProcessExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      return;
    }
    await delay(POLL_INTERVAL_MS);
  }
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
