// Crash safety of storage (STYLE §D "Storage rules"): the emulator process is SIGKILLed during 50
// concurrent image pushes and restarted on the same data directory; then metadata damaged the way a crash
// damages it (torn journal append) is tolerated, and any other damage stops startup without touching files.
import { randomBytes, randomInt } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorProcesses, waitFor, type EmulatorProcess, type ProcessExit } from '../../support/process.js';
import { fingerprintTree, inspectBlobStore, inspectMetadata, listFiles, type BlobStoreReport, type MetadataReport } from './data-dir.js';
import { buildImagePush, OCI_MANIFEST, request, runImagePush, sha256, withDigest, type ImagePush } from './registry-push.js';

const PROJECT = 'crash-project';
const LOCATION = 'us-central1';
const PUSHES = 50;
/** the kill comes right after this many manifest PUTs got their 201 */
const KILL_AFTER_MANIFESTS = 25;
/**
 * Pushes that stop half-way through the body of their first or second layer PATCH until the kill, so that
 * some uploads are certainly cut off mid-stream (left alone, every layer tends to finish before half the
 * manifests do). The others run freely and are caught wherever they happen to be.
 */
const isHeldMidLayer = (i: number) => i % 5 === 2;
const CHUNK_SIZE = 256 * 1024;
const PIECE_SIZE = 16 * 1024;
const MANIFEST_ACCEPT = `${OCI_MANIFEST}, application/vnd.docker.distribution.manifest.v2+json`;

const processes = new EmulatorProcesses();
const tempDirs: string[] = [];

