// The public presets of remote Apt and Yum repositories (aptRepository/yumRepository.publicRepository: a repository
// base and a path below it): validated at create as the API has them, and reached at the base's URL the emulator's
// configuration gives (AR_EMULATOR_APT_DEBIAN_URL, AR_EMULATOR_YUM_ROCKY_URL, …; never written in code), here a
// second emulator on loopback. Without the variable a read answers 503 naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlText, syntheticDeb } from '../apt/synthetic-deb.js';
import { syntheticRpm } from '../../support/rpm-builder.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

let upstream: TestEmulator;
let emu: TestEmulator;
const L = `projects/${P}/locations/us-central1/repositories`;
const saved = { apt: process.env.AR_EMULATOR_APT_DEBIAN_URL, yum: process.env.AR_EMULATOR_YUM_ROCKY_URL };

const create = (id: string, body: Record<string, unknown>) =>
  fetch(`${emu.url}/v1/projects/${P}/locations/us-central1/repositories?repositoryId=${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  upstream = await startEmulator({ grpcPort: false });
  await upstream.createRepository('origin-apt', { format: 'APT' });
  await upstream.createRepository('origin-yum', { format: 'YUM' });
  const deb = await syntheticDeb(controlText({ Package: 'preset-tool', Version: '1.0', Architecture: 'amd64', Maintainer: 'T <t@example.invalid>', Description: 'x' }));
  expect((await fetch(`${upstream.url}/upload/v1/${L}/origin-apt/aptArtifacts:create?uploadType=media`, { method: 'POST', body: deb })).status).toBe(200);
  const rpm = syntheticRpm({ name: 'preset-tool', version: '1.0' });
  expect((await fetch(`${upstream.url}/upload/v1/${L}/origin-yum/yumArtifacts:create?uploadType=media`, { method: 'POST', body: rpm })).status).toBe(200);
  emu = await startEmulator({ grpcPort: false });
});
afterAll(async () => {
  for (const [k, v] of [['AR_EMULATOR_APT_DEBIAN_URL', saved.apt], ['AR_EMULATOR_YUM_ROCKY_URL', saved.yum]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await emu?.stop();
  await upstream?.stop();
});

describe('Apt and Yum presets', () => {
  it('are validated at create: a known base and a relative path', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ aptRepository: { publicRepository: { repositoryBase: 'FEDORA', repositoryPath: 'x/dists/y' } } }, /repository_base.*DEBIAN, UBUNTU, DEBIAN_SNAPSHOT/],
      [{ aptRepository: { publicRepository: { repositoryBase: 'DEBIAN', repositoryPath: '../etc' } } }, /repository_path/],
      [{ aptRepository: { publicRepository: { repositoryBase: 'DEBIAN' } } }, /repository_path/],
      [{ aptRepository: { publicRepository: 'DEBIAN' } }, /must be an object/],
    ];
    for (const [remoteRepositoryConfig, message] of cases) {
      const res = await create('bad-preset', { format: 'APT', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const ok = await create('apt-preset', { format: 'APT', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { aptRepository: { publicRepository: { repositoryBase: 'debian', repositoryPath: `projects/${P}/dists/origin-apt` } } } });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const got = (await (await fetch(`${emu.url}/v1/${L}/apt-preset`)).json()) as { remoteRepositoryConfig: unknown };
    expect(got.remoteRepositoryConfig).toEqual({ aptRepository: { publicRepository: { repositoryBase: 'DEBIAN', repositoryPath: `projects/${P}/dists/origin-apt` } } });
    const yum = await create('yum-preset', { format: 'YUM', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { yumRepository: { publicRepository: { repositoryBase: 'ROCKY', repositoryPath: `projects/${P}/origin-yum` } } } });
    expect(yum.status, await yum.clone().text()).toBe(200);
  });

  it('answer 503 naming the variable while it is not set, and read through the base URL once it is', async () => {
    delete process.env.AR_EMULATOR_APT_DEBIAN_URL;
    delete process.env.AR_EMULATOR_YUM_ROCKY_URL;
    const apt = await fetch(`${emu.url}/projects/${P}/dists/apt-preset/InRelease`);
    expect(apt.status).toBe(503);
    expect(await apt.text()).toContain('AR_EMULATOR_APT_DEBIAN_URL');
    const yum = await fetch(`${emu.url}/projects/${P}/yum-preset/repodata/repomd.xml`);
    expect(yum.status).toBe(503);
    expect(await yum.text()).toContain('AR_EMULATOR_YUM_ROCKY_URL');

    process.env.AR_EMULATOR_APT_DEBIAN_URL = `${upstream.url}/`;
    process.env.AR_EMULATOR_YUM_ROCKY_URL = upstream.url;
    const packages = await fetch(`${emu.url}/projects/${P}/dists/apt-preset/main/binary-amd64/Packages`);
    expect(packages.status).toBe(200);
    expect(await packages.text()).toMatch(/^Package: preset-tool$/m);
    const repomd = await fetch(`${emu.url}/projects/${P}/yum-preset/repodata/repomd.xml`);
    expect(repomd.status).toBe(200);
    expect(await repomd.text()).toContain('primary');
  });
});
