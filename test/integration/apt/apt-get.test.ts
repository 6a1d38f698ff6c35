// Real dpkg-deb and apt-get against an APT repository: .debs built offline are uploaded through
// `aptArtifacts:create` (multipart, as gcloud sends it); `apt-get update` and `apt-get download` in a scratch root
// fetch them from the emulator only, with `signed-by` the location's key from /doc/repo-signing-key.gpg and no
// trusted=yes, over two components and two architectures. A loopback proxy that alters InRelease or the Packages
// indexes makes apt refuse them.
import { createHash } from 'node:crypto';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { LoopbackServer } from '../../support/loopback-server.js';
import { aptRoot, buildDeb, uploadDeb } from './deb-fixtures.js';

const REPO = `projects/${P}/locations/us-central1/repositories/debs`;

/** Forwards to the emulator, altering what `tamper` says (the signed InRelease text, or the Packages indexes). */
class TamperingProxy extends LoopbackServer {
  constructor(private readonly target: string, private readonly tamper: 'inrelease' | 'packages') {
    super();
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const up = request(`${this.target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(this.target).host } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        let body: Buffer = Buffer.concat(chunks);
        const path = req.url ?? '';
        if (r.statusCode === 200 && this.tamper === 'inrelease' && path.endsWith('/InRelease')) {
          body = Buffer.from(body.toString().replace(/^(Description: .*)$/m, '$1 (altered)'));
        }
        // apt fetches the indexes as by-hash/SHA256/HEX (Acquire-By-Hash): the encoding is told by the magic bytes
        if (r.statusCode === 200 && this.tamper === 'packages' && /\/(Packages(\.gz|\.xz)?|by-hash\/SHA256\/[0-9a-f]+)$/.test(path)) {
          const isGz = body[0] === 0x1f && body[1] === 0x8b;
          const isXz = body.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
          const plain = isGz ? gunzipSync(body) : isXz ? xz.decompressSync(body) : body;
          const altered = Buffer.from(plain.toString().replace(/^Version: (.*)$/gm, 'Version: 9$1'));
          body = isGz ? gzipSync(altered) : isXz ? xz.compressSync(altered) : altered;
        }
        res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? 'application/octet-stream', 'content-length': body.length });
        res.end(body);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
}

describeWithClients(['apt-get', 'dpkg-deb'], 'apt-get from a signed APT repository', () => {
  let emu: TestEmulator;
  let dir: string;
  let keyFile: string;
  const debs: Record<string, Buffer> = {};

  beforeAll(async () => {
    emu = await startEmulator({ grpcPort: false });
    dir = await mkdtemp(join(tmpdir(), 'are-apt-'));
    await emu.createRepository('debs', { format: 'APT' });
    debs.hello = await buildDeb(dir, { name: 'hello-apt', version: '1.0-1' });
    debs.tool = await buildDeb(dir, { name: 'tool-apt', version: '2:3.1', arch: 'amd64' });
    debs.toolArm = await buildDeb(dir, { name: 'tool-apt', version: '2:3.1', arch: 'arm64' });
    debs.extra = await buildDeb(dir, { name: 'extra-apt', version: '0.5', section: 'contrib/utils' });
    for (const b of Object.values(debs)) {
      const res = await uploadDeb(emu.url, REPO, b);
      if (res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`);
    }
    const key = await fetch(`${emu.url}/doc/repo-signing-key.gpg`);
    expect(key.status).toBe(200);
    keyFile = join(dir, 'key.gpg');
    await writeFile(keyFile, Buffer.from(await key.arrayBuffer()));
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const sources = (base: string) => `deb [signed-by=${keyFile}] ${base}/projects/${P} debs main contrib`;

  it('updates and downloads uploaded packages of two components, the InRelease signature checked', async () => {
    const apt = await aptRoot(join(dir, 'ok'), sources(emu.url));
    const update = await apt.get(['update']);
    expect(update.code, update.out).toBe(0);
    expect(update.out).not.toMatch(/^(W|E):/m);
    const dl = await apt.get(['download', 'hello-apt', 'tool-apt', 'extra-apt']);
    expect(dl.code, dl.out).toBe(0);
    const got = (await readdir(join(apt.dir, 'dl'))).sort();
    expect(got).toEqual(['extra-apt_0.5_all.deb', 'hello-apt_1.0-1_all.deb', 'tool-apt_2%3a3.1_amd64.deb']); // apt names a download with its epoch, escaped
    const bytes = await readFile(join(apt.dir, 'dl', 'tool-apt_2%3a3.1_amd64.deb'));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(debs.tool!).digest('hex'));
    // the arm64 build is listed in its own index
    const arm = await fetch(`${emu.url}/projects/${P}/dists/debs/main/binary-arm64/Packages`);
    expect(await arm.text()).toMatch(/Package: tool-apt\nVersion: 2:3\.1\nArchitecture: arm64/);
  });

  it('sees one more upload after the next update', async () => {
    const apt = await aptRoot(join(dir, 'more'), sources(emu.url));
    expect((await apt.get(['update'])).code).toBe(0);
    const res = await uploadDeb(emu.url, REPO, await buildDeb(dir, { name: 'hello-apt', version: '1.1-1' }));
    expect(res.status, await res.clone().text()).toBe(200);
    const update = await apt.get(['update']);
    expect(update.code, update.out).toBe(0);
    const dl = await apt.get(['download', 'hello-apt']);
    expect(dl.code, dl.out).toBe(0);
    expect(await readdir(join(apt.dir, 'dl'))).toEqual(['hello-apt_1.1-1_all.deb']);
  });

  it('refuses an InRelease whose signed text was altered', async () => {
    const proxy = await new TamperingProxy(emu.url, 'inrelease').start();
    try {
      const apt = await aptRoot(join(dir, 'bad-release'), sources(proxy.url));
      const update = await apt.get(['update']);
      expect(update.out).toMatch(/BADSIG|signatures were invalid|is not signed/);
      expect(update.code).not.toBe(0);
      expect((await apt.get(['download', 'hello-apt'])).code).not.toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses Packages indexes that do not match the signed Release', async () => {
    const proxy = await new TamperingProxy(emu.url, 'packages').start();
    try {
      const apt = await aptRoot(join(dir, 'bad-packages'), sources(proxy.url));
      const update = await apt.get(['update']);
      expect(update.out).toMatch(/by-hash\/SHA256\//);
      expect(update.out).toMatch(/Hash Sum mismatch|File has unexpected size/);
      expect(update.code).not.toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses the repository without the key (no trusted=yes)', async () => {
    const apt = await aptRoot(join(dir, 'nokey'), `deb ${emu.url}/projects/${P} debs main`);
    const update = await apt.get(['update']);
    expect(update.out).toMatch(/NO_PUBKEY|is not signed/);
    expect(update.code).not.toBe(0);
  });
});
