// The npm figures: packument GET (full and abbreviated), tarball GET, publish rate, and `npm install` of
// 50 packages cold and warm with the machine's real npm, for the emulator's NPM repository and for
// verdaccio 6.8.0 (the reference peer) in the same run. Same client code for both servers (RegistryClient
// over keep-alive node:http), phases interleaved with the order alternating, sync(1) before each timed
// phase, an untimed warm-up first. https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { measure, type Measured } from './manifest-bench.js';
import { withoutNpmConfig } from './peers.js';
import { EMULATOR_PROJECT, ensureRepository, type RunningServer } from './servers.js';
import { median, prng, runPool } from './stats.js';

export interface NpmOptions {
  /** packages `npm install` fetches (half scoped) */
  deps: number;
  /** packages whose packuments the GET figures read (half scoped), each with `versions` versions */
  getPackages: number;
  versions: number;
  concurrency: number;
  getRequests: number;
  getMaxMs: number;
  publishSequential: number;
  publishConcurrent: number;
  publishConcurrency: number;
  installReps: number;
  /** when set, every `npm install` runs with --loglevel=http and its log is kept here (`--npm-http-log DIR`) */
  httpLogDir?: string;
  workDir: string;
  log: (line: string) => void;
}

export interface InstallResult {
  /** median of the runs, ms */
  ms: number;
  runs: number[];
}

export interface NpmResult {
  packumentFull: Measured & { bytes: number };
  /** `abbreviated`: the server answered with application/vnd.npm.install-v1+json */
  packumentAbbreviated: Measured & { bytes: number; abbreviated: boolean };
  tarball: Measured & { bytes: number };
  publishSequential: Measured;
  publishConcurrent: Measured;
  installCold: InstallResult;
  installWarm: InstallResult;
  npmVersion: string;
}

export const NPM_REPO = 'bench-npm';
const ABBREVIATED = 'application/vnd.npm.install-v1+json';
const WARM_OPS = 1000;
const PUBLISH_MAX_MS = 60_000;
const INSTALL_TIMEOUT_MS = 120_000;
/** npm's fixed tar mtime (1985-10-26T08:15:00Z), so tarballs are reproducible */
const TAR_MTIME = 499162500;

/** One server under test: where its npm registry is rooted and the token the client sends. */
interface Target {
  server: RunningServer;
  /** path prefix of the registry, ending in `/`: `/bench-project/bench-npm/` or `/` */
  base: string;
  token: string;
  registryUrl: string;
}

