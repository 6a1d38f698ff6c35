// Figures 2 and 3: manifest PUT rate and latency (empty repository, then one already holding 10,000
// tags) and manifest GET rate and latency, at a fixed concurrency. Phases are interleaved between the
// servers so both see the same conditions; every request goes through the same RegistryClient. The PUT
// phases are disk-bound (both servers fsync) and vary run to run on a shared machine, so each is repeated
// `putReps` times per server, interleaved with the order alternating, and reported as the median with
// the runs kept.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { OCI_MANIFEST } from './http-client.js';
import { ensureRepository, type RunningServer } from './servers.js';
import { median, prng, runPool, type LatencyStats, type PoolOptions } from './stats.js';

export interface ManifestOptions {
  /** manifests PUT per run of each PUT phase */
  images: number;
  /** runs of each PUT phase per server */
  putReps: number;
  seedTags: number;
  concurrency: number;
  getRequests: number;
  getMaxMs: number;
  log: (line: string) => void;
}

/** Latencies plus the server's own CPU time (user + system, all threads) per request. */
export type Measured = LatencyStats & { serverCpuMsPerReq: number };

/** A phase run several times: every field is the median over the runs, which are kept. */
export type Repeated = Measured & { runs: Measured[] };

export interface ManifestResult {
  /** PUT of `images` distinct manifests by tag into a repository that starts empty (a new one per run) */
  putEmpty: Repeated;
  /** seeding: one manifest tagged `seedTags` times */
  seed: Measured;
  /** PUT of `images` distinct manifests by tag into the image that holds `seedTags` tags (plus the earlier runs' tags) */
  putSeeded: Repeated;
  /** putSeeded.p99 / putEmpty.p99 */
  p99Ratio: number;
  get: Measured;
  /** tags the data dir holds afterwards (reused for the startup figure) */
  tagsTotal: number;
}

interface Blobs {
  config: { digest: string; size: number; data: Buffer };
  layer: { digest: string; size: number; data: Buffer };
}

const WARM_OPS = 1000;
const PUT_MAX_MS = 60_000;

