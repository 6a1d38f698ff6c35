// A resumable generic upload survives an emulator restart: the session (its id carries the metadata) and the bytes
// acknowledged before the restart are kept; a probe at the new address says where to resume, and the rest
// completes the upload. The total announced before the restart is said again by the next chunk.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${P}/locations/us-central1/repositories/gen`;
let emu: TestEmulator | undefined;
let dataDir = '';
afterAll(async () => {
  await emu?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('resumes a resumable upload after a restart', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'are-generic-restart-'));
  emu = await startEmulator({ dataDir, grpcPort: false });
  await emu.createRepository('gen', { format: 'GENERIC' });
  const bytes = randomBytes(300_000);
  const start = await fetch(`${emu.url}/resumable/upload/v1/${REPO}/genericArtifacts:create?uploadType=resumable`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ packageId: 'p', versionId: '1.0', filename: 'f.bin' }),
  });
  expect(start.status).toBe(200);
  const session = new URL(start.headers.get('location')!);
  const first = await fetch(session, { method: 'PUT', headers: { 'content-range': `bytes 0-99999/${bytes.length}` }, body: bytes.subarray(0, 100_000) });
  expect([first.status, first.headers.get('range')]).toEqual([308, 'bytes=0-99999']);
  await emu.stop();

  emu = await startEmulator({ dataDir, grpcPort: false });
  const again = new URL(session.pathname + session.search, emu.url);
  const probe = await fetch(again, { method: 'PUT', headers: { 'content-range': 'bytes */*' } });
  expect([probe.status, probe.headers.get('range')]).toEqual([308, 'bytes=0-99999']);
  const rest = await fetch(again, { method: 'PUT', headers: { 'content-range': `bytes 100000-${bytes.length - 1}/${bytes.length}` }, body: bytes.subarray(100_000) });
  expect(rest.status).toBe(200);
  const down = await fetch(`${emu.url}/v1/${REPO}/files/p:1.0:f.bin:download?alt=media`);
  expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
});
