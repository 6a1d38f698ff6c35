// Reference peers installed from npm on first use, each into its own gitignored dir under bench/peers/.
// verdaccio 6.8.0 is the npm bench's peer (shared/clients/REPORT.md §1 and §5): ≥ 6.10 needs Node 22, and
// without the node-fetch override its install fails (`notarget No matching version found for node-fetch@cjs`).
// The install goes through the machine's own npm and its configured registry; nothing here names one.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PEERS = join(import.meta.dirname, 'peers');
export const VERDACCIO_VERSION = '6.8.0';
export const VERDACCIO_DIR = join(PEERS, 'verdaccio');
export const VERDACCIO_BIN = join(VERDACCIO_DIR, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

const VERDACCIO_PACKAGE = {
  name: 'bench-peer-verdaccio',
  private: true,
  description: 'The npm bench reference peer, installed by bench/peers.ts on first use (see bench/README.md).',
  dependencies: { verdaccio: VERDACCIO_VERSION },
  overrides: { 'node-fetch': '2.7.0' },
};

/** Installs verdaccio into bench/peers/verdaccio unless that exact version is already there. Idempotent. */
export function ensureVerdaccio(log: (line: string) => void): string {
  if (installedVersion() === VERDACCIO_VERSION) return VERDACCIO_BIN;
  mkdirSync(VERDACCIO_DIR, { recursive: true });
  writeFileSync(join(VERDACCIO_DIR, 'package.json'), JSON.stringify(VERDACCIO_PACKAGE, null, 2) + '\n');
  log(`bench: installing verdaccio@${VERDACCIO_VERSION} into bench/peers/verdaccio (once)`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
    cwd: VERDACCIO_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: withoutNpmConfig(process.env),
  });
  const got = installedVersion();
  if (got !== VERDACCIO_VERSION) throw new Error(`bench/peers/verdaccio: expected verdaccio ${VERDACCIO_VERSION} after npm install, found ${got ?? 'nothing'}`);
  return VERDACCIO_BIN;
}

function installedVersion(): string | undefined {
  const pkg = join(VERDACCIO_DIR, 'node_modules', 'verdaccio', 'package.json');
  if (!existsSync(pkg) || !existsSync(VERDACCIO_BIN)) return undefined;
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version;
}

/**
 * The environment minus every npm_config_* variable: `npm run bench` exports the project's config that
 * way, and a child npm must see only the config files it is given.
 */
export function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_config_/i.test(k)));
}
