// A remote YUM repository over a loopback upstream (another emulator's standard YUM repository): dnf installs
// through it with repo_gpgcheck=1 against the emulator's own key (the upstream's repomd.xml, re-signed); the files
// are cached, so with the upstream stopped a fresh dnf still installs; with nothing cached the client gets 503.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { buildRpm } from './rpm-fixtures.js';

const run = promisify(execFile);

describeWithClients(['dnf', 'rpmbuild', 'rpm'], 'dnf through a remote YUM repository', () => {
  let upstream: TestEmulator;
  let emu: TestEmulator;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-yum-remote-'));
    upstream = await startEmulator({ grpcPort: false });
    await upstream.createRepository('origin', { format: 'YUM' });
    const rpm = await readFile(await buildRpm(dir, { name: 'cached-tool', version: '0.9' }));
    const up = await fetch(`${upstream.url}/upload/v1/projects/${P}/locations/us-central1/repositories/origin/yumArtifacts:create?uploadType=media`, { method: 'POST', body: rpm });
    if (up.status !== 200) throw new Error(await up.text());
    emu = await startEmulator({ grpcPort: false });
    const res = await fetch(`${emu.url}/v1/projects/${P}/locations/us-central1/repositories?repositoryId=proxy`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'YUM', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { commonRepository: { uri: `${upstream.url}/projects/${P}/origin` } } }),
    });
    if (res.status !== 200) throw new Error(await res.text());
    await emu.createRepository('empty-proxy-target', { format: 'YUM' });
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    await upstream?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const dnf = async (root: string) => {
    const base = join(dir, root);
    await mkdir(join(base, 'repos.d'), { recursive: true });
    const baseurl = `${emu.url}/projects/${P}/proxy`;
    await writeFile(join(base, 'dnf.conf'), ['[main]', `reposdir=${base}/repos.d`, `cachedir=${base}/cache`, `logdir=${base}/log`, `persistdir=${base}/persist`, 'gpgcheck=0', ''].join('\n'));
    await writeFile(join(base, 'repos.d', 'proxy.repo'), ['[proxy]', 'name=proxy', `baseurl=${baseurl}`, 'gpgcheck=0', 'repo_gpgcheck=1', `gpgkey=${baseurl}/repodata/repomd.xml.key`, ''].join('\n'));
    await run('dnf', ['-y', `--config=${base}/dnf.conf`, '--releasever=12', `--installroot=${base}/root`, '--repo=proxy', 'install', 'cached-tool'], { timeout: 240_000 });
    return (await run('rpm', ['--root', join(base, 'root'), '-q', 'cached-tool'])).stdout.trim();
  };

  describe('getRemoteFile', () => {
    it('installs through the remote repository, and again from its cache with the upstream gone', async () => {
      expect(await dnf('first')).toBe('cached-tool-0.9-1.noarch');
      const repomd = await (await fetch(`${emu.url}/projects/${P}/proxy/repodata/repomd.xml`)).text();
      expect(repomd).toBe(await (await fetch(`${upstream.url}/projects/${P}/origin/repodata/repomd.xml`)).text());
      await upstream.stop();
      expect(await dnf('second')).toBe('cached-tool-0.9-1.noarch');
    }, 300_000);

    it('answers 503 for a file it never cached once the upstream is gone, and 404 for a path with ..', async () => {
      const res = await fetch(`${emu.url}/projects/${P}/proxy/Packages/n/never-1-1.noarch.rpm`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/cannot fetch/);
      expect((await fetch(`${emu.url}/projects/${P}/proxy/a/%2E%2E%2Fb.rpm`)).status).toBe(404);
      expect((await fetch(`${emu.url}/projects/${P}/empty-proxy-target/some/other/path`)).status).toBe(404);
    }, 60_000);
  });
});
