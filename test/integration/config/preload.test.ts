// Preloading files from the config file through each format's own upload method: a generic file and a .deb land
// at start and are there to download; applying again uploads nothing twice; a missing preload file is refused at
// its line before anything changes; a corrupt one undoes the round (the repository created with it goes).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlText, syntheticDeb } from '../apt/synthetic-deb.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const L = `projects/${P}/locations/us-central1/repositories`;
let dir: string;
let file: string;
let emu: TestEmulator;
const seed = (extra = '') => `repositories:
  - name: ${L}/files
    format: GENERIC
  - name: ${L}/debs
    format: APT
preload:
  - repository: ${L}/files
    file: report.txt
    packageId: reports
    versionId: '1'
    filename: report.txt
  - repository: ${L}/debs
    file: tool.deb
${extra}`;
const apply = async () => (await (await fetch(`${emu.url}/_emulator/config/apply`, { method: 'POST' })).json()) as { state: string; problems: string[]; last?: { preloaded: string[] } };
const ids = async () => (((await (await fetch(`${emu.url}/v1/projects/${P}/locations/us-central1/repositories`)).json()) as { repositories?: Array<{ name: string }> }).repositories ?? []).map((r) => r.name.split('/').pop()).sort();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'are-preload-'));
  file = join(dir, 'ar-emulator.yaml');
  await writeFile(join(dir, 'report.txt'), 'all green\n');
  await writeFile(join(dir, 'tool.deb'), await syntheticDeb(controlText({ Package: 'seeded-tool', Version: '1.0', Architecture: 'amd64', Maintainer: 'T <t@example.invalid>', Description: 'x' })));
  await writeFile(file, seed());
  emu = await startEmulator({ configFile: file, grpcPort: false, watchConfig: false });
});
afterAll(async () => {
  await emu?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('preload', () => {
  it('uploads each file through its format at start', async () => {
    expect(emu.emulator.configStatus()).toMatchObject({ state: 'applied', last: { preloaded: ['report.txt', 'tool.deb'] } });
    expect(await (await fetch(`${emu.url}/v1/${L}/files/files/reports:1:report.txt:download?alt=media`)).text()).toBe('all green\n');
    expect(await (await fetch(`${emu.url}/projects/${P}/dists/debs/main/binary-amd64/Packages`)).text()).toMatch(/^Package: seeded-tool$/m);
  });

  it('uploads nothing twice when the file is applied again', async () => {
    expect(await apply()).toMatchObject({ state: 'applied', last: { preloaded: [] } });
  });

  it('refuses a missing preload file at its line, before anything changes', async () => {
    await writeFile(file, seed(`  - repository: ${L}/files\n    file: missing.txt\n    packageId: p\n    versionId: '1'\n    filename: missing.txt\n`).replace('repositories:\n', `repositories:\n  - name: ${L}/extra\n    format: GENERIC\n`));
    const r = await apply();
    expect(r.state).toBe('invalid');
    expect(r.problems).toEqual([`${file}:16:1: preload file "missing.txt" does not exist or is not a file`]);
    expect(await ids()).toEqual(['debs', 'files']);
  });

  it('undoes the round when a preload file is refused by its format', async () => {
    await writeFile(join(dir, 'broken.deb'), 'not an ar archive');
    await writeFile(file, seed(`  - repository: ${L}/more-debs\n    file: broken.deb\n`).replace('repositories:\n', `repositories:\n  - name: ${L}/more-debs\n    format: APT\n`));
    const r = await apply();
    expect(r.state).toBe('invalid');
    expect(r.problems[0]).toMatch(/preload "broken\.deb" into .*more-debs: /);
    expect(await ids()).toEqual(['debs', 'files']);
  });
});
