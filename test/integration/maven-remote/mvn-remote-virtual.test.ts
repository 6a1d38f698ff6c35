// mvn through Maven remote and virtual repositories. The upstream is a second emulator on loopback (a real Maven
// repository that is not the one under test). A virtual repository over a standard member (internal library) and a
// remote member (public library) serves a consumer's `mvn compile`; the remote caches what it fetched, serves it
// with its upstream gone, and the virtual repository's maven-metadata.xml merges its members' versions.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { checkSeededPlugins, describeWithMaven, localRepositoryCopy, mvn, writeConsumer, writeGlobalSettings, writeLibrary } from '../maven/mvn-projects.js';

const PUBLIC = { groupId: 'org.public', artifactId: 'pub', version: '3.0' };
const INTERNAL = { groupId: 'com.internal', artifactId: 'core', version: '1.0' };
const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}`;

describeWithMaven('mvn through Maven remote and virtual repositories', () => {
  let emu: TestEmulator;
  let up: TestEmulator;
  let work = '';
  const events: EmulatorEvent[] = [];
  const repo = (e: TestEmulator, id: string) => `${e.url}/${TEST_PROJECT}/${id}`;
  const settings = () => join(work, 'settings.xml');
  const create = async (id: string, body: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`create ${id}: ${res.status} ${await res.text()}`);
  };

  beforeAll(async () => {
    await checkSeededPlugins();
    work = await mkdtemp(join(tmpdir(), 'are-maven-remote-'));
    [emu, up] = await Promise.all([startEmulator(), startEmulator()]);
    emu.emulator.events.onAny((e) => void events.push(e));
    await up.createRepository('central', { format: 'MAVEN' });
    await emu.createRepository('internal', { format: 'MAVEN' });
    await create('maven-cache', { format: 'MAVEN', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { mavenRepository: { customRepository: { uri: repo(up, 'central') } } } });
    await create('all', {
      format: 'MAVEN', mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'internal', repository: `${PARENT}/repositories/internal`, priority: 100 }, { id: 'cache', repository: `${PARENT}/repositories/maven-cache`, priority: 50 }] },
    });
    const res = await fetch(`${emu.url}/_emulator/settings/mvn?project=${TEST_PROJECT}&location=${TEST_LOCATION}&repository=all`);
    const snippet = ((await res.json()) as { text: string }).text;
    await writeFile(settings(), snippet.slice(snippet.indexOf('<settings>')));
    const local = await localRepositoryCopy(join(work, 'm2'));
    // deploys go to their own repositories; resolution goes through the virtual one only
    await writeGlobalSettings(join(work, 'global.xml'), local, repo(emu, 'all'));
    await writeLibrary(join(work, 'pub'), PUBLIC, 'org.pub', 'public', repo(up, 'central'));
    await writeLibrary(join(work, 'core'), INTERNAL, 'com.internal.core', 'internal', repo(emu, 'internal'));
    await mvn(join(work, 'pub'), settings(), join(work, 'global.xml'), ['deploy']);
    await mvn(join(work, 'core'), settings(), join(work, 'global.xml'), ['deploy']);
    await rm(join(local, 'org/public'), { recursive: true, force: true });
    await rm(join(local, 'com/internal'), { recursive: true, force: true });
  }, 400_000);
  afterAll(async () => {
    await emu?.stop();
    await up?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a consumer compiles through the virtual repository: the internal library from the standard member, the public one through the remote', async () => {
    await writeConsumer(join(work, 'app'), [{ ...INTERNAL, pkg: 'com.internal.core' }, { ...PUBLIC, pkg: 'org.pub' }], repo(emu, 'all'));
    await mvn(join(work, 'app'), settings(), join(work, 'global.xml'), ['compile']);
    const cached = (await (await fetch(`${emu.url}/v1/${PARENT}/repositories/maven-cache/files`)).json()) as { files?: Array<{ name: string; fetchTime?: string }> };
    const names = (cached.files ?? []).map((f) => decodeURIComponent(f.name.split('/files/')[1]!));
    expect(names).toContain('org/public/pub/3.0/pub-3.0.jar');
    expect(names).toContain('org/public/pub/3.0/pub-3.0.pom');
    expect(cached.files!.every((f) => f.fetchTime)).toBe(true);
    expect(events.some((e) => e.type === 'cache.miss' && (e.data as { package: string }).package === 'org.public:pub')).toBe(true);
  }, 300_000);

  it('serves cached files with the upstream gone, and merges the members\' versions in the virtual metadata', async () => {
    await up.stop();
    const jar = await fetch(`${repo(emu, 'all')}/org/public/pub/3.0/pub-3.0.jar`);
    expect(jar.status).toBe(200);
    expect(events.some((e) => e.type === 'cache.hit' && (e.data as { package: string }).package === 'org.public:pub')).toBe(true);
    const missing = await fetch(`${repo(emu, 'maven-cache')}/org/public/other/1.0/other-1.0.jar`);
    expect(missing.status).toBe(503);
    expect(missing.statusText).toMatch(/cannot fetch/);
    const internal = await (await fetch(`${repo(emu, 'all')}/com/internal/core/maven-metadata.xml`)).text();
    expect(internal).toContain('<version>1.0</version>');
    expect((await fetch(`${repo(emu, 'all')}/com/internal/core/1.0/core-1.0.jar`, { method: 'PUT', body: 'x' })).status).toBe(405);
  });

  it('a MAVEN_CENTRAL remote without AR_EMULATOR_MAVEN_CENTRAL_URL answers 503 naming the variable', async () => {
    await create('central-preset', { format: 'MAVEN', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { mavenRepository: { publicRepository: 'MAVEN_CENTRAL' } } });
    const saved = process.env.AR_EMULATOR_MAVEN_CENTRAL_URL;
    delete process.env.AR_EMULATOR_MAVEN_CENTRAL_URL;
    try {
      const res = await fetch(`${repo(emu, 'central-preset')}/org/x/y/1.0/y-1.0.pom`);
      expect(res.status).toBe(503);
      expect(res.statusText).toContain('AR_EMULATOR_MAVEN_CENTRAL_URL');
    } finally {
      if (saved !== undefined) process.env.AR_EMULATOR_MAVEN_CENTRAL_URL = saved;
    }
  });
});
