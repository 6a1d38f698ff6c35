// POST/GET/DELETE /_emulator/faults and GET/POST /_emulator/offline: validation names the field, only existing
// REMOTE_REPOSITORY repositories take faults, forSeconds counts in emulator time (the virtual clock expires a
// fault), and every change reaches the event feed as faults.changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { repoName, startFaultsEmulator, type FaultsEmulator } from './remote-fixture.js';

let emu: FaultsEmulator;
let remote: string;
let other: string;
const changes: EmulatorEvent<'faults.changed'>[] = [];

beforeAll(async () => {
  emu = await startFaultsEmulator();
  remote = await emu.createRemote('upstream-cache');
  other = await emu.createRemote('second-cache');
  await emu.createRepository('local-images');
  emu.emulator.events.on('faults.changed', (e) => void changes.push(e));
});
afterAll(() => emu?.stop());

const googleError = (body: { error?: { code?: number; status?: string; message?: string } } | undefined) => ({ code: body?.error?.code, status: body?.error?.status, message: String(body?.error?.message ?? '') });

describe('fault validation', () => {
  const cases: Array<[string, unknown, string]> = [
    ['mode missing', { repository: 'R' }, 'mode'],
    ['unknown mode', { repository: 'R', mode: 'flaky' }, 'mode'],
    ['status required', { repository: 'R', mode: 'status' }, 'status'],
    ['status out of range', { repository: 'R', mode: 'status', status: 200 }, 'status'],
    ['status not an integer', { repository: 'R', mode: 'status', status: '429' }, 'status'],
    ['status on down', { repository: 'R', mode: 'down', status: 503 }, 'status'],
    ['delay required', { repository: 'R', mode: 'slow' }, 'delayMs'],
    ['negative delay', { repository: 'R', mode: 'slow', delayMs: -1 }, 'delayMs'],
    ['forSeconds zero', { repository: 'R', mode: 'down', forSeconds: 0 }, 'forSeconds'],
    ['forSeconds fractional', { repository: 'R', mode: 'down', forSeconds: 1.5 }, 'forSeconds'],
    ['unknown field', { repository: 'R', mode: 'down', until: 'x' }, 'until'],
    ['repository missing', { mode: 'down' }, 'repository'],
    ['malformed repository', { repository: 'projects/P!/x', mode: 'down' }, 'repository'],
  ];
  for (const [label, body, field] of cases) {
    it(`${label} → INVALID_ARGUMENT naming "${field}"`, async () => {
      const b = JSON.parse(JSON.stringify(body).replace('"R"', JSON.stringify(remote)));
      const res = await emu.json('POST', '/_emulator/faults', b);
      expect(res.status).toBe(400);
      expect(googleError(res.body).status).toBe('INVALID_ARGUMENT');
      expect(googleError(res.body).message).toContain(`"${field}"`);
    });
  }

  it('a body that is not JSON, or not an object, is INVALID_ARGUMENT', async () => {
    for (const body of ['{', '[]', 'null']) {
      const res = await emu.json('POST', '/_emulator/faults', body);
      expect(res.status, body).toBe(400);
      expect(googleError(res.body).status).toBe('INVALID_ARGUMENT');
    }
  });

  it('an absent repository is NOT_FOUND, a standard one FAILED_PRECONDITION', async () => {
    const absent = await emu.json('POST', '/_emulator/faults', { repository: repoName('nope'), mode: 'down' });
    expect(absent.status).toBe(404);
    expect(googleError(absent.body).status).toBe('NOT_FOUND');
    const standard = await emu.json('POST', '/_emulator/faults', { repository: repoName('local-images'), mode: 'down' });
    expect(standard.status).toBe(400);
    expect(googleError(standard.body).status).toBe('FAILED_PRECONDITION');
    expect(googleError(standard.body).message).toContain('REMOTE_REPOSITORY');
    expect((await emu.json('GET', '/_emulator/faults')).body).toEqual({ faults: [] });
  });
});