export async function manifestBench(servers: RunningServer[], opts: ManifestOptions): Promise<Map<RunningServer, ManifestResult>> {
  const blobs = makeBlobs();
  const c = opts.concurrency;
  const partial = new Map<RunningServer, Partial<ManifestResult>>(servers.map((s) => [s, {}]));
  const emptyRepos = Array.from({ length: opts.putReps }, (_, i) => (i === 0 ? 'bench' : `bench-r${i}`));
  const forEach = async (what: string, fn: (s: RunningServer, r: Partial<ManifestResult>) => Promise<void>, reversed = false) => {
    for (const s of reversed ? [...servers].reverse() : servers) {
      spawnSync('sync', { stdio: 'ignore' }); // the previous phase's writeback is not charged to this one
      await fn(s, partial.get(s)!);
      opts.log(`  ${what} done: ${s.spec.label}`);
    }
  };

  await forEach('setup', async (s) => {
    for (const repo of ['bench-warm', ...emptyRepos, 'bench-seeded']) await ensureRepository(s, repo);
    for (const image of ['bench-warm/img', ...emptyRepos.map((r) => `${r}/img`), 'bench-seeded/img']) {
      const name = s.client.name(image);
      await s.client.pushSmallBlob(name, blobs.config.digest, blobs.config.data);
      await s.client.pushSmallBlob(name, blobs.layer.digest, blobs.layer.data);
    }
  });

  await forEach('warm-up', async (s) => {
    const name = s.client.name('bench-warm/img');
    await runPool({ total: WARM_OPS, concurrency: c, maxMs: PUT_MAX_MS }, (i) => s.client.putManifest(name, `w${i}`, manifest(blobs, `warm-${i}`)));
    await runPool({ total: WARM_OPS * 2, concurrency: c, maxMs: PUT_MAX_MS }, async (i) => void (await s.client.getManifest(name, `w${i % WARM_OPS}`)));
  });

  const runs = new Map(servers.map((s) => [s, { putEmpty: [] as Measured[], putSeeded: [] as Measured[] }]));
  for (let rep = 0; rep < opts.putReps; rep++) {
    await forEach(`PUT into an empty repository, run ${rep + 1}/${opts.putReps}`, async (s) => {
      const name = s.client.name(`${emptyRepos[rep]}/img`);
      const m = await measure(s, { total: opts.images, concurrency: c, maxMs: PUT_MAX_MS }, (i) => s.client.putManifest(name, `v${i}`, manifest(blobs, `img-${rep}-${i}`)));
      runs.get(s)!.putEmpty.push(m);
    }, rep % 2 === 1);
  }

  await forEach(`seeding ${opts.seedTags} tags`, async (s, r) => {
    const name = s.client.name('bench-seeded/img');
    const body = manifest(blobs, 'seed');
    r.seed = await measure(s, { total: opts.seedTags, concurrency: c, maxMs: 4 * PUT_MAX_MS }, (i) => s.client.putManifest(name, `s${i}`, body));
    if (r.seed.count !== opts.seedTags) throw new Error(`${s.spec.label}: seeded only ${r.seed.count} of ${opts.seedTags} tags in time`);
  });

  for (let rep = 0; rep < opts.putReps; rep++) {
    await forEach(`PUT into a repository with ${opts.seedTags + rep * opts.images} tags, run ${rep + 1}/${opts.putReps}`, async (s) => {
      const name = s.client.name('bench-seeded/img');
      const m = await measure(s, { total: opts.images, concurrency: c, maxMs: PUT_MAX_MS }, (i) => s.client.putManifest(name, `v${rep}-${i}`, manifest(blobs, `seeded-${rep}-${i}`)));
      runs.get(s)!.putSeeded.push(m);
    }, rep % 2 === 1);
  }
  for (const [s, r] of runs) {
    partial.get(s)!.putEmpty = repeated(r.putEmpty);
    partial.get(s)!.putSeeded = repeated(r.putSeeded);
  }

  await forEach('GET', async (s, r) => {
    const name = s.client.name('bench/img');
    const refs = references(opts.images, opts.getRequests);
    await runPool({ total: 1000, concurrency: c, maxMs: opts.getMaxMs }, async (i) => void (await s.client.getManifest(name, refs[i]!)));
    r.get = await measure(s, { total: opts.getRequests, concurrency: c, maxMs: opts.getMaxMs }, async (i) => {
      const body = await s.client.getManifest(name, refs[i]!);
      if (body.length === 0) throw new Error('empty manifest body');
    });
  });

  return new Map(
    [...partial].map(([s, r]) => [
      s,
      {
        ...(r as ManifestResult),
        p99Ratio: r.putSeeded!.p99Ms / r.putEmpty!.p99Ms,
        tagsTotal: WARM_OPS + opts.seedTags + 2 * opts.putReps * opts.images,
      },
    ]),
  );
}

export async function measure(s: RunningServer, opts: PoolOptions, op: (i: number) => Promise<void>): Promise<Measured> {
  const cpu0 = s.cpuSeconds();
  const stats = await runPool(opts, op);
  return { ...stats, serverCpuMsPerReq: ((s.cpuSeconds() - cpu0) * 1000) / stats.count };
}

/** The median of every field over the runs (so p99 is the median run's p99, not the pooled p99). */
function repeated(runs: Measured[]): Repeated {
  const keys = Object.keys(runs[0]!) as (keyof Measured)[];
  const med = Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])) as unknown as Measured;
  return { ...med, runs };
}

/** Tags to GET, in the same pseudo-random order for every server. */
function references(images: number, count: number): string[] {
  const next = prng(42);
  return Array.from({ length: count }, () => `v${Math.floor(next() * images)}`);
}

function makeBlobs(): Blobs {
  const layerData = Buffer.alloc(4096, 'bench layer bytes ');
  const layerDigest = sha256(layerData);
  const configData = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layerDigest] } }),
  );
  return {
    config: { digest: sha256(configData), size: configData.length, data: configData },
    layer: { digest: layerDigest, size: layerData.length, data: layerData },
  };
}

/** A small OCI image manifest; `id` goes into an annotation so every id gives a distinct digest. */
function manifest(blobs: Blobs, id: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blobs.config.digest, size: blobs.config.size },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blobs.layer.digest, size: blobs.layer.size }],
      annotations: { 'org.example.bench.id': id },
    }),
  );
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
