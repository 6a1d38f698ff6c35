// The advisory database over HTTP: the seed loaded on a data directory's first start (and only then),
// GET /_emulator/vulndb, and POST /_emulator/vulndb:import with one document, an array, a zip; bad bodies are 400
// with a reason in Google's JSON shape (not JSON, wrong shape, an invalid single document, a zip entry over the
// limit, a truncated zip, a body over the limit) and the emulator keeps serving.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu?.stop());

const advisory = (id: string, fixed: string, modified = '2024-06-01T00:00:00Z') => ({
  schema_version: '1.6.0', id, modified, summary: `test advisory ${id}`,
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
});

const post = (body: string | Buffer, contentType = 'application/json') =>
  fetch(`${emu.url}/_emulator/vulndb:import`, { method: 'POST', headers: { 'content-type': contentType }, body });
const summary = async () => (await (await fetch(`${emu.url}/_emulator/vulndb`)).json()) as { advisories: number; ecosystems: Record<string, number>; lastImport?: { time: string; added: number }; seeded?: { advisories: number } };

function zipOf(entries: Record<string, Buffer | string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(entries)) z.addBuffer(Buffer.isBuffer(body) ? body : Buffer.from(body), name);
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

async function expectBadRequest(res: Response, message: RegExp): Promise<void> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { code: number; status: string; message: string } };
  expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
  expect(body.error.message).toMatch(message);
  // and the emulator keeps serving
  expect((await fetch(`${emu.url}/_emulator/health`)).status).toBe(200);
}

describe('the seed', () => {
  it('is loaded on the first start: real advisories in every seeded ecosystem', async () => {
    const s = await summary();
    expect(s.advisories).toBe(12);
    expect(s.seeded?.advisories).toBe(12);
    expect(s.ecosystems).toMatchObject({ npm: 3, PyPI: 3, Maven: 1, Go: 2, Debian: 2, Alpine: 1 });
  });

  it('is not loaded again when the data directory is started again', async () => {
    const first = await startEmulator({ vulnDbSeed: false });
    try {
      expect(((await (await fetch(`${first.url}/_emulator/vulndb`)).json()) as { advisories: number }).advisories).toBe(0);
    } finally {
      await first.stop();
    }
    const dir = emu.dataDir;
    const again = await startEmulator({ dataDir: `${dir}-second` });
    try {
      const res = await fetch(`${again.url}/_emulator/vulndb:import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(advisory('GHSA-0000-0000-0001', '1.0.0')) });
      expect(res.status).toBe(200);
    } finally {
      await again.emulator.stop();
    }
    const restarted = await startEmulator({ dataDir: `${dir}-second` });
    try {
      const s = (await (await fetch(`${restarted.url}/_emulator/vulndb`)).json()) as { advisories: number };
      expect(s.advisories).toBe(13); // the seed once, plus the one imported: nothing seeded twice
    } finally {
      await restarted.emulator.stop();
      await rm(`${dir}-second`, { recursive: true, force: true });
    }
  });
});

describe('POST /_emulator/vulndb:import', () => {
  it('one document: added, then updated by a newer copy, then skipped for an older one', async () => {
    let res = await post(JSON.stringify(advisory('GHSA-test-http-0001', '1.3.0')));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ added: 1, updated: 0, rejected: 0, advisories: 13 });
    res = await post(JSON.stringify(advisory('GHSA-test-http-0001', '1.2.0', '2024-07-01T00:00:00Z')));
    expect(await res.json()).toMatchObject({ added: 0, updated: 1 });
    res = await post(JSON.stringify(advisory('GHSA-test-http-0001', '9.0.0', '2020-01-01T00:00:00Z')));
    expect(await res.json()).toMatchObject({ skipped: 1, updated: 0 });
    const s = await summary();
    expect(s.ecosystems.npm).toBe(4);
    expect(s.lastImport?.time).toMatch(/^\d{4}-/);
  });

  it('an array: each document on its own, the bad ones listed with why', async () => {
    const res = await post(JSON.stringify([advisory('GHSA-test-http-0002', '2.0.0'), { id: 'GHSA-bad', modified: 'never' }, 7, { ...advisory('CRATE-1', '1.0.0'), affected: [{ package: { ecosystem: 'crates.io', name: 'x' } }] }]));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { added: number; rejected: number; ignored: number; rejections: Array<{ source: string; id?: string; reason: string }> };
    expect(body).toMatchObject({ added: 1, rejected: 2, ignored: 1 });
    expect(body.rejections).toEqual([
      { source: 'body[1]', id: 'GHSA-bad', reason: 'modified: "never" is not an RFC 3339 time such as 2021-12-10T00:40:56Z' },
      { source: 'body[2]', reason: 'document: an OSV advisory is a JSON object, not number' },
    ]);
  });

  it('a zip, by its magic bytes whatever the content type', async () => {
    const zip = await zipOf({ 'npm/GHSA-test-http-0003.json': JSON.stringify(advisory('GHSA-test-http-0003', '3.0.0')), 'npm/GHSA-test-http-0004.json': JSON.stringify(advisory('GHSA-test-http-0004', '4.0.0')) });
    const res = await post(zip, 'application/octet-stream');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ added: 2, rejected: 0 });
  });

  it('bad bodies are 400 with the reason, and nothing is kept', async () => {
    const before = (await summary()).advisories;
    await expectBadRequest(await post('{"id": "GHSA-x"'), /^The body is neither a zip nor JSON: /);
    await expectBadRequest(await post('"just a string"'), /JSON of type string/);
    await expectBadRequest(await post(''), /The request body is empty/);
    await expectBadRequest(await post(JSON.stringify({ id: 'GHSA-y', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }] }] })),
      /^The advisory GHSA-y is not valid OSV: affected\[0\]\.ranges\[0\]\.events: must hold at least one "introduced" event/);
    const bomb = await zipOf({ 'good.json': JSON.stringify(advisory('GHSA-test-http-0005', '5.0.0')), 'bomb.json': Buffer.alloc(6 << 20, 0x20) });
    await expectBadRequest(await post(bomb, 'application/zip'), /The zip entry "bomb\.json" inflates to 6291456 bytes; one advisory may hold at most 4194304/);
    const zip = await zipOf({ 'a.json': JSON.stringify(advisory('GHSA-test-http-0006', '6.0.0')) });
    await expectBadRequest(await post(zip.subarray(0, zip.length - 40), 'application/zip'), /The zip cannot be read \(truncated or not a zip\?\)/);
    await expectBadRequest(await post(Buffer.alloc((64 << 20) + 1, 0x20)), /exceeds the limit of 67108864 bytes/);
    expect((await summary()).advisories).toBe(before);
  });
});
