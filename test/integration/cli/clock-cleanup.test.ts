// `ar-emulator clock`, `cleanup run` and `gc` as a child process against an emulator started here: the clock
// moves and reads back, a dry run lists what would go and deletes nothing, the real run deletes exactly that,
// GC reports what it reclaimed; the emulator's errors print as its message (exit 1), usage errors exit 2.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { Registry } from '../../support/registry.js';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;
const REPO = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/apps`;
const DAY_S = 86_400;

interface Run { code: number; stdout: string; stderr: string }

async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ARTIFACT_REGISTRY_EMULATOR_HOST: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let emu: TestEmulator;
let endpoint: string;
let reg: Registry;
let untagged: string;
/** the untagged image's manifest bytes, and its own layer's (the config is shared with v1) */
let manifestBytes: number;
let layerBytes: number;

beforeAll(async () => {
  // the schedule stays out of the way: only the runs this test asks for happen
  // no automatic GC: the `gc` command's count is exactly what the cleanup left unreferenced
  emu = await startEmulator({ cleanupIntervalMs: 50 * 365 * DAY_S * 1000, autoGc: false });
  endpoint = emu.registryHost;
  reg = new Registry(emu.url);
  const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      format: 'DOCKER',
      cleanupPolicyDryRun: true,
      cleanupPolicies: { 'delete-untagged': { id: 'delete-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '2592000s' } } },
    }),
  });
  expect(res.status, await res.text()).toBe(200);
  const name = `${TEST_PROJECT}/apps/web`;
  const tagged = await reg.putManifest(name, 'v1', await reg.imageManifest(name, 'layer of v1'));
  expect(tagged.status).toBe(201);
  const v0 = await reg.imageManifest(name, 'layer of v0');
  const pushed = await reg.putManifest(name, 'v0', v0);
  expect(pushed.status).toBe(201);
  manifestBytes = Buffer.byteLength(JSON.stringify(v0));
  layerBytes = Buffer.byteLength('layer of v0');
  untagged = pushed.headers.get('docker-content-digest')!;
  // untag v0: its version stays, untagged
  const del = await reg.fetch(`/v2/${name}/manifests/v0`, { method: 'DELETE' });
  expect(del.status).toBe(202);
});
afterAll(() => emu?.stop());

const listVersions = async () =>
  ((await (await fetch(`${emu.url}/v1/${REPO}/packages/web/versions?pageSize=100`)).json()) as { versions?: Array<{ name: string }> }).versions?.map((v) => decodeURIComponent(v.name.split('/versions/')[1]!)) ?? [];

describe('ar-emulator clock', () => {
  it('prints real time with no offset, then follows advance, set and reset', async () => {
    let run = await cli(['clock', '--endpoint', endpoint]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^now: +\d{4}-\d{2}-\d{2}T[\d:.]+Z\noffset: 0s \(real time\)\n$/);

    run = await cli(['clock', 'advance', '30d', '--endpoint', endpoint]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('offset: +30d 0h 0m 0s (2592000s)');
    expect(emu.emulator.clock.offsetMs).toBe(30 * DAY_S * 1000);

    run = await cli(['clock', 'set', '2027-01-01T00:00:00Z', '--endpoint', endpoint]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^now: +2027-01-01T00:00:/);

    run = await cli(['clock', 'reset'], { ARTIFACT_REGISTRY_EMULATOR_HOST: endpoint });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('offset: 0s (real time)');
    expect(emu.emulator.clock.offsetMs).toBe(0);
  });

  it("prints the emulator's message and exits 1 when it refuses a value", async () => {
    const run = await cli(['clock', 'advance', 'soon', '--endpoint', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ar-emulator: Invalid value for field "advance": "soon" is not a duration/);
    expect(run.stdout).toBe('');
    expect(emu.emulator.clock.offsetMs).toBe(0);
  });

  it('exits 2 with the usage on a wrong command or flag', async () => {
    const cases = [['clock', 'sideways'], ['clock', 'advance'], ['clock', 'reset', 'now'], ['clock', '--repository', REPO], ['gc', 'now']];
    const runs = await Promise.all(cases.map((args) => cli([...args, '--endpoint', endpoint])));
    runs.forEach((run, i) => {
      expect(run.code, cases[i]!.join(' ')).toBe(2);
      expect(run.stderr).toContain('usage: ar-emulator clock');
    });
  });

  it('says so when no emulator answers (exit 1)', async () => {
    const run = await cli(['clock', '--endpoint', '127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot reach the emulator at 127\.0\.0\.1:1/);
  });
});

describe('ar-emulator cleanup run', () => {
  it('reports a dry run as a table and deletes nothing, then deletes exactly that with --no-dry-run', async () => {
    expect(await listVersions()).toContain(untagged);
    expect((await cli(['clock', 'advance', '31d', '--endpoint', endpoint])).code).toBe(0);

    // the repository is in dry-run mode: the plain run is a dry run
    const dry = await cli(['cleanup', 'run', '--repository', REPO, '--endpoint', endpoint]);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const lines = dry.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PACKAGE +VERSION +POLICY$/);
    expect(lines[1]).toMatch(new RegExp(`^web +${untagged} +delete-untagged$`));
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(`${REPO}: 1 would be deleted (dry run: nothing was deleted), 1 kept`);
    expect(await listVersions()).toContain(untagged);

    const explicitDry = await cli(['cleanup', 'run', '--repository', REPO, '--dry-run', '--endpoint', endpoint]);
    expect(explicitDry.stdout).toBe(dry.stdout);

    const real = await cli(['cleanup', 'run', '--repository', REPO, '--no-dry-run', '--endpoint', endpoint]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout.split('\n')[1]).toMatch(new RegExp(`^web +${untagged} +delete-untagged$`));
    expect(real.stdout.trimEnd().split('\n').at(-1)).toBe(`${REPO}: 1 deleted, 1 kept`);
    expect(await listVersions()).not.toContain(untagged);
    expect(await listVersions()).toHaveLength(1);

    const again = await cli(['cleanup', 'run', '--repository', REPO, '--no-dry-run', '--endpoint', endpoint]);
    expect(again.stdout).toBe(`${REPO}: 0 deleted, 1 kept\n`);
  });

  it("prints the emulator's message for an unknown or malformed repository (exit 1)", async () => {
    const missing = await cli(['cleanup', 'run', '--repository', `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/nope`, '--endpoint', endpoint]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ar-emulator: Repository projects\/test-project\/locations\/us-central1\/repositories\/nope was not found\./);
    const malformed = await cli(['cleanup', 'run', '--repository', 'apps', '--endpoint', endpoint]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/Invalid value for field "repository"/);
  });

  it('exits 2 on usage errors', async () => {
    const cases = [['cleanup'], ['cleanup', 'walk', '--repository', REPO], ['cleanup', 'run'], ['cleanup', 'run', '--repository', REPO, '--dry-run', '--no-dry-run'], ['cleanup', 'run', '--repository']];
    const runs = await Promise.all(cases.map((args) => cli([...args, '--endpoint', endpoint])));
    runs.forEach((run, i) => {
      expect(run.code, cases[i]!.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^ar-emulator: /);
    });
  });
});

describe('ar-emulator gc', () => {
  it('prints the blobs deleted and the bytes reclaimed: those the cleanup left unreferenced', async () => {
    const run = await cli(['gc', '--endpoint', endpoint]);
    expect(run.code, run.stderr).toBe(0);
    // the deleted manifest; its layer too unless the repository still links it (a registry keeps blob links)
    expect([`1 blob deleted, ${manifestBytes} B reclaimed\n`, `2 blobs deleted, ${manifestBytes + layerBytes} B reclaimed\n`]).toContain(run.stdout);
    const again = await cli(['gc', '--endpoint', endpoint]);
    expect(again.stdout).toBe('0 blobs deleted, 0 B reclaimed\n');
  });
});
