// The npm remote figures (`--only npm-remote`): `npm install` of a pinned 20-package tree with the machine's real
// npm and a fresh npm cache per run, through three registries in the same run: the emulator's remote NPMJS
// repository (whose upstream is the machine's configured registry), that registry directly, and verdaccio 6.8.0
// with an uplink to that same registry. The first install through the emulator and through verdaccio fills their
// caches (the first-fetch overhead, against a direct install); the warm runs after it are the comparison. Runs
// interleave, the order rotating. Nothing here names a registry host: it is `npm config get registry`.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { withoutNpmConfig } from './peers.js';
import { EMULATOR_PROJECT, type RunningServer } from './servers.js';
import { median } from './stats.js';

/** yargs 17 and its dependencies, chalk 4 and its, ms: 20 packages in node_modules, all hoisted */
export const REMOTE_TREE = { yargs: '17.7.2', chalk: '4.1.2', ms: '2.1.3' };
export const REMOTE_TREE_SIZE = 20;
export const REMOTE_REPO = 'bench-npmjs';
const INSTALL_TIMEOUT_MS = 180_000;

export interface NpmRemoteOptions {
  /** warm installs per registry */
  reps: number;
  workDir: string;
  log: (line: string) => void;
}

export interface RemoteInstall {
  /** median of the runs, ms */
  ms: number;
  runs: number[];
}

export interface NpmRemoteResult {
  /** the machine's configured registry (what the direct installs and both caches' upstream use) */
  upstream: string;
  packages: number;
  /** the first install through each cache (its cache empty): the first-fetch figure */
  emulatorCold: number;
  verdaccioCold: number;
  emulatorWarm: RemoteInstall;
  verdaccioWarm: RemoteInstall;
  direct: RemoteInstall;
}

/** npm's configured registry, as the machine's npm reports it (without `npm run`'s exported config). */
export function machineRegistry(): string {
  const out = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', env: withoutNpmConfig(process.env), timeout: 20_000 }).trim();
  if (!/^https?:\/\//.test(out)) throw new Error(`npm config get registry printed "${out}", not an http(s) URL`);
  return out.endsWith('/') ? out : `${out}/`;
}

/** Creates the emulator's remote NPMJS repository. */
async function createRemote(emulator: RunningServer): Promise<string> {
  const reply = await emulator.client.request('POST', `/v1/projects/${EMULATOR_PROJECT}/locations/us-central1/repositories?repositoryId=${REMOTE_REPO}`, {
    headers: { 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify({ format: 'NPM', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { npmRepository: { publicRepository: 'NPMJS' } } })),
  });
  if (reply.status !== 200 && reply.status !== 409) throw new Error(`creating ${REMOTE_REPO}: ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`);
  return `http://127.0.0.1:${emulator.port}/${EMULATOR_PROJECT}/${REMOTE_REPO}/`;
}

export async function npmRemoteBench(emulator: RunningServer, verdaccio: RunningServer, upstream: string, opts: NpmRemoteOptions): Promise<NpmRemoteResult> {
  const registries = { emulator: await createRemote(emulator), verdaccio: `http://127.0.0.1:${verdaccio.port}/`, direct: upstream };
  let seq = 0;
  const install = async (who: keyof typeof registries) => {
    spawnSync('sync', { stdio: 'ignore' });
    const ms = await npmInstall(registries[who], join(opts.workDir, `remote-${who}-${++seq}`));
    opts.log(`    ${who}: ${ms.toFixed(0)} ms`);
    return ms;
  };
  // the first fetch: each cache empty, a direct install next to it
  opts.log('  npm-remote: first fetch (caches empty)');
  const firstDirect = await install('direct');
  const emulatorCold = await install('emulator');
  const verdaccioCold = await install('verdaccio');
  const runs = { emulator: [] as number[], verdaccio: [] as number[], direct: [firstDirect] };
  const order: Array<keyof typeof registries> = ['emulator', 'direct', 'verdaccio'];
  for (let rep = 0; rep < opts.reps; rep++) {
    opts.log(`  npm-remote: warm ${rep + 1}/${opts.reps}`);
    for (let i = 0; i < order.length; i++) {
      const who = order[(i + rep) % order.length]!;
      runs[who].push(await install(who));
    }
  }
  const of = (xs: number[]): RemoteInstall => ({ ms: median(xs), runs: xs });
  return { upstream, packages: REMOTE_TREE_SIZE, emulatorCold, verdaccioCold, emulatorWarm: of(runs.emulator), verdaccioWarm: of(runs.verdaccio), direct: of(runs.direct) };
}

/** One `npm install` of the tree into a fresh project with a fresh npm cache; the wall time in ms. */
async function npmInstall(registry: string, dir: string): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  const project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(dir, 'npmrc'), [`registry=${registry}`, `cache=${join(dir, 'cache')}`, 'update-notifier=false', 'fund=false', 'audit=false', ''].join('\n'));
  writeFileSync(join(dir, 'global-npmrc'), '');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-remote-app', version: '1.0.0', private: true, dependencies: REMOTE_TREE }, null, 2) + '\n');
  const env = { ...withoutNpmConfig(process.env), NPM_CONFIG_USERCONFIG: join(dir, 'npmrc'), NPM_CONFIG_GLOBALCONFIG: join(dir, 'global-npmrc'), NO_UPDATE_NOTIFIER: '1' };
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    execFile('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`npm install from ${registry} failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve();
    });
  });
  const ms = performance.now() - t0;
  const nodeModules = join(project, 'node_modules');
  const installed = existsSync(nodeModules) ? readdirSync(nodeModules).filter((d) => !d.startsWith('.')).length : 0;
  if (installed !== REMOTE_TREE_SIZE) throw new Error(`npm install from ${registry} left ${installed} of ${REMOTE_TREE_SIZE} packages in node_modules`);
  rmSync(dir, { recursive: true, force: true });
  return ms;
}
