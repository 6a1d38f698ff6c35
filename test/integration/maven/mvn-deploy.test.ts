// mvn deploy and resolution against a MAVEN repository with the settings.xml that print-settings gives: a release
// and two SNAPSHOT builds are deployed, a second project compiles against them from the emulator only, a release
// redeploy is refused (409), and the generated maven-metadata.xml and checksums are what Maven reads.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { CommandError, run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { checkSeededPlugins, describeWithMaven, localRepositoryCopy, mvn, writeConsumer, writeGlobalSettings, writeLibrary } from './mvn-projects.js';

const HELLO = { groupId: 'com.example.hello', artifactId: 'hello', version: '1.0.0' };
const LIB = { groupId: 'com.example', artifactId: 'lib', version: '2.1.0-SNAPSHOT' };
const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CommandError) return `${err.stdout}${err.stderr}`.replace(/\s+/g, ' ');
    throw err;
  }
  throw new Error('expected mvn to fail');
}

describeWithMaven('mvn deploy and resolve against a MAVEN repository', () => {
  let emu: TestEmulator;
  let work = '';
  const events: EmulatorEvent[] = [];
  const repoUrl = () => `${emu.url}/${TEST_PROJECT}/maven-repo`;
  const userSettings = () => join(work, 'settings.xml');
  const globalSettings = () => join(work, 'global.xml');

  beforeAll(async () => {
    await checkSeededPlugins();
    work = await mkdtemp(join(tmpdir(), 'are-maven-'));
    emu = await startEmulator();
    emu.emulator.events.onAny((e) => void events.push(e));
    await emu.createRepository('maven-repo', { format: 'MAVEN' });
    // `ar-emulator print-settings mvn`, as a user would run it; its settings.xml part is the user settings as printed
    const printed = await run(process.execPath, [BIN, 'print-settings', 'mvn', '--repository', 'maven-repo', '--project', TEST_PROJECT, '--location', TEST_LOCATION, '--endpoint', emu.registryHost], { env: { ARTIFACT_REGISTRY_EMULATOR_HOST: undefined } });
    const snippet = printed.stdout;
    expect(snippet).toContain('<distributionManagement>');
    const settings = snippet.slice(snippet.indexOf('<settings>'));
    await writeFile(userSettings(), settings);
    const local = await localRepositoryCopy(join(work, 'm2'));
    await writeGlobalSettings(globalSettings(), local, repoUrl());
    await writeLibrary(join(work, 'hello'), HELLO, 'com.example.hello', 'hello', repoUrl());
    await writeLibrary(join(work, 'lib'), LIB, 'com.example.lib', 'lib build 1', repoUrl());
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('deploys a release and two SNAPSHOT builds; version metadata gives the newest build', async () => {
    await mvn(join(work, 'hello'), userSettings(), globalSettings(), ['deploy']);
    await mvn(join(work, 'lib'), userSettings(), globalSettings(), ['deploy']);
    await writeLibrary(join(work, 'lib'), LIB, 'com.example.lib', 'lib build 2', repoUrl());
    await mvn(join(work, 'lib'), userSettings(), globalSettings(), ['deploy']);

    const jar = await fetch(`${repoUrl()}/com/example/hello/hello/1.0.0/hello-1.0.0.jar`);
    expect(jar.status).toBe(200);
    const bytes = Buffer.from(await jar.arrayBuffer());
    for (const alg of ['sha1', 'md5', 'sha256', 'sha512']) {
      const sum = await fetch(`${repoUrl()}/com/example/hello/hello/1.0.0/hello-1.0.0.jar.${alg}`);
      expect(await sum.text()).toBe(createHash(alg).update(bytes).digest('hex'));
    }
    const meta = await (await fetch(`${repoUrl()}/com/example/hello/hello/maven-metadata.xml`)).text();
    expect(meta).toContain('<release>1.0.0</release>');
    const snap = await (await fetch(`${repoUrl()}/com/example/lib/2.1.0-SNAPSHOT/maven-metadata.xml`)).text();
    expect(snap).toMatch(/<buildNumber>2<\/buildNumber>/);
    expect(snap).toMatch(/<extension>jar<\/extension>\s*<value>2\.1\.0-\d{8}\.\d{6}-2<\/value>/);
    const pushed = events.filter((e) => e.type === 'artifact.pushed').map((e) => (e.data as { package: string }).package);
    expect(new Set(pushed)).toEqual(new Set(['com.example.hello:hello', 'com.example:lib']));
  }, 400_000);

  it('a second project resolves the release and the newest SNAPSHOT from the emulator and compiles', async () => {
    const local = join(work, 'm2');
    await rm(join(local, 'com/example'), { recursive: true, force: true });
    await writeConsumer(join(work, 'app'), [{ ...HELLO, pkg: 'com.example.hello' }, { ...LIB, pkg: 'com.example.lib' }], repoUrl());
    await mvn(join(work, 'app'), userSettings(), globalSettings(), ['compile']);
    expect((await readdir(join(work, 'app/target/classes/app'))).includes('Main.class')).toBe(true);
    const snapshots = await readdir(join(local, 'com/example/lib/2.1.0-SNAPSHOT'));
    expect(snapshots.some((f) => /^lib-2\.1\.0-\d{8}\.\d{6}-2\.jar$/.test(f))).toBe(true);
    const jar = snapshots.find((f) => /-2\.jar$/.test(f))!;
    expect((await readFile(join(local, 'com/example/lib/2.1.0-SNAPSHOT', jar))).length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'artifact.pulled' && (e.data as { package: string }).package === 'com.example:lib')).toBe(true);
  }, 300_000);

  it('refuses a release redeploy with 409 and keeps the first bytes', async () => {
    const before = await (await fetch(`${repoUrl()}/com/example/hello/hello/1.0.0/hello-1.0.0.jar.sha256`)).text();
    await writeLibrary(join(work, 'hello'), HELLO, 'com.example.hello', 'hello again', repoUrl());
    const out = await failure(mvn(join(work, 'hello'), userSettings(), globalSettings(), ['deploy']));
    expect(out).toMatch(/409/);
    expect(out).toMatch(/release artifacts cannot be redeployed/);
    expect(await (await fetch(`${repoUrl()}/com/example/hello/hello/1.0.0/hello-1.0.0.jar.sha256`)).text()).toBe(before);
  }, 300_000);
});
