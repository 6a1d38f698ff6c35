// Snapshots while serving: an export taken during 20 concurrent uploads, imported into a fresh emulator, holds every
// upload acknowledged before the export began, byte for byte; a changed, incomplete or padded snapshot is refused
// with the file it is about; the CLI's export and --import round-trip; an import never goes into a non-empty dir.
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm, writeFile, appendFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotError } from '../../../emulator/index.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${P}/locations/us-central1/repositories/snap`;
let base: string;
let emu: TestEmulator;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function upload(url: string, name: string, bytes: Buffer): Promise<void> {
  const meta = JSON.stringify({ packageId: 'files', versionId: name, filename: `${name}.bin` });
  const body = Buffer.concat([
    Buffer.from(`--b\r\ncontent-type: application/json\r\n\r\n${meta}\r\n--b\r\ncontent-type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from('\r\n--b--\r\n'),
  ]);
  const res = await fetch(`${url}/upload/v1/${REPO}/genericArtifacts:create?uploadType=multipart`, { method: 'POST', headers: { 'content-type': 'multipart/related; boundary=b' }, body });
  if (res.status !== 200) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`);
}
const download = async (url: string, name: string) => {
  const res = await fetch(`${url}/v1/${REPO}/files/files:${name}:${name}.bin:download?alt=media`);
  return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : undefined;
};

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'are-snapshot-'));
  emu = await startEmulator({ grpcPort: false });
  await emu.createRepository('snap', { format: 'GENERIC' });
});
afterAll(async () => {
  await emu?.stop();
  await rm(base, { recursive: true, force: true });
});

describe('snapshots', () => {
  const files = new Map<string, Buffer>();
  const acknowledgedBefore = new Set<string>();
  const snapshot = () => join(base, 'snapshot');

  it('an export during 20 concurrent uploads holds every upload acknowledged before it began', async () => {
    const acked = new Set<string>();
    const uploads = Array.from({ length: 20 }, (_, i) => {
      const name = `v${i}`;
      const bytes = randomBytes(64 * 1024 + i * 16 * 1024);
      files.set(name, bytes);
      return upload(emu.url, name, bytes).then(() => void acked.add(name));
    });
    while (acked.size < 5) await new Promise((r) => setTimeout(r, 2));
    for (const n of acked) acknowledgedBefore.add(n);
    const result = await emu.emulator.exportSnapshot(snapshot());
    await Promise.all(uploads);
    expect(result.files).toBeGreaterThan(acknowledgedBefore.size);

    const fresh = await startEmulator({ grpcPort: false, importSnapshot: snapshot(), dataDir: join(base, 'fresh') });
    try {
      for (const name of acknowledgedBefore) {
        const got = await download(fresh.url, name);
        expect(got && sha(got), name).toBe(sha(files.get(name)!));
      }
      // whatever else made it in is whole too
      for (const [name, bytes] of files) {
        const got = await download(fresh.url, name);
        if (got) expect(sha(got)).toBe(sha(bytes));
      }
    } finally {
      await fresh.stop();
    }
  });

  it.each([
    ['a changed blob', async (dir: string) => {
      const blobs = join(dir, 'blobs', 'sha256');
      const prefix = (await readdir(blobs))[0]!;
      const file = join(blobs, prefix, (await readdir(join(blobs, prefix)))[0]!);
      await appendFile(file, 'x');
    }, /does not match its checksum/],
    ['a missing metadata file', async (dir: string) => {
      const walk = async (d: string): Promise<string[]> => (await readdir(d, { withFileTypes: true })).flatMap((e) => (e.isDirectory() ? [] : [join(d, e.name)])).concat(...(await Promise.all((await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => walk(join(d, e.name))))));
      await unlink((await walk(join(dir, 'meta')))[0]!);
    }, /is missing \(the snapshot is incomplete\)/],
    ['an extra file', async (dir: string) => writeFile(join(dir, 'meta', 'extra.json'), '{}'), /is not in the manifest/],
    ['a manifest naming a path outside', async (dir: string) => {
      const m = join(dir, 'ar-emulator-snapshot.json');
      const { readFile } = await import('node:fs/promises');
      const manifest = JSON.parse(await readFile(m, 'utf8')) as { files: Array<{ path: string }> };
      manifest.files[0]!.path = '../../etc/passwd';
      await writeFile(m, JSON.stringify(manifest));
    }, /names a file outside the snapshot/],
  ])('refuses a snapshot with %s, and leaves the data dir empty', async (_what, tamper, message) => {
    const copy = join(base, `tampered-${randomBytes(4).toString('hex')}`);
    await cp(snapshot(), copy, { recursive: true });
    await tamper(copy);
    const dataDir = join(base, `data-${randomBytes(4).toString('hex')}`);
    const err = await startEmulator({ grpcPort: false, importSnapshot: copy, dataDir }).then(
      async (e) => {
        await e.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SnapshotError);
    expect((err as Error).message).toMatch(message);
    expect(await readdir(dataDir).catch(() => [])).toEqual([]);
  });

  it('never imports into a data dir that holds something', async () => {
    const dataDir = join(base, 'busy');
    await cp(snapshot(), dataDir, { recursive: true });
    await expect(startEmulator({ grpcPort: false, importSnapshot: snapshot(), dataDir })).rejects.toThrow(/is not empty/);
  });

  it('a second export replaces the first only when it is complete, and POST /_emulator/export writes one too', async () => {
    const res = await fetch(`${emu.url}/_emulator/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dir: snapshot() }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dir: snapshot() });
    expect((await readdir(base)).filter((n) => n.includes('.partial-') || n.includes('.previous-'))).toEqual([]);
    const bad = await fetch(`${emu.url}/_emulator/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dir: 'relative/dir' }) });
    expect(bad.status).toBe(400);
    const inside = await fetch(`${emu.url}/_emulator/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dir: join(emu.dataDir, 'x') }) });
    expect(inside.status).toBe(400);
    expect(((await inside.json()) as { error: { status: string; message: string } }).error).toMatchObject({ status: 'FAILED_PRECONDITION', message: expect.stringContaining('may not be inside the data dir') });
  });
});
