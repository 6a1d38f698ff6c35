// `ar-emulator faults list|add|clear` and `ar-emulator offline [on|off] [--repository R]` as child processes
// against an emulator started here: what they print, that the emulator's state follows, the emulator's errors
// as its message (exit 1) and usage errors (exit 2).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultsEmulator, type FaultsEmulator } from './remote-fixture.js';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;

interface Run { code: number; stdout: string; stderr: string }

async function cli(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args, '--endpoint', emu.registryHost], { env: { ...process.env, ARTIFACT_REGISTRY_EMULATOR_HOST: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let emu: FaultsEmulator;
let remote: string;

beforeAll(async () => {
  emu = await startFaultsEmulator();
  remote = await emu.createRemote('mirror');
});
afterAll(() => emu?.stop());

describe('ar-emulator faults', () => {
  it('adds, lists and clears', async () => {
    expect(await cli(['faults', 'list'])).toMatchObject({ code: 0, stdout: 'no faults\n' });
    const add = await cli(['faults', 'add', '--repository', remote, '--mode', 'status', '--status', '503', '--for-seconds', '600']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(new RegExp(`^added: ${remote}: answers HTTP 503 until \\d{4}-`));
    expect((await emu.json('GET', '/_emulator/faults')).body.faults).toMatchObject([{ repository: remote, mode: 'status', status: 503 }]);
    const list = await cli(['faults', 'list']);
    expect(list.stdout).toContain(`${remote}: answers HTTP 503 until`);
    const clear = await cli(['faults', 'clear', '--repository', remote]);
    expect(clear).toMatchObject({ code: 0, stdout: `cleared the fault of ${remote}\n` });
    expect((await emu.json('GET', '/_emulator/faults')).body.faults).toEqual([]);
    await cli(['faults', 'add', '--repository', remote, '--mode', 'slow', '--delay-ms', '250']);
    expect((await cli(['faults', 'list'])).stdout).toBe(`${remote}: slow (+250 ms) until cleared\n`);
    expect(await cli(['faults', 'clear'])).toMatchObject({ code: 0, stdout: 'cleared all faults\n' });
  });

  it("prints the emulator's error with exit 1", async () => {
    const r = await cli(['faults', 'add', '--repository', remote, '--mode', 'status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"status"');
  });

  it('usage errors exit 2', async () => {
    for (const args of [['faults', 'add', '--mode', 'down'], ['faults', 'bogus'], ['faults', 'add', '--repository', remote, '--mode', 'slow', '--delay-ms', 'soon'], ['faults', 'list', '--mode', 'down']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage:');
    }
  });
});

describe('ar-emulator offline', () => {
  it('prints and switches the offline state', async () => {
    expect(await cli(['offline'])).toMatchObject({ code: 0, stdout: 'offline (all remote repositories): off\n' });
    expect((await cli(['offline', 'on', '--repository', remote])).stdout).toBe(`offline (all remote repositories): off\noffline: ${remote}\n`);
    expect((await cli(['offline', 'on'])).stdout).toContain('offline (all remote repositories): on');
    expect((await emu.json('GET', '/_emulator/offline')).body).toEqual({ global: true, repositories: [remote] });
    await cli(['offline', 'off']);
    await cli(['offline', 'off', '--repository', remote]);
    expect((await emu.json('GET', '/_emulator/offline')).body).toEqual({ global: false, repositories: [] });
    expect((await cli(['offline', 'maybe'])).code).toBe(2);
  });
});

describe('ar-emulator start --offline', () => {
  it('starts with every remote repository offline, and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'are-offline-'));
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--grpc-port', 'off', '--offline', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      const port = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          stdout += d;
          const m = /export ARTIFACT_REGISTRY_EMULATOR_HOST=localhost:(\d+)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(stdout).toContain('offline: remote repositories answer from their caches only');
      const res = await fetch(`http://127.0.0.1:${port}/_emulator/offline`);
      expect(await res.json()).toEqual({ global: true, repositories: [] });
    } finally {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
