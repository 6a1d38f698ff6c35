// The machine's real npm, pointed at one emulator repository: its own userconfig (.npmrc), cache and temp
// dirs, never the machine's registry. Also builds small packages to publish in temp dirs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, run, type RunResult } from '../../support/clients/run.js';

export interface NpmClient {
  /** the registry URL (`http://127.0.0.1:PORT/PROJECT/REPO/`) */
  registry: string;
  work: string;
  npm(args: string[], opts?: { cwd?: string; token?: string | null }): Promise<RunResult>;
  /** npm's output (stdout + stderr) when it fails; throws when it succeeds */
  npmFails(args: string[], opts?: { cwd?: string; token?: string | null }): Promise<string>;
  /** A package directory with package.json and index.js, ready for `npm publish`. */
  makePackage(name: string, version: string, extra?: Record<string, unknown>): Promise<string>;
  /** A fresh project directory with its own package.json. */
  makeProject(): Promise<string>;
  dispose(): Promise<void>;
}

/**
 * `registry` is the repository URL; `scopes` get `@scope:registry=` lines for the same URL; `token` is written
 * as the repository's `_authToken` (null: no credential line at all).
 */
export async function npmClient(registry: string, opts: { scopes?: string[]; token?: string | null } = {}): Promise<NpmClient> {
  const work = await mkdtemp(join(tmpdir(), 'are-npm-'));
  const cache = join(work, 'cache');
  await mkdir(cache);
  const nerf = registry.replace(/^https?:/, '');
  const writeRc = async (file: string, token: string | null | undefined) => {
    const lines = [`registry=${registry}`, ...(opts.scopes ?? []).map((s) => `${s}:registry=${registry}`)];
    if (token) lines.push(`${nerf}:_authToken=${token}`);
    await writeFile(file, `${lines.join('\n')}\n`);
  };
  // not named .npmrc, and not in a directory npm runs in: npm would read it as the project's config too
  const rcDir = join(work, 'rc');
  await mkdir(rcDir);
  const defaultRc = join(rcDir, 'npmrc');
  await writeRc(defaultRc, opts.token === undefined ? 'emulator-test-token' : opts.token);
  let seq = 0;
  // `npx vitest` hands its own npm_config_* (userconfig, cache, …) down: none of them may reach the client
  const inherited = Object.fromEntries(Object.keys(process.env).filter((k) => /^npm_config_/i.test(k)).map((k) => [k, undefined]));
  const env = (rc: string) => ({
    ...inherited,
    NPM_CONFIG_USERCONFIG: rc,
    NPM_CONFIG_GLOBALCONFIG: join(work, 'no-globalconfig'),
    NPM_CONFIG_CACHE: cache,
    NPM_CONFIG_AUDIT: 'false',
    NPM_CONFIG_FUND: 'false',
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    NPM_CONFIG_LOGLEVEL: 'warn',
    NODE_AUTH_TOKEN: undefined,
    CI: undefined,
  });
  const rcFor = async (token: string | null | undefined) => {
    if (token === undefined) return defaultRc;
    const rc = join(rcDir, `npmrc-${++seq}`);
    await writeRc(rc, token);
    return rc;
  };
  const npm: NpmClient['npm'] = async (args, o = {}) => run('npm', [...args, '--cache', cache], { env: env(await rcFor(o.token)), cwd: o.cwd ?? work, timeoutMs: 120_000 });
  return {
    registry,
    work,
    npm,
    async npmFails(args, o = {}) {
      try {
        await npm(args, o);
      } catch (err) {
        if (err instanceof CommandError) return `${err.stdout}${err.stderr}`;
        throw err;
      }
      throw new Error(`expected npm ${args.join(' ')} to fail`);
    },
    async makePackage(name, version, extra = {}) {
      const dir = join(work, `pkg-${++seq}`);
      await mkdir(dir);
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version, description: `test package ${name}`, main: 'index.js', license: 'MIT', ...extra }, null, 2));
      await writeFile(join(dir, 'index.js'), `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`);
      return dir;
    },
    async makeProject() {
      const dir = join(work, `project-${++seq}`);
      await mkdir(dir);
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `project-${seq}`, version: '1.0.0', private: true }));
      return dir;
    },
    dispose: () => rm(work, { recursive: true, force: true }),
  };
}