export async function npmBench(servers: RunningServer[], opts: NpmOptions): Promise<Map<RunningServer, NpmResult>> {
  const npmVersion = execFileSync('npm', ['--version'], { encoding: 'utf8', env: withoutNpmConfig(process.env) }).trim();
  if (!npmVersion.startsWith('11.')) opts.log(`  note: npm ${npmVersion} on PATH (the figures were specified for npm 11)`);
  const targets = new Map<RunningServer, Target>();
  const partial = new Map<RunningServer, Partial<NpmResult>>(servers.map((s) => [s, { npmVersion }]));
  let turn = 0;
  /** runs `fn` once per server, the order alternating with each phase, sync(1) before each */
  const forEach = async (what: string, fn: (t: Target, r: Partial<NpmResult>) => Promise<void>) => {
    const order = turn++ % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      spawnSync('sync', { stdio: 'ignore' });
      await fn(targets.get(s)!, partial.get(s)!);
      opts.log(`  npm ${what} done: ${s.spec.label}`);
    }
  };

  for (const s of servers) targets.set(s, await setUp(s));
  const deps = Array.from({ length: opts.deps }, (_, i) => packageName('dep', i));
  const libs = Array.from({ length: opts.getPackages }, (_, i) => packageName('lib', i));
  const tarballPaths = new Map<RunningServer, string[]>();

  await forEach('seeding (untimed)', async (t) => {
    await runPool({ total: deps.length, concurrency: 4, maxMs: PUBLISH_MAX_MS }, (i) => publish(t, deps[i]!, '1.0.0'));
    // versions of one package are published one after the other, as a release process would
    await runPool({ total: libs.length, concurrency: 4, maxMs: PUBLISH_MAX_MS }, async (i) => {
      for (let v = 0; v < opts.versions; v++) await publish(t, libs[i]!, `1.${v}.0`);
    });
    const paths: string[] = [];
    for (const lib of libs) {
      const doc = JSON.parse((await get(t, lib, 'application/json')).body.toString('utf8')) as Packument;
      const versions = Object.values(doc.versions ?? {});
      if (versions.length !== opts.versions) throw new Error(`${t.server.spec.label}: ${lib} has ${versions.length} versions, expected ${opts.versions}`);
      for (const v of versions) {
        const url = new URL(v.dist.tarball, t.registryUrl);
        paths.push(url.pathname + url.search);
      }
    }
    tarballPaths.set(t.server, paths);
  });

  const libRefs = sequence(opts.getRequests, libs.length, 7);
  const tarRefs = sequence(opts.getRequests, opts.getPackages * opts.versions, 11);
  const c = opts.concurrency;

  await forEach('warm-up (untimed)', async (t) => {
    await runPool({ total: WARM_OPS / 10, concurrency: 4, maxMs: PUBLISH_MAX_MS }, (i) => publish(t, packageName('warm', i), '1.0.0'));
    await runPool({ total: WARM_OPS, concurrency: c, maxMs: opts.getMaxMs }, async (i) => void (await get(t, libs[libRefs[i]!]!, 'application/json')));
    await runPool({ total: WARM_OPS, concurrency: c, maxMs: opts.getMaxMs }, async (i) => void (await get(t, libs[libRefs[i]!]!, ABBREVIATED)));
    const paths = tarballPaths.get(t.server)!;
    await runPool({ total: WARM_OPS, concurrency: c, maxMs: opts.getMaxMs }, async (i) => void (await t.server.client.expect(200, 'GET', paths[tarRefs[i]!]!, { headers: auth(t) })));
    await npmInstall(t, join(opts.workDir, `npm-warm-${t.server.spec.id}`), deps, 'cold', opts.httpLogDir);
  });

  await forEach(`packument GET, full (c=${c})`, async (t, r) => {
    let bytes = 0;
    r.packumentFull = {
      ...(await measure(t.server, { total: opts.getRequests, concurrency: c, maxMs: opts.getMaxMs }, async (i) => {
        const reply = await get(t, libs[libRefs[i]!]!, 'application/json');
        bytes = reply.bytes;
      })),
      bytes,
    };
  });

  await forEach(`packument GET, abbreviated (c=${c})`, async (t, r) => {
    let bytes = 0;
    let type = '';
    r.packumentAbbreviated = {
      ...(await measure(t.server, { total: opts.getRequests, concurrency: c, maxMs: opts.getMaxMs }, async (i) => {
        const reply = await get(t, libs[libRefs[i]!]!, ABBREVIATED);
        bytes = reply.bytes;
        type = String(reply.headers['content-type'] ?? '');
      })),
      bytes,
      abbreviated: type.startsWith(ABBREVIATED),
    };
  });

  await forEach(`tarball GET (c=${c})`, async (t, r) => {
    const paths = tarballPaths.get(t.server)!;
    let bytes = 0;
    r.tarball = {
      ...(await measure(t.server, { total: opts.getRequests, concurrency: c, maxMs: opts.getMaxMs }, async (i) => {
        const reply = await t.server.client.expect(200, 'GET', paths[tarRefs[i]!]!, { headers: auth(t) });
        if (reply.bytes === 0) throw new Error('empty tarball');
        bytes = reply.bytes;
      })),
      bytes,
    };
  });

  await forEach('publish, sequential', async (t, r) => {
    r.publishSequential = await measure(t.server, { total: opts.publishSequential, concurrency: 1, maxMs: PUBLISH_MAX_MS }, (i) => publish(t, packageName('pub-seq', i), '1.0.0'));
  });

  await forEach(`publish, concurrency ${opts.publishConcurrency}`, async (t, r) => {
    r.publishConcurrent = await measure(t.server, { total: opts.publishConcurrent, concurrency: opts.publishConcurrency, maxMs: PUBLISH_MAX_MS }, (i) =>
      publish(t, packageName('pub-con', i), '1.0.0'),
    );
  });

  const installs = new Map(servers.map((s) => [s, { cold: [] as number[], warm: [] as number[] }]));
  for (let rep = 0; rep < opts.installReps; rep++) {
    await forEach(`install ${rep + 1}/${opts.installReps}`, async (t) => {
      const dir = join(opts.workDir, `npm-install-${t.server.spec.id}-${rep}`);
      const runs = installs.get(t.server)!;
      runs.cold.push(await npmInstall(t, dir, deps, 'cold', opts.httpLogDir));
      spawnSync('sync', { stdio: 'ignore' });
      runs.warm.push(await npmInstall(t, dir, deps, 'warm', opts.httpLogDir));
      opts.log(`    ${t.server.spec.label}: cold ${runs.cold.at(-1)!.toFixed(0)} ms, warm ${runs.warm.at(-1)!.toFixed(0)} ms`);
    });
  }
  for (const [s, runs] of installs) {
    const r = partial.get(s)!;
    r.installCold = { ms: median(runs.cold), runs: runs.cold };
    r.installWarm = { ms: median(runs.warm), runs: runs.warm };
  }
  return partial as Map<RunningServer, NpmResult>;
}

