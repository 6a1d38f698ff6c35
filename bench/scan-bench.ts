// The scanning figures (`--only scan`, issue 13): a ~1 GiB image pushed alternately to a Docker repository with
// vulnerability scanning on (the default) and to one with `vulnerabilityScanningConfig.enablementConfig: DISABLED`,
// in one emulator (dist build). Per run: the push time (upload POST → the manifest PUT's 201), the time from that 201
// to the image's `scan.completed` (watched on GET /_emulator/events), and the emulator's peak RSS during the run
// (VmHWM from /proc/PID/status, reset before each run by writing 5 to /proc/PID/clear_refs, read once the scan has
// completed, or after the push for the "off" runs), against its idle RSS before the first push.
//
// The image: one gzip layer made of three gzip members (RFC 1952 §2.2: a gzip file is a series of members; gunzip
// and Node's zlib read them as one stream), so the 1 GiB middle is compressed once and each run still has a fresh
// layer digest: (1) a tar of a Debian 12 /etc/os-release and a dpkg status naming glibc and openssl at versions seed
// advisories DSA-5514-1 and DSA-5532-1 cover, (2) tar members of AES-CTR keystream (incompressible) files adding up
// to the layer size, (3) per run, a small /etc/bench-run naming the run, then the tar's end blocks. Members 1+2 are
// written once to a temp file and hashed once; the sha256 state after them is copied per run (`Hash.copy()`).
import { createHash, type Hash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';
import { BlobData, MiB } from './blob-data.js';
import { OCI_MANIFEST } from './http-client.js';
import { EMULATOR_PROJECT, rssBytes, type RunningServer } from './servers.js';
import { median } from './stats.js';

export interface ScanBenchOptions {
  /** size of the layer's big files (the layer's uncompressed size is this plus a few KiB) */
  layerBytes: number;
  /** timed runs per mode */
  reps: number;
  /** one untimed push to each repository first */
  warmUp: boolean;
  workDir: string;
  log: (line: string) => void;
}

export interface ScanResult {
  /** the layer blob's size (bytes) */
  layerBytes: number;
  /** seconds to write and hash the shared part of the layer (not part of any figure) */
  buildSeconds: number;
  /** medians, ms: upload POST → manifest PUT 201 */
  pushOnMs: number;
  pushOffMs: number;
  /** median, ms: manifest PUT 201 → scan.completed (scanning on) */
  scanMs: number;
  /** medians: the emulator's CPU (user + system) during the push window, seconds */
  pushOnCpuS: number;
  pushOffCpuS: number;
  /** the scan's own CPU (201 → scan.completed), median seconds */
  scanCpuS: number;
  /** VmRSS after start and 2 s idle, before any push */
  idleRssBytes: number;
  /** the highest VmHWM of the runs of each mode (push, and for "on" the scan) */
  peakOnBytes: number;
  peakOffBytes: number;
  /** findings per "on" scan (each must be EXPECTED_FINDINGS) */
  findings: number;
  runs: { pushOnMs: number[]; pushOffMs: number[]; scanMs: number[]; pushOnCpuS: number[]; pushOffCpuS: number[]; scanCpuS: number[]; hwmOn: number[]; hwmOff: number[] };
}

const ON = 'bench-scan-on';
const OFF = 'bench-scan-off';
const IMAGE = 'big';
/** DSA-5514-1 (glibc) and DSA-5532-1 (openssl), from the seed */
const EXPECTED_FINDINGS = 2;
const FILE_BYTES = 64 * MiB;
const READ_BYTES = 1 * MiB;
const SCAN_TIMEOUT_MS = 300_000;
const IDLE_MS = 2000;
const LAYER_MEDIA = 'application/vnd.oci.image.layer.v1.tar+gzip';

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

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell
`;

export async function scanBench(server: RunningServer, opts: ScanBenchOptions): Promise<ScanResult> {
  await createRepository(server, ON, {});
  await createRepository(server, OFF, { vulnerabilityScanningConfig: { enablementConfig: 'DISABLED' } });
  // the seed is loaded after the server is ready; this answers once it is
  const db = JSON.parse((await server.client.expect(200, 'GET', '/_emulator/vulndb')).body.toString('utf8')) as { advisories: number };
  if (!(db.advisories >= 12)) throw new Error(`the advisory database holds ${db.advisories} advisories, not the seed's 12`);

  const t0 = performance.now();
  const layer = await buildSharedLayer(join(opts.workDir, 'scan-layer-prefix.gz'), opts.layerBytes);
  const buildSeconds = (performance.now() - t0) / 1000;
  opts.log(`  scan: layer of ${(layer.size / MiB).toFixed(0)} MiB written and hashed in ${buildSeconds.toFixed(1)} s`);

  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleRssBytes = rssBytes(server.pid);
  const events = await EventWatch.open(server.port);
  try {
    let seq = 0;
    const once = async (repo: string) => {
      flushDirtyPages();
      resetPeak(server.pid);
      const image = imageFor(layer, `${repo}-${++seq}`);
      const cpu0 = server.cpuSeconds();
      const p0 = performance.now();
      await pushImage(server, repo, image, `run-${seq}`);
      const pushMs = performance.now() - p0;
      const cpu1 = server.cpuSeconds();
      let scanMs = NaN;
      let scanCpuS = NaN;
      if (repo === ON) {
        const done = await events.completion(image.manifestDigest, SCAN_TIMEOUT_MS);
        scanMs = done.at - p0 - pushMs;
        scanCpuS = server.cpuSeconds() - cpu1;
        if (done.event.type !== 'scan.completed' || done.event.data.status !== 'FINISHED_SUCCESS') throw new Error(`the scan of ${image.manifestDigest} did not succeed: ${JSON.stringify(done.event)}`);
        if (done.event.data.total !== EXPECTED_FINDINGS) throw new Error(`the scan found ${done.event.data.total} findings, expected ${EXPECTED_FINDINGS}: ${JSON.stringify(done.event.data)}`);
      } else {
        // nothing may scan it; give a stray scan the time to show itself
        await new Promise((r) => setTimeout(r, 500));
        if (events.started.has(image.manifestDigest)) throw new Error(`an image pushed to ${OFF} (scanning DISABLED) was scanned`);
      }
      const hwm = peakBytes(server.pid);
      return { pushMs, scanMs, hwm, pushCpuS: cpu1 - cpu0, scanCpuS };
    };
    if (opts.warmUp) {
      opts.log('  scan: warm-up, one untimed push to each repository');
      await once(ON);
      await once(OFF);
    }
    const runs: ScanResult['runs'] = { pushOnMs: [], pushOffMs: [], scanMs: [], pushOnCpuS: [], pushOffCpuS: [], scanCpuS: [], hwmOn: [], hwmOff: [] };
    for (let rep = 0; rep < opts.reps; rep++) {
      for (const repo of rep % 2 === 0 ? [ON, OFF] : [OFF, ON]) {
        const r = await once(repo);
        if (repo === ON) {
          runs.pushOnMs.push(r.pushMs);
          runs.pushOnCpuS.push(r.pushCpuS);
          runs.scanMs.push(r.scanMs);
          runs.scanCpuS.push(r.scanCpuS);
          runs.hwmOn.push(r.hwm);
        } else {
          runs.pushOffMs.push(r.pushMs);
          runs.pushOffCpuS.push(r.pushCpuS);
          runs.hwmOff.push(r.hwm);
        }
        opts.log(
          `  scan rep ${rep + 1}/${opts.reps} ${repo === ON ? 'on ' : 'off'}: push ${r.pushMs.toFixed(0)} ms` +
            (repo === ON ? `, scan ${r.scanMs.toFixed(0)} ms` : '') +
            `, peak RSS ${(r.hwm / 1e6).toFixed(0)} MB (idle ${(idleRssBytes / 1e6).toFixed(0)} MB)`,
        );
      }
    }
    return {
      layerBytes: layer.size + layer.tail('x').length,
      buildSeconds,
      pushOnMs: median(runs.pushOnMs),
      pushOffMs: median(runs.pushOffMs),
      scanMs: median(runs.scanMs),
      pushOnCpuS: median(runs.pushOnCpuS),
      pushOffCpuS: median(runs.pushOffCpuS),
      scanCpuS: median(runs.scanCpuS),
      idleRssBytes,
      peakOnBytes: Math.max(...runs.hwmOn),
      peakOffBytes: Math.max(...runs.hwmOff),
      findings: EXPECTED_FINDINGS,
      runs,
    };
  } finally {
    events.close();
  }
}