afterAll(async () => {
  await processes.killAll();
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

async function createDockerRepository(base: string, repositoryId: string): Promise<void> {
  const res = await fetch(`${base}/v1/projects/${PROJECT}/locations/${LOCATION}/repositories?repositoryId=${repositoryId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ format: 'DOCKER' }),
  });
  if (!res.ok) throw new Error(`createRepository ${repositoryId}: ${res.status} ${await res.text()}`);
}

async function getBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

async function listTags(base: string, name: string): Promise<string[]> {
  const res = await getBytes(`${base}/v2/${name}/tags/list`);
  expect(res.status, res.body.toString()).toBe(200);
  return (JSON.parse(res.body.toString('utf8')) as { tags: string[] }).tags;
}

describe('the emulator SIGKILLed during 50 concurrent pushes and restarted on the same data dir', () => {
  const REPO = 'crash-repo';
  const NAME = `${PROJECT}/${REPO}/app`;
  let dataDir = '';
  let pushes: ImagePush[] = [];
  let killedExit: ProcessExit | undefined;
  let phasesAtKill: Record<string, number> = {};
  let createdAtKill = 0;
  let storeBeforeRestart: BlobStoreReport | undefined;
  let metaBeforeRestart: MetadataReport | undefined;
  let restarted: EmulatorProcess | undefined;
  const server = () => {
    if (!restarted) throw new Error('the emulator was not restarted');
    return restarted.url;
  };
  const acknowledged = () => pushes.filter((p) => p.manifestPut201);

  beforeAll(async () => {
    dataDir = await makeTempDir('are-crash-');
    const first = await processes.start({ dataDir });
    await createDockerRepository(first.url, REPO);
    pushes = Array.from({ length: PUSHES }, (_, i) => buildImagePush(i, randomInt(300 * 1024, 2 * 1024 * 1024)));

    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 * PUSHES });
    let created = 0;
    let thresholdReached!: () => void;
    const threshold = new Promise<void>((resolve) => (thresholdReached = resolve));
    const running = Promise.all(
      pushes.map((push) =>
        runImagePush(push, {
          agent,
          base: first.url,
          name: NAME,
          chunkSize: CHUNK_SIZE,
          pieceSize: PIECE_SIZE,
          ...(isHeldMidLayer(push.index) ? { holdLayer: { chunk: push.index % 2, until: threshold } } : {}),
          onManifestCreated: () => {
            if (++created === KILL_AFTER_MANIFESTS) thresholdReached();
          },
        }),
      ),
    );
    let deadline: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      threshold.then(() => 'threshold' as const),
      running.then(() => 'all pushes ended' as const),
      new Promise<'deadline'>((resolve) => (deadline = setTimeout(() => resolve('deadline'), 30_000))),
    ]);
    clearTimeout(deadline);
    createdAtKill = created;
    phasesAtKill = {};
    for (const p of pushes) phasesAtKill[p.phase] = (phasesAtKill[p.phase] ?? 0) + 1;
    killedExit = await first.kill('SIGKILL');
    await running; // every push now ends quickly: its connection was reset or refused
    agent.destroy();
    if (outcome !== 'threshold') {
      const errors = pushes.filter((p) => p.error).map((p) => `${p.tag}: ${p.error}`);
      throw new Error(`the kill was meant to come after ${KILL_AFTER_MANIFESTS} manifests, but ${outcome} first\n${errors.slice(0, 10).join('\n')}`);
    }

    // The commit invariant holds the instant the process dies, before any restart-time cleanup.
    storeBeforeRestart = await inspectBlobStore(dataDir);
    metaBeforeRestart = await inspectMetadata(dataDir);

    // An unreferenced blob from "before": once it is gone, the restart's garbage collection has run, so
    // everything checked below has survived it too.
    const orphan = randomBytes(1024);
    const orphanHex = sha256(orphan).slice('sha256:'.length);
    const orphanFile = join(dataDir, 'blobs', 'sha256', orphanHex.slice(0, 2), orphanHex);
    await mkdir(dirname(orphanFile), { recursive: true });
    await writeFile(orphanFile, orphan);
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(orphanFile, anHourAgo, anHourAgo);

    restarted = await processes.start({ dataDir });
    const proc = restarted;
    await waitFor(
      'the restarted emulator to collect garbage',
      async () => /garbage collection removed unreferenced blobs/.test(proc.stderr()) && !(await stat(orphanFile).catch(() => undefined)),
      10_000,
    );
    console.info(
      `[crash] killed after ${createdAtKill} manifest 201s; phases at kill ${JSON.stringify(phasesAtKill)}; ` +
        `after the kill: ${acknowledged().length} manifests, ${pushes.filter((p) => p.layerPut201).length} layers acknowledged`,
    );
  });

  it('was killed by SIGKILL while pushes were still in flight, some mid-way through a layer', () => {
    expect(killedExit?.signal).toBe('SIGKILL');
    expect(createdAtKill).toBeGreaterThanOrEqual(KILL_AFTER_MANIFESTS);
    expect(acknowledged().length).toBeLessThan(PUSHES);
    expect(phasesAtKill.layer ?? 0, JSON.stringify(phasesAtKill)).toBeGreaterThanOrEqual(pushes.filter((p) => isHeldMidLayer(p.index)).length);
    expect(pushes.filter((p) => p.phase === 'failed' && !p.manifestPut201).length).toBe(PUSHES - acknowledged().length);
  });

  it('serves every manifest that got its 201 by tag and by digest, byte for byte', async () => {
    for (const p of acknowledged()) {
      for (const ref of [p.tag, p.manifestDigest]) {
        const res = await getBytes(`${server()}/v2/${NAME}/manifests/${ref}`, { accept: MANIFEST_ACCEPT });
        expect(res.status, `${p.tag} by ${ref}`).toBe(200);
        expect(res.headers.get('docker-content-digest')).toBe(p.manifestDigest);
        expect(sha256(res.body)).toBe(p.manifestDigest);
        expect(res.body.equals(p.manifest), `${p.tag} manifest bytes`).toBe(true);
      }
    }
  });

  it('serves every blob those manifests reference, byte for byte', async () => {
    await Promise.all(
      acknowledged().flatMap((p) =>
        [
          { digest: p.layerDigest, bytes: p.layer },
          { digest: p.configDigest, bytes: p.config },
        ].map(async ({ digest, bytes }) => {
          const res = await getBytes(`${server()}/v2/${NAME}/blobs/${digest}`);
          expect(res.status, `${p.tag} blob ${digest}`).toBe(200);
          expect(sha256(res.body), `${p.tag} blob ${digest}`).toBe(digest);
          expect(res.body.equals(bytes)).toBe(true);
        }),
      ),
    );
  });

  it('keeps every blob whose upload PUT got its 201, with its length', async () => {
    const blobs = pushes.flatMap((p) => [
      ...(p.layerPut201 ? [{ digest: p.layerDigest, size: p.layer.length }] : []),
      ...(p.configPut201 ? [{ digest: p.configDigest, size: p.config.length }] : []),
    ]);
    expect(blobs.length).toBeGreaterThanOrEqual(2 * acknowledged().length);
    for (const { digest, size } of blobs) {
      const res = await fetch(`${server()}/v2/${NAME}/blobs/${digest}`, { method: 'HEAD' });
      expect(res.status, digest).toBe(200);
      expect(res.headers.get('content-length'), digest).toBe(String(size));
    }
  });

  it('shows every acknowledged tag, and no tag whose manifest PUT was never sent', async () => {
    const tags = await listTags(server(), NAME);
    for (const p of acknowledged()) expect(tags).toContain(p.tag);
    const neverSent = pushes.filter((p) => !p.manifestPutSent);
    expect(neverSent.length).toBeGreaterThan(0);
    for (const p of neverSent) {
      expect(tags).not.toContain(p.tag);
      const res = await getBytes(`${server()}/v2/${NAME}/manifests/${p.tag}`, { accept: MANIFEST_ACCEPT });
      expect(res.status, p.tag).toBe(404);
    }
    // A manifest PUT cut off by the kill may or may not have committed — but if its tag shows, it is whole.
    for (const p of pushes.filter((q) => q.manifestPutSent && !q.manifestPut201 && tags.includes(q.tag))) {
      const res = await getBytes(`${server()}/v2/${NAME}/manifests/${p.tag}`, { accept: MANIFEST_ACCEPT });
      expect(res.status, p.tag).toBe(200);
      expect(res.body.equals(p.manifest), `${p.tag} manifest bytes`).toBe(true);
    }
  });

  it('leaks no partial upload into the blob store and leaves no blob temp files', async () => {
    expect(storeBeforeRestart?.problems ?? ['not inspected']).toEqual([]);
    const store = await inspectBlobStore(dataDir);
    expect(store.problems).toEqual([]);
    expect(await readdir(join(dataDir, 'blobs', '_tmp'))).toEqual([]);
    for (const p of pushes) {
      if (!p.layerPutSent) {
        expect(store.digests.has(p.layerDigest), `${p.tag}: layer never completed, yet in the blob store`).toBe(false);
        expect(storeBeforeRestart!.digests.has(p.layerDigest), `${p.tag}: layer in the blob store right after the kill`).toBe(false);
        const res = await fetch(`${server()}/v2/${NAME}/blobs/${p.layerDigest}`, { method: 'HEAD' });
        expect(res.status, p.tag).toBe(404);
      }
      if (!p.configPutSent) expect(store.digests.has(p.configDigest), `${p.tag}: config never sent`).toBe(false);
      if (!p.manifestPutSent) expect(store.digests.has(p.manifestDigest), `${p.tag}: manifest never sent`).toBe(false);
    }
  });

  it('leaves metadata whose snapshots and journal lines all parse', async () => {
    // Right after the kill only a torn final journal line (an append cut short) may fail to parse …
    expect(metaBeforeRestart?.problems ?? ['not inspected']).toEqual([]);
    // … and the restart (which refuses unreadable metadata) has dropped any such line.
    const meta = await inspectMetadata(dataDir);
    expect(meta.problems).toEqual([]);
    expect(meta.torn).toEqual([]);
    expect(meta.journals.length + meta.snapshots.length).toBeGreaterThan(0);
  });

  it('resumes a layer upload the kill interrupted from the offset it reports, and commits it intact', async () => {
    const interrupted = pushes.filter((p) => !p.layerPutSent && p.layerUploadUrl);
    expect(interrupted.length).toBeGreaterThan(0);
    const agent = new http.Agent({ keepAlive: true });
    try {
      for (const p of interrupted) {
        const url = new URL(new URL(p.layerUploadUrl!).pathname, server()).href;
        const status = await request(agent, 'GET', url);
        expect(status.status, `${p.tag} upload status`).toBe(204);
        const m = /^0-(\d+)$/.exec(String(status.headers.range));
        expect(m, `${p.tag} Range ${status.headers.range}`).not.toBeNull();
        // "0-0" is what the emulator says for an empty upload; a 1-byte offset cannot happen here.
        const offset = m![1] === '0' ? 0 : Number(m![1]) + 1;
        // The session may hold more than the last acknowledged chunk (a PATCH cut off mid-body), never more than was sent.
        expect(offset, p.tag).toBeGreaterThanOrEqual(p.layerAcked);
        expect(offset, p.tag).toBeLessThanOrEqual(p.layerSent);
        const rest = p.layer.subarray(offset);
        const put = await request(agent, 'PUT', withDigest(url, p.layerDigest), {
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': rest.length,
            ...(rest.length ? { 'content-range': `${offset}-${p.layer.length - 1}` } : {}),
          },
          body: rest,
        });
        expect(put.status, `${p.tag} resumed PUT: ${put.body.toString()}`).toBe(201);
        const blob = await getBytes(`${server()}/v2/${NAME}/blobs/${p.layerDigest}`);
        expect(blob.body.equals(p.layer), `${p.tag} resumed layer bytes`).toBe(true);
      }
    } finally {
      agent.destroy();
    }
    expect((await inspectBlobStore(dataDir)).problems).toEqual([]);
  });

  it('then stops cleanly on SIGTERM, leaving metadata that parses', async () => {
    const exit = await restarted!.kill('SIGTERM');
    expect(exit.code, restarted!.stderr()).toBe(0);
    const meta = await inspectMetadata(dataDir);
    expect(meta.problems).toEqual([]);
    expect(meta.torn).toEqual([]);
  });
});

describe('metadata damaged by a crash', () => {
  const REPO = 'damage-repo';
  const NAME = `${PROJECT}/${REPO}/app`;
  let baseDir = '';
  let journalRel = '';
  let image: ImagePush | undefined;

  /** A copy of the crashed base data dir, and the paths of the repository shard's files in it. */
  async function copyOfBase(): Promise<{ dir: string; journal: string; snapshot: string }> {
    const dir = await makeTempDir('are-damage-');
    await cp(baseDir, dir, { recursive: true });
    const journal = join(dir, journalRel);
    return { dir, journal, snapshot: journal.replace(/\.journal$/, '.json') };
  }

  beforeAll(async () => {
    baseDir = await makeTempDir('are-damage-base-');
    const proc = await processes.start({ dataDir: baseDir });
    await createDockerRepository(proc.url, REPO);
    image = buildImagePush(0, 4096);
    const agent = new http.Agent({ keepAlive: true });
    await runImagePush(image, { agent, base: proc.url, name: NAME, chunkSize: CHUNK_SIZE, pieceSize: PIECE_SIZE });
    agent.destroy();
    expect(image.manifestPut201, image.error).toBe(true);
    await proc.kill('SIGKILL');
    const journals = (await listFiles(join(baseDir, 'meta'))).filter((f) => f.endsWith(`${REPO}.journal`));
    expect(journals).toHaveLength(1);
    journalRel = journals[0]!.slice(baseDir.length + 1);
    expect((await readFile(journals[0]!, 'utf8')).split('\n').length).toBeGreaterThan(3);
  });

  it('drops a torn final journal line on restart, keeps every complete one, and appends on a line boundary', async () => {
    const { dir, journal } = await copyOfBase();
    const original = await readFile(journal);
    const tornOp = JSON.stringify([['p', 'tags', 'app:torn', { digest: image!.manifestDigest, updateTime: new Date().toISOString() }]]);
    await appendFile(journal, tornOp.slice(0, Math.floor(tornOp.length / 2)));

    const proc = await processes.start({ dataDir: dir });
    // stdout (the ready line) and stderr (the warning) are separate pipes: the warning may arrive later.
    await waitFor('a warning naming the journal', () => proc.stderr().includes(journal), 5_000);
    expect((await readFile(journal)).equals(original), 'journal after dropping the torn line').toBe(true);
    const v1 = await getBytes(`${proc.url}/v2/${NAME}/manifests/${image!.tag}`, { accept: MANIFEST_ACCEPT });
    expect(v1.status).toBe(200);
    expect(v1.body.equals(image!.manifest)).toBe(true);
    expect((await getBytes(`${proc.url}/v2/${NAME}/manifests/torn`, { accept: MANIFEST_ACCEPT })).status).toBe(404);

    const agent = new http.Agent({ keepAlive: true });
    const put = await request(agent, 'PUT', `${proc.url}/v2/${NAME}/manifests/after`, {
      headers: { 'content-type': OCI_MANIFEST, 'content-length': image!.manifest.length },
      body: image!.manifest,
    });
    agent.destroy();
    expect(put.status, put.body.toString()).toBe(201);
    await proc.kill('SIGKILL');

    const again = await processes.start({ dataDir: dir });
    expect(await listTags(again.url, NAME)).toEqual(['after', image!.tag]);
    const meta = await inspectMetadata(dir);
    expect(meta.problems).toEqual([]);
    expect(meta.torn).toEqual([]);
    await again.kill('SIGKILL');
  });

  it('refuses to start on a corrupt complete journal line, naming the file and leaving it untouched', async () => {
    const { dir, journal } = await copyOfBase();
    const lines = (await readFile(journal, 'utf8')).split('\n');
    lines[1] = lines[1]!.slice(0, Math.floor(lines[1]!.length / 2)); // still newline-terminated: not a torn append
    await writeFile(journal, lines.join('\n'));
    const before = await fingerprintTree(join(dir, 'meta'));

    const run = await processes.runToExit({ dataDir: dir });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.code, run.stderr).not.toBe(0);
    expect(run.stderr).toContain(journal);
    expect(run.stderr).toMatch(/line 2\b/);
    expect(run.stdout).not.toContain('ARTIFACT_REGISTRY_EMULATOR_HOST');
    expect(await fingerprintTree(join(dir, 'meta'))).toEqual(before);
  });

  it('refuses to start on a corrupt snapshot, naming the file and leaving it untouched', async () => {
    const { dir, snapshot } = await copyOfBase();
    const doc = JSON.stringify({ version: 1, tables: { repository: { self: { project: PROJECT, location: LOCATION, repository: REPO, format: 'DOCKER' } } } });
    await writeFile(snapshot, doc.slice(0, Math.floor(doc.length / 2)));
    const before = await fingerprintTree(join(dir, 'meta'));

    const run = await processes.runToExit({ dataDir: dir });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.code, run.stderr).not.toBe(0);
    expect(run.stderr).toContain(snapshot);
    expect(run.stdout).not.toContain('ARTIFACT_REGISTRY_EMULATOR_HOST');
    expect(await fingerprintTree(join(dir, 'meta'))).toEqual(before);
  });
});
