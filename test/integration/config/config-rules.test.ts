// Download rules in the config file (docs/config.md, docs/rules.md): declared rules are created with the repository
// they live in and enforced; an edit changes them live; a removed one is deleted; a bad condition is refused with
// its line and the rules stay as they were.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { Registry } from '../../support/registry.js';

const REPO = `projects/${TEST_PROJECT}/locations/us-central1/repositories/guarded`;
const config = (rules: string) => `repositories:
  - name: ${REPO}
    format: DOCKER
rules:
${rules}`;
const denyApp = (expression: string) => `  - name: ${REPO}/rules/deny-app
    action: DENY
    packageId: app
    condition: { expression: "${expression}" }
`;

describe('rules in the config file', () => {
  let dir: string;
  let file: string;
  let emu: TestEmulator;
  const events: EmulatorEvent[] = [];
  const waitFor = async (ok: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('timed out');
  };
  const rules = async () => ((await (await fetch(`${emu.url}/v1/${REPO}/rules`)).json()) as { rules?: Array<{ name: string; action: string; condition?: { expression: string } }> }).rules ?? [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-config-rules-'));
    file = join(dir, 'ar-emulator.yaml');
    await writeFile(file, config(denyApp("pkg.tag.id == 'blocked'")));
    emu = await startEmulator({ configFile: file });
    emu.emulator.events.onAny((e) => void events.push(e));
  });
  afterAll(async () => {
    await emu?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the declared rule, which refuses the matching pull', async () => {
    expect(await rules()).toEqual([{ name: `${REPO}/rules/deny-app`, action: 'DENY', operation: 'OPERATION_UNSPECIFIED', packageId: 'app', condition: { expression: "pkg.tag.id == 'blocked'" } }]);
    const reg = new Registry(emu.url);
    const manifest = await reg.imageManifest(`${TEST_PROJECT}/guarded/app`);
    expect((await reg.putManifest(`${TEST_PROJECT}/guarded/app`, 'blocked', manifest)).status).toBe(201);
    expect((await reg.putManifest(`${TEST_PROJECT}/guarded/app`, 'fine', manifest)).status).toBe(201);
    expect((await reg.fetch(`/v2/${TEST_PROJECT}/guarded/app/manifests/blocked`)).status).toBe(403);
    expect((await reg.fetch(`/v2/${TEST_PROJECT}/guarded/app/manifests/fine`)).status).toBe(200);
  });

  it('applies an edit of the rule live', async () => {
    await writeFile(file, config(denyApp("pkg.tag.id == 'fine'")));
    await waitFor(async () => (await rules())[0]?.condition?.expression === "pkg.tag.id == 'fine'");
    const reg = new Registry(emu.url);
    expect((await reg.fetch(`/v2/${TEST_PROJECT}/guarded/app/manifests/blocked`)).status).toBe(200);
    expect((await reg.fetch(`/v2/${TEST_PROJECT}/guarded/app/manifests/fine`)).status).toBe(403);
  });

  it('refuses a bad condition with its line and keeps the rule as it was', async () => {
    const from = events.length;
    await writeFile(file, config(denyApp('pkg.version.id <')));
    await waitFor(() => events.slice(from).some((e) => e.type === 'config.invalid'));
    const invalid = events.slice(from).find((e) => e.type === 'config.invalid')!.data as { problems: string[] };
    expect(invalid.problems.join('\n')).toMatch(/ar-emulator\.yaml:5:\d+: .*rules\/deny-app: Invalid value for field "rule\.condition\.expression"/);
    expect((await rules())[0]?.condition?.expression).toBe("pkg.tag.id == 'fine'");
  });

  it('deletes a rule the file no longer declares', async () => {
    await writeFile(file, config('  []\n').replace('rules:\n  []', 'rules: []'));
    await waitFor(async () => (await rules()).length === 0);
  });
});