/** Creates the NPM repository (emulator) or the publishing user (verdaccio); returns the client's view. */
async function setUp(server: RunningServer): Promise<Target> {
  const origin = `http://127.0.0.1:${server.port}`;
  if (server.spec.id === 'verdaccio') {
    // shared/clients/REPORT.md §5: the non-interactive way to create a user and get its token
    const reply = await server.client.expect(201, 'PUT', '/-/user/org.couchdb.user:bench', {
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ name: 'bench', password: 'bench-s3cret' })),
    });
    const { token } = JSON.parse(reply.body.toString('utf8')) as { token?: string };
    if (!token) throw new Error('verdaccio returned no token for the new user');
    return { server, base: '/', token, registryUrl: `${origin}/` };
  }
  await ensureRepository(server, NPM_REPO, 'NPM');
  const base = `/${EMULATOR_PROJECT}/${NPM_REPO}/`;
  // open IAM mode (the default): any bearer token is accepted
  return { server, base, token: 'bench-token', registryUrl: `${origin}${base}` };
}

interface Packument {
  versions?: Record<string, { dist: { tarball: string } }>;
}

function auth(t: Target): Record<string, string> {
  return { Authorization: `Bearer ${t.token}` };
}

/** `@bench/KIND-N` for even N, `bench-KIND-N` for odd: half the packages are scoped. */
function packageName(kind: string, i: number): string {
  const n = String(i).padStart(2, '0');
  return i % 2 === 0 ? `@bench/${kind}-${n}` : `bench-${kind}-${n}`;
}

/** The URL path segment npm uses: scoped names with a lowercase `%2f` (shared/clients/REPORT.md §5). */
function encodeName(name: string): string {
  return name.startsWith('@') ? name.replace('/', '%2f') : name;
}

function get(t: Target, name: string, accept: string) {
  return t.server.client.expect(200, 'GET', `${t.base}${encodeName(name)}`, { headers: { ...auth(t), Accept: accept } });
}

/** `npm publish` as npm 11 sends it: one PUT of the packument with the version and its tarball attached. */
async function publish(t: Target, name: string, version: string): Promise<void> {
  const tgz = tarball(name, version);
  const file = `${name}-${version}.tgz`;
  const body = Buffer.from(
    JSON.stringify({
      _id: name,
      name,
      description: `bench package ${name}`,
      'dist-tags': { latest: version },
      versions: {
        [version]: {
          name,
          version,
          description: `bench package ${name}`,
          main: 'index.js',
          license: 'MIT',
          _id: `${name}@${version}`,
          _nodeVersion: process.versions.node,
          _npmVersion: '11.0.0',
          dist: {
            integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
            shasum: createHash('sha1').update(tgz).digest('hex'),
            tarball: `${t.registryUrl}${name}/-/${file.slice(file.lastIndexOf('/') + 1)}`,
          },
        },
      },
      access: null,
      _attachments: { [file]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length } },
    }),
  );
  const reply = await t.server.client.request('PUT', `${t.base}${encodeName(name)}`, {
    headers: { ...auth(t), 'Content-Type': 'application/json', 'Content-Length': body.length, 'npm-command': 'publish' },
    body,
  });
  if (reply.status !== 200 && reply.status !== 201) {
    throw new Error(`${t.server.spec.label}: publish ${name}@${version}: ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`);
  }
}

