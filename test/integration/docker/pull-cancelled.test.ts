// A real `docker pull` of a multi-MiB layer cancelled mid-layer (SIGINT to the CLI, as Ctrl-C does): the
// daemon drops the blob download and the emulator — a child process, so a crash would be visible — keeps
// answering, and the next pull succeeds. A throttling TCP proxy between dockerd and the emulator makes
// "mid-layer" certain: the CLI is interrupted once part of the layer has passed through it.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DockerDaemon, startDockerDaemon } from '../../support/clients/docker-daemon.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { createTar } from '../../support/clients/tar.js';
import { EmulatorProcesses, waitFor, type EmulatorProcess } from '../../support/process.js';

const PROJECT = 'pull-project';
const REPOSITORY = 'pull-repo';
const IMAGE = `${PROJECT}/${REPOSITORY}/big`;
const MiB = 1 << 20;
const LAYER_PAYLOAD = 24 * MiB;
/** proxy rate from the emulator to dockerd: the layer takes ~3 s, so the interrupt lands inside it */
const BYTES_PER_SECOND = 8 * MiB;
const INTERRUPT_AFTER = 4 * MiB;

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface ThrottlingProxy {
  port: number;
  /** bytes sent from the emulator to the client, per connection that is still open or was closed */
  connections: Array<{ down: number; upstreamClosed: boolean }>;
  close(): Promise<void>;
}

/** A TCP proxy to `port` that passes the emulator's answers on at `rate` bytes per second. */
async function throttlingProxy(port: number, rate: number): Promise<ThrottlingProxy> {
  const connections: ThrottlingProxy['connections'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    const stats = { down: 0, upstreamClosed: false };
    connections.push(stats);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      stats.down += chunk.length;
      client.write(chunk);
      upstream.pause();
      setTimeout(() => upstream.resume(), (chunk.length / rate) * 1000);
    });
    upstream.on('end', () => client.end());
    upstream.on('close', () => {
      stats.upstreamClosed = true;
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A gzip-compressed layer of incompressible bytes, its config and a Docker schema 2 manifest. */
function buildImage() {
  const tar = createTar({ 'payload.bin': randomBytes(LAYER_PAYLOAD) });
  const layer = gzipSync(tar, { level: 1 });
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(tar)] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256(layer) }],
    }),
  );
  return { layer, config, manifest };
}

describeWithClients(['dockerd', 'docker'], 'docker pull cancelled in the middle of a layer', () => {
  const processes = new EmulatorProcesses();
  let dataDir = '';
  let emulator: EmulatorProcess;
  let daemon: DockerDaemon | undefined;
  let proxy: ThrottlingProxy | undefined;
  let manifestDigest = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'are-pull-cancel-'));
    emulator = await processes.start({ dataDir });
    const created = await fetch(`${emulator.url}/v1/projects/${PROJECT}/locations/us-central1/repositories?repositoryId=${REPOSITORY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'DOCKER' }),
    });
    expect(created.status, await created.text()).toBe(200);
    const image = buildImage();
    for (const blob of [image.layer, image.config]) {
      const put = await fetch(`${emulator.url}/v2/${IMAGE}/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: blob });
      expect(put.status).toBe(201);
    }
    const put = await fetch(`${emulator.url}/v2/${IMAGE}/manifests/v1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
      body: image.manifest,
    });
    expect(put.status).toBe(201);
    manifestDigest = sha256(image.manifest);
    proxy = await throttlingProxy(emulator.port, BYTES_PER_SECOND);
    daemon = await startDockerDaemon();
  });

  afterAll(async () => {
    await daemon?.stop();
    await proxy?.close();
    await processes.killAll();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the emulator up when the pull is interrupted mid-layer, and the next pull succeeds', async () => {
    const ref = `127.0.0.1:${proxy!.port}/${IMAGE}:v1`;
    const cli: ChildProcess = spawn('docker', ['pull', ref], { env: { ...process.env, ...daemon!.env }, stdio: 'ignore' });
    const cliExited = new Promise<void>((resolve) => cli.once('close', () => resolve()));
    const layerConnection = await waitFor('part of the layer to pass the proxy', () => proxy!.connections.find((c) => c.down >= INTERRUPT_AFTER), 120_000, 50);
    cli.kill('SIGINT');
    await cliExited;
    // The daemon cancels the transfer once no client waits for it, which closes the blob download.
    await waitFor('the daemon to drop the layer download', () => layerConnection.upstreamClosed, 60_000, 50);
    expect(layerConnection.down).toBeLessThan(LAYER_PAYLOAD);

    const exited = await Promise.race([emulator.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 300))]);
    expect(exited, `the emulator exited\n${emulator.stderr().slice(-3000)}`).toBe('running');
    expect((await fetch(`${emulator.url}/v2/`)).status).toBe(200);

    // Straight to the emulator (no proxy): the whole image, digest as pushed.
    const direct = `127.0.0.1:${emulator.port}/${IMAGE}:v1`;
    await run('docker', ['pull', direct], { env: daemon!.env, timeoutMs: 180_000 });
    const digests = JSON.parse((await run('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', direct], { env: daemon!.env })).stdout) as string[];
    expect(digests).toContain(`127.0.0.1:${emulator.port}/${IMAGE}@${manifestDigest}`);
    expect(emulator.stderr()).not.toMatch(/ERROR|Unhandled|triggerUncaughtException/);
  });
});
