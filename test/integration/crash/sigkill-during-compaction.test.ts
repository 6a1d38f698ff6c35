// Crash safety of metadata compaction (issue 8): the emulator process is SIGKILLed 50 times while manifest
// PUTs keep the repository shard compacting, and restarted on the same data dir each time. Every restart must
// start clean and serve every manifest and tag acknowledged (201) before any kill.
//
// AR_EMULATOR_COMPACTION_BYTES=0 (read by the CLI: emulator/cli.ts) makes every transaction rewrite the
// shard's snapshot, so most of the time a kill lands the shard is being compacted: the snapshot temp file
// half-written, fsynced, renamed, or the journal being removed.
import { randomInt } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmulatorProcesses, type EmulatorProcess } from '../../support/process.js';
import { inspectMetadata } from './data-dir.js';
import { buildImagePush, OCI_MANIFEST, request, runImagePush, sha256 } from './registry-push.js';

const PROJECT = 'crash-project';
const REPO = 'compaction-repo';
const NAME = `${PROJECT}/${REPO}/app`;
const KILLS = 50;
const WRITERS = 4;
const ENV = { AR_EMULATOR_COMPACTION_BYTES: '0' };

const processes = new EmulatorProcesses();
let dataDir = '';

afterAll(async () => {
  await processes.killAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Acked {
  tag: string;
  digest: string;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: { accept: OCI_MANIFEST } });
  return { status: res.status, body: (await res.json()) as T };
}

const exists = (file: string) => stat(file).then(() => true, () => false);

describe('the emulator SIGKILLed 50 times during metadata compaction', () => {
  it('restarts clean every time, with every acknowledged manifest and tag', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'are-compaction-crash-'));
    const shardBase = join(dataDir, 'meta', 'repos', PROJECT, 'us-central1', REPO);
    let proc: EmulatorProcess = await processes.start({ dataDir, env: ENV });
    const created = await fetch(`${proc.url}/v1/projects/${PROJECT}/locations/us-central1/repositories?repositoryId=${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'DOCKER' }),
    });
    expect(created.status, await created.text()).toBe(200);
    // One image's blobs; then every PUT is a new manifest (a different annotation) under a new tag.
    const image = buildImagePush(0, 4096);
    const setupAgent = new http.Agent({ keepAlive: true });
    await runImagePush(image, { agent: setupAgent, base: proc.url, name: NAME, chunkSize: 4096, pieceSize: 4096 });
    setupAgent.destroy();
    expect(image.manifestPut201, image.error).toBe(true);
    const template = JSON.parse(image.manifest.toString('utf8')) as { annotations: Record<string, string> };

    const acked: Acked[] = [{ tag: image.tag, digest: image.manifestDigest }];
    const startMs: number[] = [];
    let midCompaction = 0;
    let puts = 0;
    for (let round = 0; round < KILLS; round++) {
      // Push until the kill: WRITERS concurrent manifest PUTs at a time.
      const agent = new http.Agent({ keepAlive: true, maxSockets: WRITERS });
      let killed = false;
      const writer = async (w: number) => {
        for (let i = 0; !killed; i++) {
          const tag = `r${round}-w${w}-${i}`;
          const body = Buffer.from(JSON.stringify({ ...template, annotations: { ...template.annotations, 'org.example.tag': tag } }));
          try {
            const res = await request(agent, 'PUT', `${proc.url}/v2/${NAME}/manifests/${tag}`, {
              headers: { 'content-type': OCI_MANIFEST, 'content-length': body.length },
              body,
            });
            if (res.status !== 201) throw new Error(`PUT ${tag}: ${res.status} ${res.body.toString()}`);
            puts++;
            acked.push({ tag, digest: sha256(body) });
          } catch (err) {
            if (!killed) throw err;
          }
        }
      };
      const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      await new Promise((resolve) => setTimeout(resolve, randomInt(40, 250)));
      killed = true;
      const exit = await proc.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      await writers;
      agent.destroy();
      // Evidence of where the kill landed: a snapshot temp file, or a snapshot beside a journal it replaced.
      if ((await exists(join(dataDir, 'meta', 'repos', PROJECT, 'us-central1', `.${REPO}.json.tmp`))) || (await exists(`${shardBase}.journal`))) midCompaction++;

      const t0 = Date.now();
      proc = await processes.start({ dataDir, env: ENV });
      startMs.push(Date.now() - t0);
      const tags = await getJson<{ tags: string[] }>(`${proc.url}/v2/${NAME}/tags/list?n=100000`);
      expect(tags.status).toBe(200);
      const present = new Set(tags.body.tags);
      const lost = acked.filter((a) => !present.has(a.tag));
      expect(lost.map((a) => a.tag), `round ${round}: acknowledged tags lost`).toEqual([]);
      // Every manifest acknowledged in this round, by digest, plus a few older ones.
      const sample = [...acked.filter((a) => a.tag.startsWith(`r${round}-`)), ...Array.from({ length: 5 }, () => acked[randomInt(acked.length)]!)];
      for (const a of sample) {
        const res = await fetch(`${proc.url}/v2/${NAME}/manifests/${a.digest}`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } });
        expect(res.status, `round ${round}: ${a.tag} by digest`).toBe(200);
      }
    }
    const exit = await proc.kill('SIGTERM');
    expect(exit.code, proc.stderr()).toBe(0);
    const meta = await inspectMetadata(dataDir);
    expect(meta.problems).toEqual([]);
    expect(meta.torn).toEqual([]);
    startMs.sort((a, b) => a - b);
    console.info(
      `[compaction-crash] ${KILLS} kills, ${puts} manifest PUTs acknowledged, ${midCompaction} kills left a snapshot temp file or a journal behind; ` +
        `restart to ready: median ${startMs[startMs.length >> 1]} ms, max ${startMs.at(-1)} ms`,
    );
    expect(puts).toBeGreaterThan(KILLS);
  });
});