/** A small npm package tarball: package/package.json, package/index.js and a ~2 KB README. */
function tarball(name: string, version: string): Buffer {
  const words = prng(name.length * 1000 + version.length);
  const readme = `# ${name}\n\n` + Array.from({ length: 300 }, () => Math.floor(words() * 36 ** 4).toString(36)).join(' ') + '\n';
  return tarGz([
    { path: 'package/package.json', data: Buffer.from(JSON.stringify({ name, version, description: `bench package ${name}`, main: 'index.js', license: 'MIT' }, null, 2)) },
    { path: 'package/index.js', data: Buffer.from(`module.exports = ${JSON.stringify(`${name}@${version}`)};\n`) },
    { path: 'package/README.md', data: Buffer.from(readme) },
  ]);
}

/** gzip'd ustar archive of regular files (what npm pack writes, minus extended headers). */
function tarGz(files: { path: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';
  for (const f of files) {
    const h = Buffer.alloc(512);
    h.write(f.path, 0, 100, 'utf8');
    h.write(octal(0o644, 8), 100);
    h.write(octal(0, 8), 108);
    h.write(octal(0, 8), 116);
    h.write(octal(f.data.length, 12), 124);
    h.write(octal(TAR_MTIME, 12), 136);
    h.fill(' ', 148, 156);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + ' ', 148);
    parts.push(h, f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** `count` indices below `n`, the same pseudo-random sequence for every server. */
function sequence(count: number, n: number, seed: number): number[] {
  const next = prng(seed);
  return Array.from({ length: count }, () => Math.floor(next() * n));
}

/**
 * The machine's npm, with its own user config naming only the server under test (and an empty global
 * config, so the machine's registry is never consulted). `cold`: a fresh project dir (no lockfile, no
 * node_modules) and an empty cache. `warm`: the same dir again with node_modules removed, so the lockfile
 * and the cache the cold run left are present. Returns the wall time in ms.
 */
async function npmInstall(t: Target, dir: string, deps: string[], mode: 'cold' | 'warm', httpLogDir?: string): Promise<number> {
  const cache = join(dir, '..', `${dir.slice(dir.lastIndexOf('/') + 1)}-cache`);
  const project = join(dir, 'project');
  const host = `//127.0.0.1:${t.server.port}${t.base}`;
  if (mode === 'cold') {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(dir, 'npmrc'),
      [
        `registry=${t.registryUrl}`,
        `${host}:_authToken=${t.token}`,
        `cache=${cache}`,
        // as the machine's ~/.npmrc and the project's .npmrc have it: lockfiles carry no registry URL
        'omit-lockfile-registry-resolved=true',
        'update-notifier=false',
        'fund=false',
        'audit=false',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'global-npmrc'), '');
    const dependencies = Object.fromEntries(deps.map((d) => [d, '^1.0.0']));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, dependencies }, null, 2) + '\n');
  } else {
    if (!existsSync(join(project, 'package-lock.json'))) throw new Error(`${t.server.spec.label}: no package-lock.json after the cold install`);
    rmSync(join(project, 'node_modules'), { recursive: true, force: true });
  }
  const env = {
    ...withoutNpmConfig(process.env),
    NPM_CONFIG_USERCONFIG: join(dir, 'npmrc'),
    NPM_CONFIG_GLOBALCONFIG: join(dir, 'global-npmrc'),
    NO_UPDATE_NOTIFIER: '1',
  };
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const args = ['install', '--no-audit', '--no-fund', `--loglevel=${httpLogDir ? 'http' : 'error'}`];
    execFile('npm', args, { cwd: project, env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      if (httpLogDir) writeFileSync(join(httpLogDir, `${t.server.spec.id}-${dir.slice(dir.lastIndexOf('/') + 1)}-${mode}.log`), stderr);
      if (err) reject(new Error(`${t.server.spec.label}: npm install (${mode}) failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve();
    });
  });
  const ms = performance.now() - t0;
  const installed = countInstalled(join(project, 'node_modules'));
  if (installed !== deps.length) throw new Error(`${t.server.spec.label}: npm install (${mode}) left ${installed} of ${deps.length} packages in node_modules`);
  return ms;
}

function countInstalled(nodeModules: string): number {
  if (!existsSync(nodeModules)) return 0;
  let n = 0;
  for (const e of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    if (e.name.startsWith('@')) n += readdirSync(join(nodeModules, e.name)).length;
    else n++;
  }
  return n;
}