async function createRepository(server: RunningServer, id: string, extra: Record<string, unknown>): Promise<void> {
  const reply = await server.client.request('POST', `/v1/projects/${EMULATOR_PROJECT}/locations/us-central1/repositories?repositoryId=${id}`, {
    headers: { 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify({ format: 'DOCKER', ...extra })),
  });
  if (reply.status !== 200) throw new Error(`creating repository ${id}: ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`);
}

interface SharedLayer {
  path: string;
  /** bytes of the file (members 1 and 2) */
  size: number;
  /** sha256 state after the file's bytes */
  hash: Hash;
  /** member 3 of a run: /etc/bench-run, then the tar's end-of-archive blocks */
  tail(run: string): Buffer;
}

/** Writes gzip members 1 (os-release, dpkg status) and 2 (the big files) to `path`, hashing them on the way. */
async function buildSharedLayer(path: string, bigBytes: number): Promise<SharedLayer> {
  const hash = createHash('sha256');
  let size = 0;
  const head = gzipSync(Buffer.concat([tarFile('etc/os-release', Buffer.from(OS_RELEASE)), tarFile('var/lib/dpkg/status', Buffer.from(DPKG_STATUS))]));
  const data = new BlobData(13, 32 * MiB);
  function* big(): Generator<Buffer> {
    for (let i = 0, off = 0; off < bigBytes; i++, off += FILE_BYTES) {
      const n = Math.min(FILE_BYTES, bigBytes - off);
      yield ustarHeader(`usr/share/bench/data-${String(i).padStart(3, '0')}.bin`, n);
      // each file starts elsewhere in the keystream pool; nothing deflate's 32 KiB window can find
      yield* data.slice(i * 4099, i * 4099 + n);
      yield tarPad(n);
    }
  }
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  hash.update(head);
  size += head.length;
  const out = createWriteStream(path);
  out.write(head);
  await pipeline(Readable.from(big()), createGzip({ level: 1, flush: zlibConstants.Z_NO_FLUSH }), tap, out);
  if (statSync(path).size !== size) throw new Error(`${path}: wrote ${statSync(path).size} bytes, hashed ${size}`);
  return {
    path,
    size,
    hash,
    tail: (run) => gzipSync(Buffer.concat([tarFile('etc/bench-run', Buffer.from(`${run}\n`)), Buffer.alloc(1024)])),
  };
}

