// The emulator as a test fixture, from the package itself (docs/fixture.md): `startEmulator()` starts one on a free
// port with a temporary data dir removed at stop, and gives what a test needs: its URLs per client, tokens for
// principals, the virtual clock, upstream faults, reset and stop.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from './core/logger.js';
import { createEmulator, type Emulator, type EmulatorOptions, type ExportResult } from './index.js';

export interface FixtureOptions extends Partial<EmulatorOptions> {
  /** a config file to seed from and watch (docs/config.md); none by default (a fixture never picks one up from the cwd) */
  configFile?: string;
}

/** A repository's address for each client, by repository id (in the default project unless one is given). */
export interface FixtureUrls {
  /** the control plane's REST root, `http://127.0.0.1:PORT/v1/` */
  rest: string;
  /** `localhost:PORT/PROJECT/REPO` (append `/IMAGE:TAG`) */
  docker(repository: string, project?: string): string;
  /** npm's `registry=` value, `http://127.0.0.1:PORT/PROJECT/REPO/` */
  npm(repository: string, project?: string): string;
  /** pip's `--index-url`, `…/PROJECT/REPO/simple/`; twine's `--repository-url` is the same without `simple/` */
  python(repository: string, project?: string): string;
  /** Maven's repository URL, `…/PROJECT/REPO` */
  maven(repository: string, project?: string): string;
  /** a GOPROXY entry, `…/PROJECT/REPO` */
  go(repository: string, project?: string): string;
  /** an apt source's URI `…/projects/PROJECT` (the suite is the repository id, the component `main`) */
  apt(repository: string, project?: string): string;
  /** a yum/dnf baseurl, `…/projects/PROJECT/REPO` */
  yum(repository: string, project?: string): string;
}

export interface EmulatorFixture {
  url: string;
  /** `127.0.0.1:PORT` of the plaintext gRPC control plane (undefined when it is off) */
  grpcAddress: string | undefined;
  urls: FixtureUrls;
  /** an access token for `user:EMAIL` or `serviceAccount:EMAIL` (what IAM in enforce mode checks) */
  token(principal: string, ttlSeconds?: number): Promise<string>;
  clock: Emulator['clock'];
  faults: Emulator['upstream'];
  /** back to the seeded state: everything deleted, the config file applied again */
  reset(): Promise<void>;
  /** a consistent, checksummed snapshot into `dir` while serving; start from it with `startEmulator({ importSnapshot: dir })` */
  snapshot(dir: string): Promise<ExportResult>;
  stop(): Promise<void>;
  emulator: Emulator;
}

export async function startEmulator(options: FixtureOptions = {}): Promise<EmulatorFixture> {
  const ownDir = options.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'ar-emulator-'));
  let emulator: Emulator;
  try {
    emulator = await createEmulator({ port: 0, logger: silentLogger, ...options, dataDir: options.dataDir ?? ownDir! });
  } catch (err) {
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
    throw err;
  }
  const url = emulator.url;
  const port = emulator.port;
  const p = (project?: string) => project ?? emulator.defaultProject;
  const urls: FixtureUrls = {
    rest: `${url}/v1/`,
    docker: (r, project) => `localhost:${port}/${p(project)}/${r}`,
    npm: (r, project) => `${url}/${p(project)}/${r}/`,
    python: (r, project) => `${url}/${p(project)}/${r}/simple/`,
    maven: (r, project) => `${url}/${p(project)}/${r}`,
    go: (r, project) => `${url}/${p(project)}/${r}`,
    apt: (_r, project) => `${url}/projects/${p(project)}`,
    yum: (r, project) => `${url}/projects/${p(project)}/${r}`,
  };
  let stopped: Promise<void> | undefined;
  return {
    url,
    grpcAddress: emulator.grpcPort === undefined ? undefined : `127.0.0.1:${emulator.grpcPort}`,
    urls,
    async token(principal, ttlSeconds) {
      const res = await fetch(`${url}/_emulator/iam/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ principal, ...(ttlSeconds ? { ttlSeconds } : {}) }) });
      const body = (await res.json()) as { accessToken?: string; error?: { message?: string } };
      if (!res.ok || !body.accessToken) throw new Error(`token for ${principal}: ${body.error?.message ?? res.status}`);
      return body.accessToken;
    },
    clock: emulator.clock,
    faults: emulator.upstream,
    async reset() {
      const status = await emulator.reset();
      if (status?.state === 'invalid') throw new Error(`reset: the config file has problems:\n  ${status.problems.join('\n  ')}`);
    },
    snapshot: (dir) => emulator.exportSnapshot(dir),
    stop() {
      stopped ??= (async () => {
        await emulator.stop();
        if (ownDir) await rm(ownDir, { recursive: true, force: true });
      })();
      return stopped;
    },
    emulator,
  };
}
