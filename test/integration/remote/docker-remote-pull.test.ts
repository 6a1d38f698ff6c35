// A real `docker pull` through a Docker remote repository over Debian's docker-registry on loopback: skopeo puts a
// real multi-arch image into the upstream; the engine pulls it through the emulator, forgets it, and pulls it again
// with the upstream stopped (served from the cache).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createContainersEnv, type ContainersEnv } from '../../support/clients/containers.js';
import { startDockerDaemon, type DockerDaemon } from '../../support/clients/docker-daemon.js';
import { writeMultiArchOciLayout } from '../../support/clients/oci-layout.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describeWithClients(['docker-registry', 'skopeo', 'dockerd', 'docker'], 'docker pull through a Docker remote repository', () => {
  let dir = '';
  let registry: ChildProcess | undefined;
  let emu: TestEmulator | undefined;
  let daemon: DockerDaemon | undefined;
  let containers: ContainersEnv | undefined;
  let upstreamHost = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-remote-pull-'));
    const port = await freePort();
    upstreamHost = `127.0.0.1:${port}`;
    const config = join(dir, 'registry.yml');
    await writeFile(config, ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: ${upstreamHost}`, ''].join('\n'));
    const fd = openSync(join(dir, 'registry.log'), 'a');
    registry = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://${upstreamHost}/v2/`).then((r) => r.status === 200, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const layout = join(dir, 'layout');
    await writeMultiArchOciLayout(layout, 'v1', [
      { architecture: 'amd64', files: { 'arch.txt': 'amd64\n' } },
      { architecture: 'arm64', files: { 'arch.txt': 'arm64\n' } },
    ]);
    containers = await createContainersEnv();
    await run('skopeo', ['copy', '--all', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${upstreamHost}/team/multi:v1`], { env: containers.env });
    emu = await startEmulator();
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: `http://${upstreamHost}` } } } }),
    });
    expect(res.status, await res.text()).toBe(200);
    daemon = await startDockerDaemon();
  }, 120_000);
  afterAll(async () => {
    registry?.kill();
    await daemon?.stop();
    await containers?.cleanup();
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('pulls through the cache, then again with the upstream stopped', async () => {
    const ref = `${emu!.registryHost}/${TEST_PROJECT}/pull/team/multi:v1`;
    const docker = (...args: string[]) => run('docker', args, { env: daemon!.env });
    await docker('pull', '--platform', 'linux/amd64', ref);
    await docker('rmi', ref);
    registry!.kill();
    await new Promise((r) => registry!.once('exit', r));
    registry = undefined;
    emu!.emulator.clock.advance(3600_000); // the tag is due for revalidation: the cache answers, stale
    await docker('pull', '--platform', 'linux/amd64', ref);
    const inspect = await docker('image', 'inspect', '--format', '{{.Architecture}}', ref);
    expect(inspect.stdout.trim()).toBe('amd64');
  }, 180_000);
});
