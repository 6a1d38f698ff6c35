// The virtual clock (issue 11, item 2): `GET /_emulator/clock` and its shape, `advance` (protobuf Duration,
// `30d` and ISO 8601 forms), `set` and `reset`, each answering the same shape and heard as `clock.changed`;
// what is created while the clock is moved carries virtual timestamps (a repository's and a version's
// createTime); an upload left open is purged once the clock passes its TTL; a token the emulator mints expires once
// the clock moves past its hour.
// The emulator runs on a ManualClock as its real time, so every expected instant is exact.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type EmulatorEvent } from '../../../emulator/index.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REAL = '2026-03-01T12:00:00.000Z';
const REAL_MS = Date.parse(REAL);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}`;

const send = async (url: string, method: string, path: string, body?: unknown, token?: string) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};

describe('the clock API', () => {
  let emu: TestEmulator;
  const real = new ManualClock(REAL);
  const changes: EmulatorEvent[] = [];
  const clock = (body?: unknown) => send(emu.url, body === undefined ? 'GET' : 'POST', '/_emulator/clock', body);

  beforeAll(async () => {
    emu = await startEmulator({ clock: real });
    emu.emulator.events.on('clock.changed', (e) => void changes.push(e));
  });
  afterAll(() => emu?.stop());

  it('GET answers {now, offsetSeconds} in real time at first, and is not cached', async () => {
    const res = await fetch(`${emu.url}/_emulator/clock`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['now', 'offsetSeconds']);
    expect(body).toEqual({ now: REAL, offsetSeconds: 0 });
    expect(body.now).toMatch(RFC3339);
  });

  it('advance takes a protobuf Duration, the short form and ISO 8601, and adds up', async () => {
    expect((await clock({ advance: '2592000s' })).body).toEqual({ now: '2026-03-31T12:00:00.000Z', offsetSeconds: 2_592_000 });
    expect((await clock({ advance: '1d' })).body).toEqual({ now: '2026-04-01T12:00:00.000Z', offsetSeconds: 2_678_400 });
    expect((await clock({ advance: 'PT2H' })).body).toEqual({ now: '2026-04-01T14:00:00.000Z', offsetSeconds: 2_685_600 });
    expect((await clock({ advance: '1.5s' })).body).toMatchObject({ now: '2026-04-01T14:00:01.500Z' });
    expect((await clock()).body).toMatchObject({ now: '2026-04-01T14:00:01.500Z' });
  });

  it('set moves to an instant (any RFC 3339 offset), also into the past', async () => {
    expect((await clock({ set: '2027-01-01T00:00:00Z' })).body).toEqual({ now: '2027-01-01T00:00:00.000Z', offsetSeconds: (Date.parse('2027-01-01T00:00:00Z') - REAL_MS) / 1000 });
    expect((await clock({ set: '2026-06-01T02:00:00+02:00' })).body).toEqual({ now: '2026-06-01T00:00:00.000Z', offsetSeconds: (Date.parse('2026-06-01T00:00:00Z') - REAL_MS) / 1000 });
    expect((await clock({ set: '2026-02-01T12:00:00.250Z' })).body).toMatchObject({ now: '2026-02-01T12:00:00.250Z' });
    expect(((await clock()).body.offsetSeconds as number)).toBeLessThan(0);
  });

  it('reset goes back to real time, and real time keeps flowing under the offset', async () => {
    expect((await clock({ reset: true })).body).toEqual({ now: REAL, offsetSeconds: 0 });
    await clock({ advance: '1h' });
    real.advance(60_000); // real time moves on a minute
    expect((await clock()).body).toEqual({ now: '2026-03-01T13:01:00.000Z', offsetSeconds: 3600 });
    expect((await clock({ reset: true })).body).toEqual({ now: '2026-03-01T12:01:00.000Z', offsetSeconds: 0 });
  });

  it('every move is a clock.changed event with the new time', () => {
    expect(changes.length).toBeGreaterThanOrEqual(9);
    expect(changes.at(-1)!.data).toEqual({ now: '2026-03-01T12:01:00.000Z', offsetSeconds: 0 });
    expect(changes[0]!.data).toEqual({ now: '2026-03-31T12:00:00.000Z', offsetSeconds: 2_592_000 });
  });

  it('what is created while the clock is moved carries virtual timestamps', async () => {
    await clock({ set: '2030-05-05T05:05:05Z' });
    const created = await send(emu.url, 'POST', `/v1/${PARENT}/repositories?repositoryId=future`, { format: 'DOCKER' });
    expect(created.status).toBe(200);
    const repo = await send(emu.url, 'GET', `/v1/${PARENT}/repositories/future`);
    const at = (v: unknown) => Date.parse(String(v));
    expect(at(repo.body.createTime)).toBe(Date.parse('2030-05-05T05:05:05Z'));
    expect(at(repo.body.updateTime)).toBe(Date.parse('2030-05-05T05:05:05Z'));

    await clock({ advance: '10d' });
    const config = '{"architecture":"amd64","os":"linux"}';
    const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
    const name = `${TEST_PROJECT}/future/app`;
    for (const blob of [config, 'layer']) {
      expect((await fetch(`${emu.url}/v2/${name}/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', body: blob })).status).toBe(201);
    }
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha('layer'), size: 5 }],
    });
    const put = await fetch(`${emu.url}/v2/${name}/manifests/v1`, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
    expect(put.status).toBe(201);
    const version = await send(emu.url, 'GET', `/v1/${PARENT}/repositories/future/packages/app/versions/${sha(manifest)}`);
    expect(version.status).toBe(200);
    expect(at(version.body.createTime)).toBe(Date.parse('2030-05-15T05:05:05Z'));
    const image = await send(emu.url, 'GET', `/v1/${PARENT}/repositories/future/dockerImages/app@${sha(manifest)}`);
    expect(image.status).toBe(200);
    expect(at(image.body.uploadTime)).toBe(Date.parse('2030-05-15T05:05:05Z'));
    await clock({ reset: true });
  });
});

