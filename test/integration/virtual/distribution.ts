// Debian's docker-registry (CNCF distribution) on a free loopback port, as the upstream of a remote member:
// no auth, filesystem storage in a temp dir, its access log kept for counting upstream requests.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../support/registry.js';

export interface Distribution {
  url: string;
  dir: string;
  /** access-log lines containing `fragment` */
  requests(fragment: string): Promise<number>;
  /** pushes an image (config + one layer with `layer` as its bytes) and returns its digests */
  push(name: string, tag: string, layer: string | Buffer): Promise<{ manifest: string; layer: string; config: string }>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startDistribution(): Promise<Distribution> {
  const dir = await mkdtemp(join(tmpdir(), 'are-virtual-dist-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = join(dir, 'registry.log');
  const config = join(dir, 'registry.yml');
  await writeFile(config, ['version: 0.1', 'log:', '  level: info', '  accesslog:', '    disabled: false', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'));
  const fd = openSync(log, 'a');
  let child: ChildProcess | undefined = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).status === 200) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // distribution has no monolithic POST ?digest=: POST a session, then PUT the bytes with the digest
  const pushBlob = async (name: string, data: string | Buffer): Promise<string> => {
    const start = await fetch(`${url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    const loc = new URL(start.headers.get('location')!, url);
    loc.searchParams.set('digest', sha256(data));
    const done = await fetch(loc, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: typeof data === 'string' ? data : new Uint8Array(data) });
    if (done.status !== 201) throw new Error(`upstream blob push: ${done.status}`);
    return sha256(data);
  };
  return {
    url,
    dir,
    requests: async (fragment) => (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes(fragment)).length,
    async push(name, tag, layer) {
      const imageConfig = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } });
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await pushBlob(name, imageConfig), size: imageConfig.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await pushBlob(name, layer), size: Buffer.byteLength(layer) }],
      });
      const put = await fetch(`${url}/v2/${name}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
      if (put.status !== 201) throw new Error(`upstream manifest push: ${put.status}`);
      return { manifest: put.headers.get('docker-content-digest')!, layer: sha256(layer), config: sha256(imageConfig) };
    },
    async stop() {
      if (child) {
        const c = child;
        child = undefined;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill();
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