interface Image {
  layer: SharedLayer;
  tail: Buffer;
  layerDigest: string;
  config: Buffer;
  manifest: Buffer;
  manifestDigest: string;
}

function imageFor(layer: SharedLayer, run: string): Image {
  const tail = layer.tail(run);
  const layerDigest = `sha256:${layer.hash.copy().update(tail).digest('hex')}`;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { 'bench.run': run } }, rootfs: { type: 'layers', diff_ids: [] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: LAYER_MEDIA, digest: layerDigest, size: layer.size + tail.length }],
    }),
  );
  return { layer, tail, layerDigest, config, manifest, manifestDigest: sha256(manifest) };
}

/** The push docker makes of a new image: the layer (one monolithic PUT streaming the file), the config, the manifest. */
async function pushImage(server: RunningServer, repo: string, image: Image, tag: string): Promise<void> {
  const name = server.client.name(`${repo}/${IMAGE}`);
  const { layer, tail } = image;
  function* body(): Generator<Buffer> {
    const fd = openSync(layer.path, 'r');
    try {
      for (let pos = 0; pos < layer.size; ) {
        // a fresh buffer per chunk: the socket may still hold the previous one
        const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, layer.size - pos));
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) throw new Error(`${layer.path}: short read at ${pos}`);
        pos += n;
        yield n === buf.length ? buf : buf.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
    yield tail;
  }
  await server.client.pushBlobMonolithic(name, image.layerDigest, layer.size + tail.length, body());
  await server.client.pushSmallBlob(name, sha256(image.config), image.config);
  await server.client.putManifest(name, tag, image.manifest);
}

interface ScanEvent {
  id: number;
  type: 'scan.started' | 'scan.completed' | 'scan.failed';
  data: { version: string; status?: string; total?: number; reason?: string };
}

/** One connection to GET /_emulator/events (scan events only, no replay), kept open for the whole section. */
class EventWatch {
  readonly started = new Set<string>();
  private readonly done = new Map<string, { event: ScanEvent; at: number }>();
  private waiter: (() => void) | undefined;

  private constructor(private readonly res: IncomingMessage) {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (s: string) => {
      buf += s;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6)) as ScanEvent;
        if (event.type === 'scan.started') this.started.add(event.data.version);
        else this.done.set(event.data.version, { event, at: performance.now() });
        this.waiter?.();
      }
    });
  }

  static open(port: number): Promise<EventWatch> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/_emulator/events?replay=0&types=scan.started,scan.completed,scan.failed', agent: false }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`GET /_emulator/events: ${res.statusCode}`));
        resolve(new EventWatch(res));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The scan.completed or scan.failed event of a manifest digest and when it arrived (performance.now()). */
  async completion(digest: string, timeoutMs: number): Promise<{ event: ScanEvent; at: number }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.done.get(digest);
      if (hit) return hit;
      if (this.res.destroyed || this.res.readableEnded) throw new Error('the event stream ended before the scan completed');
      if (performance.now() > deadline) throw new Error(`no scan.completed for ${digest} within ${timeoutMs / 1000} s`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  close(): void {
    this.res.destroy();
  }
}

/** Resets the process's peak RSS (VmHWM) to its current RSS: `echo 5 > /proc/PID/clear_refs` (proc(5), Linux ≥ 4.0). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Peak resident set size since the last reset, from /proc/PID/status VmHWM. */
function peakBytes(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(m[1]) * 1024;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function flushDirtyPages(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

/** One regular file as a tar member: header, content, padding. */
function tarFile(name: string, body: Buffer): Buffer {
  return Buffer.concat([ustarHeader(name, body.length), body, tarPad(body.length)]);
}

/** A ustar header block (POSIX.1-1988 ustar, pax(1)) for a regular file of `size` bytes (up to 8 GiB). */
function ustarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('14670000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function tarPad(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}