describe('upload sessions and the clock', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ clock: new ManualClock(REAL) });
    await emu.createRepository('uploads');
  });
  afterAll(() => emu?.stop());

  it('an upload left open is purged once the clock moves past its 24 h TTL', async () => {
    const name = `${TEST_PROJECT}/uploads/app`;
    const start = async () => {
      const res = await fetch(`${emu.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
      expect(res.status).toBe(202);
      return new URL(res.headers.get('location')!, emu.url).toString();
    };
    const stale = await start();
    await send(emu.url, 'POST', '/_emulator/clock', { advance: '23h' });
    const fresh = await start();
    expect((await fetch(stale)).status).toBe(204);
    await send(emu.url, 'POST', '/_emulator/clock', { advance: '2h' });
    // the purge runs on the move (a background job): wait for it, with a bound
    const until = Date.now() + 10_000;
    while ((await fetch(stale)).status !== 404 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const gone = await fetch(stale);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('BLOB_UPLOAD_UNKNOWN');
    // the session started 2 h ago is still there
    expect((await fetch(fresh)).status).toBe(204);
  });
});

describe('tokens and the clock', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ clock: new ManualClock(REAL), iam: 'enforce' });
  });
  afterAll(() => emu?.stop());

  it('a token minted now works for 59 minutes of emulator time and is refused after 2 h', async () => {
    const minted = await send(emu.url, 'POST', '/_emulator/iam/tokens', { principal: 'user:owner@ar-emulator.local' });
    expect(minted.status).toBe(200);
    const token = minted.body.accessToken as string;
    const list = () => send(emu.url, 'GET', `/v1/${PARENT}/repositories`, undefined, token);
    expect((await list()).status).toBe(200);
    await send(emu.url, 'POST', '/_emulator/clock', { advance: '59m' });
    expect((await list()).status).toBe(200);
    await send(emu.url, 'POST', '/_emulator/clock', { advance: '61m' });
    const refused = await list();
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { status: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/i) } });
    // a token minted at the moved time is valid at the moved time
    const fresh = (await send(emu.url, 'POST', '/_emulator/iam/tokens', { principal: 'user:owner@ar-emulator.local' })).body.accessToken as string;
    expect((await send(emu.url, 'GET', `/v1/${PARENT}/repositories`, undefined, fresh)).status).toBe(200);
  });
});
