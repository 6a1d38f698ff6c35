// Scanning a 1 GiB image in flat memory (issue 13): the emulator runs as a child process (`ar-emulator start`), an
// image whose one gzip layer is about 1 GiB (compressed and uncompressed: incompressible bytes in stored deflate
// blocks) is pushed over the OCI distribution API, the layer made as it is sent (one streamed PATCH, the digest in the
// closing PUT, as docker pushes) and never held by the test. The layer's /etc/os-release comes first and its dpkg
// status (glibc and openssl at versions seed advisories cover) last, behind 1 GiB of other files, so the findings
// prove the scan read the whole layer. The child's peak RSS (VmHWM, reset just before the push through
// /proc/PID/clear_refs) must stay within a bound far below the layer's size, and the findings must be exactly the two
// expected ones. A behaviour test: nothing here is timed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorProcesses, waitFor, type EmulatorProcess } from '../../support/process.js';
import { sha256 } from '../../support/registry.js';
import { tarPad, ustarHeader } from '../../fixtures/inventory/layers.js';

const P = 'test-project';
const L = 'us-central1';
const MiB = 1024 * 1024;
/** the big files' total: the layer is this plus a few KiB */
const BIG_BYTES = 1024 * MiB;
const FILE_BYTES = 128 * MiB;
/** how far the emulator's peak RSS may rise over its RSS before the push (the layer is 1 GiB) */
const PEAK_GROWTH_LIMIT = 256 * MiB;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n';
const DPKG_STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u1
Description: GNU C Library: Shared libraries

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u1
Description: Secure Sockets Layer toolkit - shared libraries

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
Description: compression library - runtime
`;

const processes = new EmulatorProcesses();
let dataDir: string;
let emu: EmulatorProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'scan-memory-'));
  emu = await processes.start({ dataDir, readyTimeoutMs: 60_000 });
  const res = await fetch(`${emu.url}/v1/projects/${P}/locations/${L}/repositories?repositoryId=big`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ format: 'DOCKER' }),
  });
  expect(res.status, await res.text()).toBe(200);
  // answers once the seed is loaded
  const db = (await (await fetch(`${emu.url}/_emulator/vulndb`)).json()) as { advisories: number };
  expect(db.advisories).toBeGreaterThanOrEqual(12);
});

afterAll(async () => {
  await processes.killAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The layer's tar: os-release, the big files (one 1 MiB random block repeated), the dpkg status, the end blocks. */
function* layerTar(): Generator<Buffer> {
  yield tarFile('etc/os-release', Buffer.from(OS_RELEASE));
  const block = randomBytes(MiB);
  for (let i = 0, off = 0; off < BIG_BYTES; i++, off += FILE_BYTES) {
    const n = Math.min(FILE_BYTES, BIG_BYTES - off);
    yield ustarHeader(`usr/share/big/part-${i}.bin`, n);
    for (let left = n; left > 0; left -= MiB) yield left >= MiB ? block : block.subarray(0, left);
    yield tarPad(n);
  }
  yield tarFile('var/lib/dpkg/status', Buffer.from(DPKG_STATUS));
  yield Buffer.alloc(1024);
}

/** POST, one PATCH streaming the gzip of `layerTar` (hashed on the way), then PUT ?digest=: the layer's digest and size. */
async function pushLayer(name: string): Promise<{ digest: string; size: number }> {
  const start = await fetch(`${emu.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  expect(start.status).toBe(202);
  const hash = createHash('sha256');
  let size = 0;
  const reply = await new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
    const req = request(new URL(start.headers.get('location')!, emu.url), { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    // level 0: stored deflate blocks, so the blob is as big as the layer and the test spends little CPU making it
    const gzip = createGzip({ level: 0 });
    gzip.on('data', (c: Buffer) => {
      hash.update(c);
      size += c.length;
    });
    pipeline(Readable.from(layerTar()), gzip, req).catch(reject);
  });
  expect(reply.status, reply.body).toBe(202);
  const digest = `sha256:${hash.digest('hex')}`;
  const put = new URL(reply.location!, emu.url);
  put.searchParams.set('digest', digest);
  const done = await fetch(put, { method: 'PUT' });
  expect(done.status, await done.text()).toBe(201);
  return { digest, size };
}

async function pushSmall(name: string, data: string): Promise<string> {
  const res = await fetch(`${emu.url}/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: data });
  expect(res.status).toBe(201);
  return sha256(data);
}

const status = async (pid: number) => readFile(`/proc/${pid}/status`, 'utf8');
const kib = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)![1]) * 1024;

interface Occ { kind: string; vulnerability?: { shortDescription: string; packageIssue: Array<{ affectedPackage: string; affectedVersion: { fullName: string }; fileLocation: Array<{ filePath: string }> }> }; discovery?: { analysisStatus: string; analysisStatusError?: { message?: string } } }

describe('scanning a 1 GiB image', () => {
  it.runIf(process.platform === 'linux')('reads the whole layer in flat memory and finds exactly the installed advisories', async () => {
    const name = `${P}/big/app`;
    // peak RSS from here on: clear_refs 5 resets VmHWM to the current RSS (proc(5))
    await writeFile(`/proc/${emu.pid}/clear_refs`, '5');
    const before = kib(await status(emu.pid), 'VmRSS');

    const layer = await pushLayer(name);
    expect(layer.size).toBeGreaterThan(BIG_BYTES);
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await pushSmall(name, config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
    });
    const put = await fetch(`${emu.url}/v2/${name}/manifests/v1`, { method: 'PUT', headers: { 'content-type': MANIFEST }, body: manifest });
    expect(put.status, await put.text()).toBe(201);

    const uri = `https://${L}-docker.pkg.dev/${name}@${sha256(manifest)}`;
    const occs = await waitFor(
      'the scan of the 1 GiB image',
      async () => {
        const res = await fetch(`${emu.url}/v1/projects/${P}/occurrences?pageSize=1000&filter=${encodeURIComponent(`resourceUrl = "${uri}"`)}`);
        const list = ((await res.json()) as { occurrences?: Occ[] }).occurrences ?? [];
        return list.some((o) => o.kind === 'DISCOVERY' && o.discovery!.analysisStatus.startsWith('FINISHED')) && list;
      },
      120_000,
      200,
    );
    const peak = kib(await status(emu.pid), 'VmHWM');

    const discovery = occs.find((o) => o.kind === 'DISCOVERY')!.discovery!;
    expect(discovery.analysisStatus, discovery.analysisStatusError?.message).toBe('FINISHED_SUCCESS');
    const findings = occs
      .filter((o) => o.kind === 'VULNERABILITY')
      .map((o) => {
        const p = o.vulnerability!.packageIssue[0]!;
        return `${o.vulnerability!.shortDescription} ${p.affectedPackage} ${p.affectedVersion.fullName} ${p.fileLocation[0]!.filePath}`;
      })
      .sort();
    expect(findings).toEqual(['DSA-5514-1 glibc 2.36-9+deb12u1 /var/lib/dpkg/status', 'DSA-5532-1 openssl 3.0.11-1~deb12u1 /var/lib/dpkg/status']);
    // the push and the scan each streamed 1 GiB; neither held it
    expect(peak - before, `peak RSS ${(peak / MiB).toFixed(0)} MiB, ${(before / MiB).toFixed(0)} MiB before the push`).toBeLessThan(PEAK_GROWTH_LIMIT);
  }, 180_000);
});

function tarFile(name: string, body: Buffer): Buffer {
  return Buffer.concat([ustarHeader(name, body.length), body, tarPad(body.length)]);
}
