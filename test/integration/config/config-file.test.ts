// The config file as code: applied at start, then watched by chokidar. An edit shows through the API within a
// second; an invalid edit keeps the previous state and is reported with its line (status, feed); a round that the
// API refuses half-way is undone; a repository removed from the file goes unless users pushed into it; IAM
// policies and service-account keys come from the file; a broken file fails the start with its lines.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../emulator/index.js';
import type { EmulatorEvent } from '../../../emulator/core/events.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const L = `projects/${P}/locations/us-central1`;
let dir: string;
let file: string;
let emu: TestEmulator;
const events: EmulatorEvent[] = [];

const repoYaml = (ids: string[], extra = '') =>
  `repositories:\n${ids.map((id) => `  - name: ${L}/repositories/${id}\n    format: GENERIC\n`).join('')}${extra}`;
const get = (path: string) => fetch(`${emu.url}/v1/${path}`);
const ids = async () => {
  const body = (await (await get(`${L}/repositories`)).json()) as { repositories?: Array<{ name: string }> };
  return (body.repositories ?? []).map((r) => r.name.split('/').pop()).sort();
};
/** polls until `check` holds (the watcher is asynchronous), at most `ms` */
async function eventually<T>(check: () => Promise<T | undefined>, ms = 1000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'are-config-'));
  file = join(dir, 'ar-emulator.yaml');
  await writeFile(
    file,
    repoYaml(['seeded'], `iamPolicies:\n  ${L}/repositories/seeded:\n    bindings:\n      - role: roles/artifactregistry.reader\n        members: [allUsers]\nserviceAccounts:\n  - email: ci-bot@${P}.iam.gserviceaccount.com\n    keyFile: ci-key.json\n`),
  );
  emu = await startEmulator({ configFile: file, grpcPort: false });
  emu.emulator.events.onAny((e) => void events.push(e));
});
afterAll(async () => {
  await emu?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the config file', () => {
  it('is applied at start: repositories, their IAM policy, a service account with its key file', async () => {
    expect(await ids()).toEqual(['seeded']);
    const policy = (await (await get(`${L}/repositories/seeded:getIamPolicy`)).json()) as { bindings: unknown[] };
    expect(policy.bindings).toEqual([{ role: 'roles/artifactregistry.reader', members: ['allUsers'] }]);
    const key = JSON.parse(await readFile(join(dir, 'ci-key.json'), 'utf8')) as { client_email: string; type: string };
    expect(key).toMatchObject({ type: 'service_account', client_email: `ci-bot@${P}.iam.gserviceaccount.com` });
    expect(emu.emulator.configStatus()).toMatchObject({ state: 'applied', problems: [] });
  });

  it('an edit applies live: a new repository is there within a second, with a config.applied event', async () => {
    await writeFile(file, repoYaml(['seeded', 'added']));
    expect(await eventually(async () => ((await ids()).includes('added') ? true : undefined))).toBe(true);
    const applied = await eventually(async () => events.find((e) => e.type === 'config.applied'));
    expect(applied.data).toMatchObject({ created: [`${L}/repositories/added`] });
    // the policy the file no longer declares is emptied
    const policy = (await (await get(`${L}/repositories/seeded:getIamPolicy`)).json()) as { bindings?: unknown[] };
    expect(policy.bindings ?? []).toEqual([]);
  });

  it('an invalid edit keeps the last good state and says file:line:column what is wrong', async () => {
    await writeFile(file, `${repoYaml(['seeded', 'added', 'never'])}    colour: blue\n`);
    const invalid = await eventually(async () => events.find((e) => e.type === 'config.invalid'));
    expect((invalid.data as { problems: string[] }).problems).toEqual([`${file}:8:5: unknown field "colour" in repositories.2`]);
    expect(emu.emulator.configStatus()).toMatchObject({ state: 'invalid', problems: [`${file}:8:5: unknown field "colour" in repositories.2`] });
    const status = (await (await fetch(`${emu.url}/_emulator/config`)).json()) as { state: string; problems: string[] };
    expect(status).toMatchObject({ file, state: 'invalid', problems: [`${file}:8:5: unknown field "colour" in repositories.2`] });
    expect(await ids()).toEqual(['added', 'seeded']);
  });

  it('a round the API refuses half-way is undone, and reported at the line of the refused repository', async () => {
    events.length = 0;
    const text = `${repoYaml(['seeded', 'added', 'first-new'])}  - name: ${L}/repositories/bad-one\n    format: GENERIC\n    mode: REMOTE_REPOSITORY\n`;
    await writeFile(file, text);
    const invalid = await eventually(async () => events.find((e) => e.type === 'config.invalid'));
    expect((invalid.data as { problems: string[] }).problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:1: ${L}/repositories/bad-one: `));
    expect(await ids()).toEqual(['added', 'seeded']);
  });

  it('removing a repository deletes it, unless users pushed into it', async () => {
    const up = await fetch(`${emu.url}/upload/v1/${L}/repositories/seeded/genericArtifacts:create?uploadType=multipart`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/related; boundary=xyz' },
      body: `--xyz\r\ncontent-type: application/json\r\n\r\n${JSON.stringify({ packageId: 'p', versionId: '1', filename: 'f.txt' })}\r\n--xyz\r\ncontent-type: application/octet-stream\r\n\r\nhello\r\n--xyz--\r\n`,
    });
    expect(up.status).toBe(200);
    events.length = 0;
    await writeFile(file, 'repositories: []\n');
    const applied = await eventually(async () => events.find((e) => e.type === 'config.applied'));
    expect(applied.data).toMatchObject({ deleted: [`${L}/repositories/added`], kept: [{ name: `${L}/repositories/seeded`, reason: expect.stringContaining('artifacts') }] });
    expect(await ids()).toEqual(['seeded']);
  });

  it('a broken file fails the start with every problem and its line', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'repositories:\n  - name: nope\n    format: NPM\n    extra: 1\n');
    const err = await startEmulator({ configFile: bad, grpcPort: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([`${bad}:4:5: unknown field "extra" in repositories.0`, expect.stringMatching(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:11: repositories.0.name is malformed`))]);
  });
});