describe('faults', () => {
  it('adds, lists, replaces and clears faults', async () => {
    const added = await emu.json('POST', '/_emulator/faults', { repository: remote, mode: 'status', status: 429 });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ repository: remote, mode: 'status', status: 429 });
    await emu.json('POST', '/_emulator/faults', { repository: other, mode: 'slow', delayMs: 1500 });
    let list = (await emu.json('GET', '/_emulator/faults')).body.faults;
    expect(list).toEqual([{ repository: remote, mode: 'status', status: 429 }, { repository: other, mode: 'slow', delayMs: 1500 }]);
    // one fault per repository: a new one replaces it
    await emu.json('POST', '/_emulator/faults', { repository: remote, mode: 'down' });
    list = (await emu.json('GET', '/_emulator/faults')).body.faults;
    expect(list).toContainEqual({ repository: remote, mode: 'down' });
    expect(list).toHaveLength(2);
    const one = await emu.json('DELETE', `/_emulator/faults?repository=${encodeURIComponent(remote)}`);
    expect(one.body).toEqual({ faults: [{ repository: other, mode: 'slow', delayMs: 1500 }] });
    const all = await emu.json('DELETE', '/_emulator/faults');
    expect(all.body).toEqual({ faults: [] });
    const badClear = await emu.json('DELETE', '/_emulator/faults?repository=nonsense');
    expect(badClear.status).toBe(400);
    expect(googleError(badClear.body).message).toContain('"repository"');
  });

  it('forSeconds ends a fault in emulator time: advancing the virtual clock expires it', async () => {
    const now = Date.parse((await emu.json('GET', '/_emulator/clock')).body.now);
    const added = await emu.json('POST', '/_emulator/faults', { repository: remote, mode: 'down', forSeconds: 3600 });
    expect(Date.parse(added.body.until) - now).toBeGreaterThanOrEqual(3600_000);
    expect(Date.parse(added.body.until) - now).toBeLessThan(3600_000 + 60_000);
    await emu.json('POST', '/_emulator/clock', { advance: '1800s' });
    expect((await emu.json('GET', '/_emulator/faults')).body.faults).toHaveLength(1);
    expect(emu.emulator.clock.now().getTime()).toBeLessThan(Date.parse(added.body.until));
    await emu.json('POST', '/_emulator/clock', { advance: '1801s' });
    expect((await emu.json('GET', '/_emulator/faults')).body.faults).toEqual([]);
    await emu.json('POST', '/_emulator/clock', { reset: true });
  });

  it('every change is a faults.changed event with the state after it (expiry included)', async () => {
    await expect.poll(() => changes.length).toBeGreaterThan(0);
    changes.length = 0;
    await emu.json('POST', '/_emulator/faults', { repository: other, mode: 'down', forSeconds: 60 });
    await expect.poll(() => changes.at(-1)?.data.faults.length).toBe(1);
    expect(changes.at(-1)!.data).toMatchObject({ faults: [{ repository: other, mode: 'down' }], offline: { global: false, repositories: [] } });
    await emu.json('POST', '/_emulator/clock', { advance: '61s' });
    await expect.poll(() => changes.at(-1)?.data.faults.length).toBe(0);
    await emu.json('POST', '/_emulator/clock', { reset: true });
  });
});

describe('offline', () => {
  it('switches globally and per repository', async () => {
    expect((await emu.json('GET', '/_emulator/offline')).body).toEqual({ global: false, repositories: [] });
    expect((await emu.json('POST', '/_emulator/offline', { offline: true, repository: remote })).body).toEqual({ global: false, repositories: [remote] });
    expect((await emu.json('POST', '/_emulator/offline', { offline: true })).body).toEqual({ global: true, repositories: [remote] });
    expect((await emu.json('POST', '/_emulator/offline', { offline: false })).body).toEqual({ global: false, repositories: [remote] });
    expect((await emu.json('POST', '/_emulator/offline', { offline: false, repository: remote })).body).toEqual({ global: false, repositories: [] });
  });

  it('validates the body and the repository', async () => {
    const notBool = await emu.json('POST', '/_emulator/offline', { offline: 'yes' });
    expect(notBool.status).toBe(400);
    expect(googleError(notBool.body).message).toContain('"offline"');
    const extra = await emu.json('POST', '/_emulator/offline', { offline: true, global: true });
    expect(googleError(extra.body).message).toContain('"global"');
    const standard = await emu.json('POST', '/_emulator/offline', { offline: true, repository: repoName('local-images') });
    expect(googleError(standard.body).status).toBe('FAILED_PRECONDITION');
    const absent = await emu.json('POST', '/_emulator/offline', { offline: true, repository: repoName('absent') });
    expect(googleError(absent.body).status).toBe('NOT_FOUND');
    expect((await emu.json('GET', '/_emulator/offline')).body).toEqual({ global: false, repositories: [] });
  });

  it('the offline option (--offline) starts the emulator offline', async () => {
    const off = await startFaultsEmulator({ offline: true });
    try {
      expect((await off.json('GET', '/_emulator/offline')).body).toEqual({ global: true, repositories: [] });
    } finally {
      await off.stop();
    }
  });
});
