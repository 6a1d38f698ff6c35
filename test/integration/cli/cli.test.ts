// The headless CLI: readiness and export lines on port 0, a clear failure on bad flags or unreadable data,
// and a graceful stop on SIGTERM that flushes metadata.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;
const dirs: string[] = [];
const procs: ChildProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'are-cli-'));
  dirs.push(d);
  return d;
}

function start(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /export ARTIFACT_REGISTRY_EMULATOR_HOST=localhost:(\d+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  ready.catch(() => {}); // awaited only by tests that expect a start
  return { child, ready, exited, out: () => stdout, err: () => stderr };
}

describe('ar-emulator start', () => {
  it('prints the URL and export line on port 0, serves, and stops cleanly on SIGTERM', async () => {
    const dir = await tempDir();
    const emu = start(['start', '--port', '0', '--data-dir', dir]);
    const port = await emu.ready;
    expect(emu.out()).toMatch(new RegExp(`ready at http://127\\.0\\.0\\.1:${port} `));
    const res = await fetch(`http://127.0.0.1:${port}/v1/projects/p/locations/us-central1/repositories?repositoryId=r`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"format":"DOCKER"}',
    });
    expect(res.status).toBe(200);
    emu.child.kill('SIGTERM');
    expect(await emu.exited).toBe(0);
    expect(await readdir(join(dir, 'meta', 'repos', 'p', 'us-central1'))).toContain('r.journal');
  });

  it('runs two instances side by side on different data dirs', async () => {
    const a = start(['start', '--port', '0', '--data-dir', await tempDir()]);
    const b = start(['start', '--port', '0', '--data-dir', await tempDir()]);
    const [pa, pb] = await Promise.all([a.ready, b.ready]);
    expect(pa).not.toBe(pb);
    for (const p of [pa, pb]) expect((await fetch(`http://127.0.0.1:${p}/v2/`)).status).toBe(200);
  });

  it('refuses to start on unreadable metadata, naming the file and leaving it alone', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'meta', 'repos'), { recursive: true });
    await writeFile(join(dir, 'meta', 'repos', 'broken.json'), '{not json');
    const emu = start(['start', '--port', '0', '--data-dir', dir]);
    expect(await emu.exited).toBe(1);
    expect(emu.err()).toMatch(/broken\.json cannot be read/);
  });

  it('explains a bad flag with the usage', async () => {
    const emu = start(['start', '--port', 'eighty']);
    expect(await emu.exited).toBe(2);
    expect(emu.err()).toMatch(/--port must be a number/);
  });
});
