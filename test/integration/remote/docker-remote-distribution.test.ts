// A Docker remote repository over a real OCI registry: Debian's docker-registry (CNCF distribution) on loopback,
// its access log counting the requests it gets. The first pull is a cache miss, the second a hit with no upstream
// request; with the upstream stopped the pull still works (HTTP pulls, then skopeo when installed).
import { spawn, type ChildProcess } from 'node:child_process';
import { createContainersEnv } from '../../support/clients/containers.js';
import { run } from '../../support/clients/run.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients, requireClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { Registry, sha256 } from '../../support/registry.js';

const REPO = 'hub';
const NAME = `${TEST_PROJECT}/${REPO}`;
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describeWithClients(['docker-registry'], 'Docker remote repository over docker-registry', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let upstreamUrl: string;
  let log: string;
  let emu: TestEmulator;
  let image: { digest: string; layer: string; config: string };

  const upstreamRequests = async (fragment: string) => (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes(fragment)).length;
  const pull = (path: string) => fetch(`${emu.url}/v2/${NAME}/${path}`, { headers: { accept: ACCEPT } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-remote-dist-'));
    const port = await freePort();
    upstreamUrl = `http://127.0.0.1:${port}`;
    log = join(dir, 'registry.log');
    const config = join(dir, 'registry.yml');
    await writeFile(config, ['version: 0.1', 'log:', '  level: info', '  accesslog:', '    disabled: false', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'));
    const { openSync } = await import('node:fs');
    const fd = openSync(log, 'a');
    child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${upstreamUrl}/v2/`)).status === 200) break;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const up = new Registry(upstreamUrl);
    // distribution has no monolithic POST ?digest=: POST a session, then PUT the bytes with the digest
    const pushBlob = async (data: string): Promise<string> => {
      const start = await up.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' });
      const loc = new URL(start.headers.get('location')!, upstreamUrl);
      loc.searchParams.set('digest', sha256(data));
      const done = await up.fetch(loc.toString(), { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: data });
      expect(done.status).toBe(201);
      return sha256(data);
    };
    const imageConfig = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const manifest = {
      schemaVersion: 2,
      mediaType: ACCEPT,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await pushBlob(imageConfig), size: imageConfig.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await pushBlob('real-layer-bytes'), size: 16 }],
    };
    const put = await up.putManifest('team/app', 'v1', manifest);
    expect(put.status).toBe(201);
    image = { digest: put.headers.get('docker-content-digest')!, layer: manifest.layers[0]!.digest, config: manifest.config.digest };
    emu = await startEmulator();
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: upstreamUrl } } } }),
    });
    expect(res.status, await res.text()).toBe(200);
  }, 30_000);
  afterAll(async () => {
    child?.kill();
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('first pull is a miss, second a hit with no upstream request', async () => {
    const first = await pull('team/app/manifests/v1');
    expect(first.status).toBe(200);
    expect(first.headers.get('docker-content-digest')).toBe(image.digest);
    expect(await (await pull(`team/app/blobs/${image.layer}`)).text()).toBe('real-layer-bytes');
    expect((await pull(`team/app/blobs/${image.config}`)).status).toBe(200); // a whole pull: config too
    await new Promise((r) => setTimeout(r, 200)); // the access log is written after the response
    const manifestGets = await upstreamRequests('GET /v2/team/app/manifests/v1');
    const blobGets = await upstreamRequests(`/v2/team/app/blobs/${image.layer}`);
    expect(manifestGets).toBe(1);
    expect(blobGets).toBeGreaterThanOrEqual(1);
    expect((await pull('team/app/manifests/v1')).status).toBe(200);
    expect(await (await pull(`team/app/blobs/${image.layer}`)).text()).toBe('real-layer-bytes');
    await new Promise((r) => setTimeout(r, 200));
    expect(await upstreamRequests('GET /v2/team/app/manifests/v1')).toBe(manifestGets);
    expect(await upstreamRequests(`/v2/team/app/blobs/${image.layer}`)).toBe(blobGets);
  });

  it('with the upstream stopped, the pull still works (HTTP, then skopeo when installed)', async () => {
    child?.kill();
    await new Promise((r) => child?.once('exit', r));
    child = undefined;
    emu.emulator.clock.advance(3600_000); // the tag is due for revalidation: the cache answers, stale
    const res = await pull('team/app/manifests/v1');
    expect(res.status).toBe(200);
    expect(res.headers.get('warning')).toMatch(/Stale/);
    expect(await (await pull(`team/app/blobs/${image.layer}`)).text()).toBe('real-layer-bytes');
    if (requireClients('skopeo').ok) {
      const out = join(dir, 'copy');
      // async: the emulator runs in this process, a synchronous spawn would stall it
      const containers = await createContainersEnv();
      try {
        await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${emu.registryHost}/${NAME}/team/app:v1`, `dir:${out}`], { env: containers.env });
      } finally {
        await containers.cleanup();
      }
      expect(await readFile(join(out, image.layer.slice('sha256:'.length)), 'utf8')).toBe('real-layer-bytes');
    }
  }, 90_000);
});
