// `ar-emulator env-init` prints the export lines a shell or CI step evaluates to point clients at a running
// emulator (like `gcloud beta emulators … env-init`); `ar-emulator reset` puts a running emulator back to its seeded
// state (POST /_emulator/reset; docs/config.md).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CliFailure, callEmulator } from './cli-client.js';

export const FIXTURE_USAGE = `ar-emulator env-init [--endpoint HOST:PORT]
       ar-emulator reset [--endpoint HOST:PORT]
       ar-emulator export DIR [--endpoint HOST:PORT]`;
export const FIXTURE_HELP = `  env-init     prints export lines for a running emulator: eval "$(ar-emulator env-init)"
  reset        deletes everything in a running emulator, then applies its config file again
  export       a consistent, checksummed snapshot of a running emulator into DIR (start --import DIR restores it)`;

export async function fixtureCommand(command: 'env-init' | 'reset' | 'export', argv: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { endpoint: { type: 'string', default: process.env.ARTIFACT_REGISTRY_EMULATOR_HOST || 'localhost:8088' } }, allowPositionals: true, strict: true }));
    if (command === 'export' ? positionals.length !== 1 : positionals.length !== 0) throw new Error(command === 'export' ? 'export takes one DIR' : `unexpected argument "${positionals[0]}"`);
  } catch (err) {
    process.stderr.write(`ar-emulator: ${(err as Error).message}\nusage: ${FIXTURE_USAGE}\n`);
    return 2;
  }
  const endpoint = values.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  try {
    if (command === 'env-init') {
      const health = (await callEmulator(endpoint, 'GET', '/_emulator/health')) as { url?: string };
      process.stdout.write(envLines(health.url ?? `http://${endpoint}`));
      return 0;
    }
    if (command === 'export') {
      const e = (await callEmulator(endpoint, 'POST', '/_emulator/export', { dir: resolve(positionals[0]!) })) as { dir: string; files: number; bytes: number };
      process.stdout.write(`exported ${e.files} files (${e.bytes} bytes) to ${e.dir}\n`);
      return 0;
    }
    const r = (await callEmulator(endpoint, 'POST', '/_emulator/reset', {})) as { config?: { state?: string; problems?: string[] } | null };
    if (r.config?.state === 'invalid') {
      process.stderr.write(`ar-emulator: reset, but the config file has problems:\n  ${(r.config.problems ?? []).join('\n  ')}\n`);
      return 1;
    }
    process.stdout.write(`reset ${endpoint}${r.config ? ' (config applied)' : ''}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    process.stderr.write(`ar-emulator: ${err.message}\n`);
    return err.status;
  }
}

/** The environment a client needs: the emulator's address, and gcloud's endpoint override for Artifact Registry. */
export function envLines(url: string): string {
  const u = new URL(url);
  const hostPort = `${u.hostname === '127.0.0.1' ? 'localhost' : u.hostname}:${u.port}`;
  return [
    `export ARTIFACT_REGISTRY_EMULATOR_HOST=${hostPort}`,
    `export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=http://${hostPort}/`,
    '',
  ].join('\n');
}
