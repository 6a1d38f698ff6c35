// apt-get through a remote APT repository whose upstream is a suite of another emulator's standard APT repository
// (`…/projects/P/dists/origin`, a loopback upstream): the remote signs its own Release over the upstream's indexes
// with its Filenames moved below `pool/proxy/`, apt verifies it with the remote's key, pool files are fetched once
// and then served from the cache, also once the upstream is gone.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { aptRoot, buildDeb } from './deb-fixtures.js';

describeWithClients(['apt-get', 'dpkg-deb'], 'apt-get through a remote APT repository', () => {
  let upstream: TestEmulator;
  let emu: TestEmulator;
  let dir: string;
  let keyFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-apt-remote-'));
    upstream = await startEmulator({ grpcPort: false });
    await upstream.createRepository('origin', { format: 'APT' });
    for (const spec of [{ name: 'cached-tool', version: '0.9' }, { name: 'native-tool', version: '1.0', arch: 'amd64' }]) {
      const up = await fetch(`${upstream.url}/upload/v1/projects/${P}/locations/us-central1/repositories/origin/aptArtifacts:create?uploadType=media`, { method: 'POST', body: await buildDeb(dir, spec) });
      if (up.status !== 200) throw new Error(await up.text());
    }
    emu = await startEmulator({ grpcPort: false });
    const res = await fetch(`${emu.url}/v1/projects/${P}/locations/us-central1/repositories?repositoryId=proxy`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'APT', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { commonRepository: { uri: `${upstream.url}/projects/${P}/dists/origin` } } }),
    });
    if (res.status !== 200) throw new Error(await res.text());
    keyFile = join(dir, 'key.gpg');
    await writeFile(keyFile, Buffer.from(await (await fetch(`${emu.url}/doc/repo-signing-key.gpg`)).arrayBuffer()));
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    await upstream?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const line = () => `deb [signed-by=${keyFile}] ${emu.url}/projects/${P} proxy main`;

  it('downloads through the remote with its own signature, then from its cache once the upstream is gone', async () => {
    const release = await (await fetch(`${emu.url}/projects/${P}/dists/proxy/Release`)).text();
    expect(release).toMatch(/^Suite: proxy$/m);
    expect(await (await fetch(`${emu.url}/projects/${P}/dists/proxy/main/binary-amd64/Packages`)).text()).toMatch(/^Filename: pool\/proxy\/origin\/n\/native-tool\/native-tool_1\.0_amd64\.deb$/m);
    const apt = await aptRoot(join(dir, 'ok'), line());
    const update = await apt.get(['update']);
    expect(update.code, update.out).toBe(0);
    expect(update.out).not.toMatch(/^(W|E):/m);
    const dl = await apt.get(['download', 'cached-tool', 'native-tool']);
    expect(dl.code, dl.out).toBe(0);
    expect((await readdir(join(apt.dir, 'dl'))).sort()).toEqual(['cached-tool_0.9_all.deb', 'native-tool_1.0_amd64.deb']);

    await upstream.stop();
    const again = await aptRoot(join(dir, 'offline'), line());
    expect((await again.get(['update'])).code).toBe(0);
    const dl2 = await again.get(['download', 'cached-tool']);
    expect(dl2.code, dl2.out).toBe(0);
    expect(await readdir(join(again.dir, 'dl'))).toEqual(['cached-tool_0.9_all.deb']);
  });

  it('answers 404 for pool paths that are no .deb or climb out', async () => {
    for (const p of ['origin/c/cached-tool/README', 'origin/c/cached-tool/..%2F..%2Fx.deb', 'origin//x.deb']) {
      expect((await fetch(`${emu.url}/projects/${P}/pool/proxy/${p}`)).status, p).toBe(404);
    }
  });
});
