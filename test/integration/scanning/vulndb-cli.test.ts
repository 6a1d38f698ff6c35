// `ar-emulator vulndb import FILE|DIR|ZIP` and `vulndb status` as a child process against an emulator started here:
// files, directories and zips are read offline and sent in batches, progress goes to stderr, the summary to stdout;
// a rejected document makes the exit status 1 and names its file; usage errors exit 2; an emulator that is not
// there is exit 1 with a hint.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;

interface Run { code: number; stdout: string; stderr: string }

async function cli(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ARTIFACT_REGISTRY_EMULATOR_HOST: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const advisory = (id: string, name: string, fixed: string) => ({
  id, modified: '2024-06-01T00:00:00Z', summary: `advisory for ${name}`,
  affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
});

function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(entries)) z.addBuffer(Buffer.from(body), name);
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

let emu: TestEmulator;
let endpoint: string;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ vulnDbSeed: false });
  endpoint = emu.registryHost;
  dir = await mkdtemp(join(tmpdir(), 'are-vulndb-cli-'));
  await writeFile(join(dir, 'one.json'), JSON.stringify(advisory('GHSA-cli0-0000-0001', 'pad-one', '1.0.0')));
  await mkdir(join(dir, 'tree', 'deeper'), { recursive: true });
  await writeFile(join(dir, 'tree', 'a.json'), JSON.stringify(advisory('GHSA-cli0-0000-0002', 'pad-two', '2.0.0')));
  await writeFile(join(dir, 'tree', 'deeper', 'b.json'), JSON.stringify([advisory('GHSA-cli0-0000-0003', 'pad-three', '3.0.0'), advisory('GHSA-cli0-0000-0004', 'pad-four', '4.0.0')]));
  await writeFile(join(dir, 'tree', 'notes.txt'), 'skipped: neither .json nor .zip');
  await writeFile(join(dir, 'dump.zip'), await zipOf(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`npm/GHSA-zip0-0000-${String(i).padStart(4, '0')}.json`, JSON.stringify(advisory(`GHSA-zip0-0000-${String(i).padStart(4, '0')}`, `zip-pkg-${i}`, '1.0.0'))]))));
  await writeFile(join(dir, 'bad.json'), JSON.stringify({ id: 'GHSA-bad0-0000-0001', modified: '2024-06-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'not-a-version' }] }] }] }));
  await writeFile(join(dir, 'truncated.zip'), (await zipOf({ 'a.json': '{}' })).subarray(0, 20));
});
afterAll(async () => {
  await emu?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ar-emulator vulndb', () => {
  it('imports a file, a directory and a zip, with progress on stderr and the summary on stdout', async () => {
    const run = await cli(['vulndb', 'import', join(dir, 'one.json'), join(dir, 'tree'), join(dir, 'dump.zip'), '--endpoint', endpoint]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('added 34, updated 0, unchanged 0, skipped 0 (stored copy newer), ignored 0 (no ecosystem the emulator matches), rejected 0\ndatabase: 34 advisories\n');
    expect(run.stderr).toContain(`vulndb: reading ${join(dir, 'dump.zip')}`);
    expect(run.stderr).toMatch(/vulndb: 34 documents sent \(added 34, updated 0, rejected 0\)/);
    const status = await cli(['vulndb', 'status', '--endpoint', endpoint]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^advisories: 34\n  npm: 34\nlast import: \S+ \(added 34, updated 0, rejected 0\)\n$/);
    // the same files again change nothing
    const again = await cli(['vulndb', 'import', join(dir, 'one.json'), '--endpoint', endpoint]);
    expect(again.stdout).toContain('added 0, updated 0, unchanged 1');
  });

  it('a rejected document is named with its file and the reason, and exits 1', async () => {
    const run = await cli(['vulndb', 'import', join(dir, 'bad.json'), '--endpoint', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`rejected: ${join(dir, 'bad.json')} (GHSA-bad0-0000-0001): affected[0].ranges[0].events[1].fixed: "not-a-version" is not a SemVer version`);
  });

  it('a truncated zip fails with its name and the reason', async () => {
    const run = await cli(['vulndb', 'import', join(dir, 'truncated.zip'), '--endpoint', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/truncated\.zip: The zip cannot be read \(truncated or not a zip\?\)/);
  });

  it('usage errors exit 2; an emulator that is not there exits 1 with a hint', async () => {
    expect((await cli(['vulndb', 'import', '--endpoint', endpoint])).code).toBe(2);
    expect((await cli(['vulndb', 'frobnicate'])).stderr).toContain('unknown vulndb command "frobnicate"');
    const missing = await cli(['vulndb', 'import', join(dir, 'nope.json'), '--endpoint', endpoint]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot read') });
    const down = await cli(['vulndb', 'status', '--endpoint', '127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the emulator at 127.0.0.1:9');
  });
});
