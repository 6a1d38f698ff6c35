// Blob downloads cut off by the client at any byte (Ctrl-C during `docker pull`): 200 downloads aborted at
// seeded random offsets, by FIN and by RST, with and without Range, while pushes run. The emulator runs as
// a child process through the CLI, so a crash (an unhandled rejection exits with code 1) is visible.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorProcesses, type EmulatorProcess } from '../../support/process.js';
import { seededRandom } from '../../support/seeded-random.js';
import { buildImagePush, runImagePush, type ImagePush } from '../crash/registry-push.js';

const PROJECT = 'abort-project';
const NAME = `${PROJECT}/abort-repo/app`;
const DOWNLOADS = 200;
const CONCURRENCY = 8;
const PUSHES = 24;
const SEED = 0x5eed8;
const KiB = 1024;
const MiB = 1024 * KiB;

const processes = new EmulatorProcesses();
let dataDir = '';
let proc: EmulatorProcess;
const blobs: Array<{ digest: string; data: Buffer }> = [];

afterAll(async () => {
  await processes.killAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'are-abort-'));
  proc = await processes.start({ dataDir });
  const res = await fetch(`${proc.url}/v1/projects/${PROJECT}/locations/us-central1/repositories?repositoryId=abort-repo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ format: 'DOCKER' }),
  });
  expect(res.status, await res.text()).toBe(200);
  for (const size of [6 * MiB + 123, 2 * MiB, 300 * KiB]) {
    const data = randomBytes(size);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const put = await fetch(`${proc.url}/v2/${NAME}/blobs/uploads/?digest=${digest}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: data });
    expect(put.status).toBe(201);
    blobs.push({ digest, data });
  }
});

type Cut = 'fin' | 'rst';

/** GETs a blob and cuts the connection once `cutAt` body bytes arrived (0: right after the headers). */
function abortedDownload(agent: http.Agent, url: string, cutAt: number, how: Cut, range?: string): Promise<number> {
  return new Promise<number>((resolve) => {
    let received = 0;
    const req = http.get(url, { agent, headers: range ? { range } : {} }, (res) => {
      const cut = () => {
        if (how === 'rst') req.socket?.resetAndDestroy();
        else req.destroy();
        resolve(received);
      };
      if (cutAt === 0) return cut();
      res.on('data', (c: Buffer) => {
        received += c.length;
        if (received >= cutAt) cut();
      });
      res.on('end', () => resolve(received));
      res.on('error', () => resolve(received));
    });
    req.on('error', () => resolve(received));
  });
}

describe('downloads aborted by the client while pushes run', () => {
  const pushes: ImagePush[] = Array.from({ length: PUSHES }, (_, i) => buildImagePush(i, 256 * KiB + i * 8 * KiB));
  let cuts: Array<{ blob: number; cutAt: number; how: Cut; range?: string }> = [];

  it('keeps the process up through 200 downloads cut at random byte offsets', async () => {
    const random = seededRandom(SEED);
    cuts = Array.from({ length: DOWNLOADS }, () => {
      const blob = random.int(0, blobs.length - 1);
      const size = blobs[blob]!.data.length;
      const ranged = random.next() < 0.25;
      const start = ranged ? random.int(0, size - 1) : 0;
      return { blob, cutAt: random.int(0, size - start - 1), how: random.pick(['fin', 'rst'] as const), ...(ranged ? { range: `bytes=${start}-` } : {}) };
    });
    const pushAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const pushing = Promise.all(pushes.map((p) => runImagePush(p, { agent: pushAgent, base: proc.url, name: NAME, chunkSize: 64 * KiB, pieceSize: 16 * KiB })));
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cuts.length) {
          const c = cuts[next++]!;
          await abortedDownload(agent, `${proc.url}/v2/${NAME}/blobs/${blobs[c.blob]!.digest}`, c.cutAt, c.how, c.range);
        }
      }),
    );
    await pushing;
    agent.destroy();
    pushAgent.destroy();
    const exited = await Promise.race([proc.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 200))]);
    expect(exited, `the emulator exited\n${proc.stderr().slice(-3000)}`).toBe('running');
    expect(cuts.filter((c) => c.how === 'rst').length).toBeGreaterThan(50);
    expect(cuts.filter((c) => c.range).length).toBeGreaterThan(20);
  });

  it('completed every push that ran beside the aborted downloads', () => {
    expect(pushes.filter((p) => p.error).map((p) => `${p.tag}: ${p.error}`)).toEqual([]);
  });

  it('still serves every blob whole afterwards', async () => {
    expect((await fetch(`${proc.url}/v2/`)).status).toBe(200);
    for (const { digest, data } of blobs) {
      const res = await fetch(`${proc.url}/v2/${NAME}/blobs/${digest}`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    }
  });

  it('logged no error, no unhandled rejection and no stack trace for the disconnects', () => {
    const stderr = proc.stderr();
    expect(stderr).not.toMatch(/ERROR|Unhandled|triggerUncaughtException|ECONNRESET/);
  });
});
