// Cleanup policies on a DOCKER repository of 40 images of varied ages and tags, aged with the virtual clock
// (issue 11, acceptance 2): the seed's example policies ("delete untagged older than 30 days; keep the 10 most
// recent versions tagged with prefix v", expressed with the real fields, see docs/policies.md "Cleanup"), the
// dry run (repository setting and the `dryRun` override) reports exactly the expected set and deletes nothing,
// the real run deletes exactly that set, and the kept images still pull with the real docker engine.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { type DockerDaemon, startDockerDaemon } from '../../support/clients/docker-daemon.js';
import { dockerClient } from '../../support/clients/image-clients.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { CommandError, run } from '../../support/clients/run.js';
import { createTar } from '../../support/clients/tar.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPO = 'aged';
const REPOSITORY = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPO}`;
const DAY = 86_400_000;
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** The seed's policies with the real fields: the DELETE, and the two KEEPs that together say "keep the 10 most recent, and what is tagged v…". */
const SEED_POLICIES = {
  'delete-untagged-30d': { id: 'delete-untagged-30d', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '2592000s' } },
  'keep-tagged-v': { id: 'keep-tagged-v', action: 'KEEP', condition: { tagState: 'TAGGED', tagPrefixes: ['v'] } },
  'keep-10-most-recent': { id: 'keep-10-most-recent', action: 'KEEP', mostRecentVersions: { keepCount: 10 } },
};
/** The seed plus a DELETE of every version older than 30 days: only the two KEEPs stand between it and the old tagged images. */
const STRICT_POLICIES = {
  ...SEED_POLICIES,
  'delete-any-30d': { id: 'delete-any-30d', action: 'DELETE', condition: { tagState: 'ANY', olderThan: '2592000s' } },
};

interface Pushed {
  index: number;
  package: string;
  digest: string;
  /** emulator time of the push, ms */
  at: number;
  /** a file only this image has, to check a pull */
  marker: string;
}

/** Which package and which extra tags image i gets; every image is also pushed as its package's `latest`, which moves on. */
function plan(i: number): { pkg: string; tags: string[] } {
  const pkg = i % 10 >= 8 ? 'worker' : 'web';
  const tags: string[] = [];
  if (i % 3 === 0) tags.push(`v1.${i}`);
  if (i % 5 === 1) tags.push(`dev-${i}`);
  if (i % 11 === 4) tags.push(`release-${i}`, `v2.${i}`);
  return { pkg, tags };
}

/** An image docker can pull: a gzip layer holding /marker.txt, a config whose diff_id matches it, a schema 2 manifest. */
function image(marker: string) {
  const tar = createTar({ 'marker.txt': marker });
  const layer = gzipSync(tar);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['/marker.txt'] },
    rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    history: [{ created_by: `cleanup test ${marker.trim()}` }],
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: DOCKER_MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: digestOf(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: digestOf(layer), size: layer.length }],
  }));
  return { layer, config, manifest, digest: digestOf(manifest) };
}

function digestOf(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

let emu: TestEmulator;
const pushed: Pushed[] = [];
/** tag → digest per package, as the pushes leave it */
const tagsNow = new Map<string, Map<string, string>>();
const events: EmulatorEvent[] = [];

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};
const ok = async (method: string, path: string, body?: unknown) => {
  const r = await call(method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const advance = (by: string) => ok('POST', '/_emulator/clock', { advance: by });
const setPolicies = (policies: Record<string, unknown>, dryRun: boolean) =>
  ok('PATCH', `/v1/${REPOSITORY}?updateMask=cleanupPolicies,cleanupPolicyDryRun`, { cleanupPolicies: policies, cleanupPolicyDryRun: dryRun });
const cleanup = async (dryRun?: boolean) => (await ok('POST', '/_emulator/cleanup:run', { repository: REPOSITORY, ...(dryRun === undefined ? {} : { dryRun }) })) as unknown as CleanupReport;

interface CleanupReport {
  repository: string;
  dryRun: boolean;
  deleted: Array<{ package: string; version: string; policy: string }>;
  keptCount: number;
}

async function push(pkg: string, reference: string, img: ReturnType<typeof image>): Promise<void> {
  const name = `${TEST_PROJECT}/${REPO}/${pkg}`;
  for (const blob of [img.layer, img.config]) {
    const res = await fetch(`${emu.url}/v2/${name}/blobs/uploads/?digest=${digestOf(blob)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: blob });
    if (res.status !== 201) throw new Error(`blob upload ${res.status} ${await res.text()}`);
  }
  const res = await fetch(`${emu.url}/v2/${name}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': DOCKER_MANIFEST }, body: img.manifest });
  if (res.status !== 201) throw new Error(`manifest put ${res.status} ${await res.text()}`);
}

/** Every version the REST API lists now, as "package@digest". */
async function listed(): Promise<string[]> {
  const out: string[] = [];
  for (const pkg of ['web', 'worker']) {
    const r = await call('GET', `/v1/${REPOSITORY}/packages/${pkg}/versions?pageSize=1000`);
    if (r.status === 404) continue;
    for (const v of (r.body.versions ?? []) as Array<{ name: string }>) out.push(`${pkg}@${decodeURIComponent(v.name.split('/versions/')[1]!)}`);
  }
  return out.sort();
}

/** The model of the policies, written apart from the emulator's planner: what each policy set deletes. */
function expectedDeletions(policies: 'seed' | 'strict', now: number): Array<{ package: string; version: string; policy: string }> {
  const tagsOf = (p: Pushed) => [...(tagsNow.get(p.package) ?? new Map<string, string>())].filter(([, d]) => d === p.digest).map(([t]) => t);
  const mostRecent = new Set<Pushed>();
  for (const pkg of ['web', 'worker']) {
    for (const p of pushed.filter((x) => x.package === pkg).sort((a, b) => b.at - a.at).slice(0, 10)) mostRecent.add(p);
  }
  const out: Array<{ package: string; version: string; policy: string }> = [];
  for (const p of pushed) {
    const tags = tagsOf(p);
    const old = now - p.at > 30 * DAY;
    const kept = mostRecent.has(p) || tags.some((t) => t.startsWith('v'));
    // DELETE policies are reported by the first matching id in id order: delete-any-30d < delete-untagged-30d
    const policy = policies === 'strict' && old ? 'delete-any-30d' : old && tags.length === 0 ? 'delete-untagged-30d' : undefined;
    if (policy && !kept) out.push({ package: p.package, version: p.digest, policy });
  }
  return out;
}

const sortDeleted = (d: CleanupReport['deleted']) => [...d].sort((a, b) => `${a.package}@${a.version}`.localeCompare(`${b.package}@${b.version}`));

beforeAll(async () => {
  // cleanup only on demand here: the scheduled run has its own test (cleanup-schedule.test.ts)
  emu = await startEmulator({ cleanupIntervalMs: 1000 * DAY });
  await emu.createRepository(REPO);
  emu.emulator.events.onAny((e) => void events.push(e));
  for (let i = 0; i < 40; i++) {
    const { pkg, tags } = plan(i);
    const marker = `image ${i} of ${pkg}\n`;
    const img = image(marker);
    const refs = [...tags, 'latest'];
    // a few images are pushed by digest only and never tagged
    if (i % 7 === 2) refs.splice(0, refs.length);
    await push(pkg, img.digest, img);
    for (const ref of refs) await push(pkg, ref, img);
    const tagMap = tagsNow.get(pkg) ?? new Map<string, string>();
    for (const ref of refs) tagMap.set(ref, img.digest);
    tagsNow.set(pkg, tagMap);
    pushed.push({ index: i, package: pkg, digest: img.digest, at: emu.emulator.clock.now().getTime(), marker });
    await advance('1d');
  }
  // the newest image is now 5 days and an hour old, the oldest 44 days and an hour: none exactly 30 days
  await advance('4d1h');
}, 120_000);

afterAll(() => emu?.stop());

describe('cleanup policies on 40 docker images aged with the virtual clock', () => {
  it('has images on both sides of 30 days, tagged v, tagged otherwise and untagged', () => {
    const now = emu.emulator.clock.now().getTime();
    const untaggedOld = expectedDeletions('seed', now);
    expect(pushed).toHaveLength(40);
    expect(pushed.filter((p) => now - p.at > 30 * DAY).length).toBe(15);
    // the set is neither empty nor everything, and the recency KEEP spares some old untagged versions
    expect(untaggedOld.length).toBeGreaterThan(3);
    expect(untaggedOld.length).toBeLessThan(15);
  });

  it('the repository\'s cleanupPolicyDryRun makes a run report exactly the expected set and delete nothing', async () => {
    const before = await listed();
    expect(before).toHaveLength(40);
    const saved = await setPolicies(SEED_POLICIES, true);
    expect(saved.cleanupPolicies).toEqual(SEED_POLICIES);
    const report = await cleanup();
    const expected = expectedDeletions('seed', emu.emulator.clock.now().getTime());
    expect(report.dryRun).toBe(true);
    expect(report.repository).toBe(REPOSITORY);
    expect(sortDeleted(report.deleted)).toEqual(sortDeleted(expected));
    expect(report.keptCount).toBe(40 - expected.length);
    expect(await listed()).toEqual(before);
    const event = events.filter((e) => e.type === 'cleanup.completed').at(-1)!;
    expect(event.data).toMatchObject({ repository: REPOSITORY, dryRun: true, keptCount: 40 - expected.length });
  });

  it('with a DELETE of everything older than 30 days, the KEEPs still spare v-tagged and the 10 newest (dryRun override)', async () => {
    await setPolicies(STRICT_POLICIES, false);
    const before = await listed();
    const report = await cleanup(true);
    const expected = expectedDeletions('strict', emu.emulator.clock.now().getTime());
    expect(report.dryRun).toBe(true);
    expect(sortDeleted(report.deleted)).toEqual(sortDeleted(expected));
    // old images tagged v1.x are not in it, old images tagged dev-/release- only are
    const deletedDigests = new Set(expected.map((d) => d.version));
    const oldTaggedV = pushed.filter((p) => p.index <= 14 && [...tagsNow.get(p.package)!].some(([t, d]) => d === p.digest && t.startsWith('v')));
    expect(oldTaggedV.length).toBeGreaterThan(0);
    for (const p of oldTaggedV) expect(deletedDigests.has(p.digest)).toBe(false);
    expect(expected.some((d) => d.policy === 'delete-any-30d')).toBe(true);
    expect(await listed()).toEqual(before);
  });

  it('the real run (dryRun: false over the repository\'s dry-run setting) deletes exactly the expected set', async () => {
    await setPolicies(SEED_POLICIES, true);
    const before = await listed();
    const expected = expectedDeletions('seed', emu.emulator.clock.now().getTime());
    const report = await cleanup(false);
    expect(report.dryRun).toBe(false);
    expect(sortDeleted(report.deleted)).toEqual(sortDeleted(expected));
    expect(report).not.toHaveProperty('failed');
    const gone = new Set(expected.map((d) => `${d.package}@${d.version}`));
    expect(await listed()).toEqual(before.filter((v) => !gone.has(v)));
    // the deleted manifests no longer resolve on the registry; the kept ones do
    for (const d of expected.slice(0, 3)) {
      const res = await fetch(`${emu.url}/v2/${TEST_PROJECT}/${REPO}/${d.package}/manifests/${d.version}`, { method: 'HEAD', headers: { accept: DOCKER_MANIFEST } });
      expect(res.status).toBe(404);
    }
    // a second run finds nothing more
    expect((await cleanup(false)).deleted).toEqual([]);
  });
});

describeWithClients(['dockerd', 'docker'], 'the images cleanup kept still pull with the docker engine', () => {
  let daemon: DockerDaemon | undefined;
  let work = '';
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-cleanup-docker-'));
    daemon = await startDockerDaemon();
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });
  const docker = (...args: string[]) => run('docker', args, { env: daemon?.env });
  const ref = (pkg: string, suffix: string) => `${emu.registryHost}/${TEST_PROJECT}/${REPO}/${pkg}${suffix}`;

  it('pulls an old v-tagged image by tag, an old untagged image kept for recency by digest, and fails on a deleted one', async () => {
    const now = emu.emulator.clock.now().getTime();
    const deleted = new Set(expectedDeletionsAfterRun());
    const tagOf = (p: Pushed) => [...tagsNow.get(p.package)!].find(([, d]) => d === p.digest)?.[0];
    const oldV = pushed.find((p) => now - p.at > 30 * DAY && tagOf(p)?.startsWith('v'))!;
    const keptUntagged = pushed.find((p) => now - p.at > 30 * DAY && !tagOf(p) && !deleted.has(p.digest))!;
    const gone = pushed.find((p) => deleted.has(p.digest))!;
    expect(oldV && keptUntagged && gone).toBeTruthy();
    const client = dockerClient(daemon?.env ?? {}, work);
    // garbage collection has taken the deleted images' blobs (if the scheduled one has not already): the kept still pull
    const collected = await call('POST', '/_emulator/gc');
    expect(collected.status).toBe(200);

    const byTag = ref(oldV.package, `:${tagOf(oldV)}`);
    expect(await client.pull(byTag)).toContain(`Digest: ${oldV.digest}`);
    expect(await client.readFileFromImage(byTag, '/marker.txt')).toBe(oldV.marker);

    const byDigest = ref(keptUntagged.package, `@${keptUntagged.digest}`);
    expect(await client.pull(byDigest)).toContain(`Digest: ${keptUntagged.digest}`);
    expect(await client.readFileFromImage(byDigest, '/marker.txt')).toBe(keptUntagged.marker);

    const failure = await docker('pull', ref(gone.package, `@${gone.digest}`)).then(
      () => undefined,
      (err: unknown) => (err instanceof CommandError ? `${err.stdout}${err.stderr}` : String(err)),
    );
    expect(failure).toMatch(/not found|manifest unknown/i);
  }, 180_000);

  /** what the real run above deleted: recomputed at the same emulator time (the clock has not moved since) */
  function expectedDeletionsAfterRun(): string[] {
    return expectedDeletions('seed', emu.emulator.clock.now().getTime()).map((d) => d.version);
  }
});
