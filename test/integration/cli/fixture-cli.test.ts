// The CLI as a CI fixture: `start --ephemeral --config FILE --export-on-exit DIR` on port 0 (a temp data dir removed
// at exit, the config applied before the ready line, a snapshot with progress lines on the way out), `env-init`
// printing the export lines of the running emulator, `reset` back to the seeded state, `config validate`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;
const run = promisify(execFile);
const procs: ChildProcess[] = [];
let dir: string;
afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ar-emulator as a CI fixture', () => {
  it('start --ephemeral --config, env-init, reset, and the data dir gone at exit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-fixture-cli-'));
    const config = join(dir, 'ar-emulator.yaml');
    await writeFile(config, 'repositories:\n  - name: projects/ci-project/locations/us-central1/repositories/seeded\n    format: NPM\n');
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--grpc-port', 'off', '--ephemeral', '--config', config, '--export-on-exit', join(dir, 'exit-snapshot')], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    procs.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', () => {
        const m = /export ARTIFACT_REGISTRY_EMULATOR_HOST=localhost:(\d+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const dataDir = /\(data: ([^)]+)\)/.exec(stdout)?.[1];
    expect(dataDir && existsSync(dataDir)).toBe(true);
    const url = `http://127.0.0.1:${port}`;
    const env = { ...process.env, ARTIFACT_REGISTRY_EMULATOR_HOST: `127.0.0.1:${port}` };

    const list = async () => ((await (await fetch(`${url}/v1/projects/ci-project/locations/us-central1/repositories`)).json()) as { repositories?: Array<{ name: string }> }).repositories?.map((r) => r.name.split('/').pop());
    expect(await list()).toEqual(['seeded']);

    const init = await run(process.execPath, [BIN, 'env-init'], { env });
    expect(init.stdout).toBe(`export ARTIFACT_REGISTRY_EMULATOR_HOST=localhost:${port}\nexport CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=http://localhost:${port}/\n`);

    await fetch(`${url}/v1/projects/ci-project/locations/us-central1/repositories?repositoryId=scratch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"format":"GENERIC"}' });
    expect(await list()).toEqual(['scratch', 'seeded']);
    const reset = await run(process.execPath, [BIN, 'reset'], { env });
    expect(reset.stdout).toContain('(config applied)');
    expect(await list()).toEqual(['seeded']);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(dataDir!)).toBe(false);
    // --export-on-exit wrote a snapshot first, with percentage progress lines (stderr is not a terminal here)
    expect(stderr).toMatch(/export to .*exit-snapshot: 100% \(\d+\/\d+ shards and blobs\)/);
    expect(existsSync(join(dir, 'exit-snapshot', 'ar-emulator-snapshot.json'))).toBe(true);
    const validated = await run(process.execPath, [BIN, 'config', 'validate', config]);
    expect(validated.stdout).toContain('ok (1 repositories');
  });

  it('--ephemeral with --data-dir is a usage error, and a missing --config file too', async () => {
    const a = await run(process.execPath, [BIN, 'start', '--ephemeral', '--data-dir', '/tmp/x']).then(() => 0, (e: { code: number; stderr: string }) => e);
    expect(a).toMatchObject({ code: 2, stderr: expect.stringContaining('--ephemeral makes its own data dir') });
    const b = await run(process.execPath, [BIN, 'start', '--ephemeral', '--config', '/nonexistent/ar.yaml']).then(() => 0, (e: { code: number; stderr: string }) => e);
    expect(b).toMatchObject({ code: 2, stderr: expect.stringContaining('no such file') });
  });
});
