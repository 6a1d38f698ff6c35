// GENERIC repositories through the Google media upload protocol, driven with curl (spec ar-fidelity §1.6):
// uploadType=media is refused without metadata, multipart/related (JSON then bytes) and resumable in chunks with
// an interrupted chunk in the middle (a status probe, then the rest from the acknowledged offset); the files, their
// hashes and the packages/versions in the control plane; download byte-identical and by Range; ALREADY_EXISTS on a
// second upload; bad input answered with Google JSON errors and nothing stored; files.delete and versions.delete;
// an abandoned resumable session purged once the virtual clock passes the upload TTL.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../../emulator/core/clock.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${P}/locations/us-central1/repositories/gen`;
const run = promisify(execFile);

interface CurlResult { status: number; headers: Record<string, string>; body: Buffer }

describeWithClients(['curl'], 'generic repositories with curl', () => {
  let emu: TestEmulator;
  let dir: string;

  beforeAll(async () => {
    emu = await startEmulator({ clock: new ManualClock(new Date('2026-03-01T12:00:00Z')), grpcPort: false });
    dir = await mkdtemp(join(tmpdir(), 'are-generic-'));
    await emu.createRepository('gen', { format: 'GENERIC' });
    await emu.createRepository('images', { format: 'DOCKER' });
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let n = 0;
  const curl = async (args: string[]): Promise<CurlResult> => {
    const id = n++;
    const out = join(dir, `body-${id}`);
    const hdr = join(dir, `headers-${id}`);
    const { stdout } = await run('curl', ['-sS', '-o', out, '-D', hdr, '-w', '%{http_code}', ...args], { maxBuffer: 1 << 20 });
    const headers: Record<string, string> = {};
    for (const line of (await readFile(hdr, 'utf8')).split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    return { status: Number(stdout), headers, body: await readFile(out).catch(() => Buffer.alloc(0)) };
  };
  type Named = Array<{ name: string }>;
  type Body = Record<string, unknown> & {
    error: { code: number; status: string; message: string };
    operation: Record<string, unknown> & { name: string };
    files?: Named; packages?: Named; versions?: Named; hashes?: unknown; createTime?: string;
  };
  const json = (r: CurlResult) => JSON.parse(r.body.toString('utf8')) as Body;
  const file = async (name: string, bytes: Buffer) => {
    const p = join(dir, name);
    await writeFile(p, bytes);
    return p;
  };
  const multipart = async (metadata: unknown, bytes: Buffer, boundary = 'b0undary-xyz') => {
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${typeof metadata === 'string' ? metadata : JSON.stringify(metadata)}\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return file(`multipart-${n}`, body);
  };
  const uploadMultipart = async (metadata: unknown, bytes: Buffer, repo = REPO) =>
    curl(['-X', 'POST', '-H', 'Content-Type: multipart/related; boundary=b0undary-xyz', '--data-binary', `@${await multipart(metadata, bytes)}`,
      `${emu.url}/upload/v1/${repo}/genericArtifacts:create?uploadType=multipart`]);
  const listFiles = async () => ((json(await curl([`${emu.url}/v1/${REPO}/files`])).files ?? []) as Array<{ name: string }>).map((f) => f.name);
  const b64 = (alg: string, b: Buffer) => createHash(alg).update(b).digest('base64');

  const small = randomBytes(200_000);

  it('uploads with uploadType=multipart and answers {operation}', async () => {
    const r = await uploadMultipart({ packageId: 'tool', versionId: '1.0.0', filename: 'tool-linux.tar.gz' }, small);
    expect(r.status).toBe(200);
    const op = json(r).operation;
    expect(op).toMatchObject({ done: true, response: { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.UploadGenericArtifactResponse' } });
    expect(op.name).toMatch(new RegExp(`^projects/${P}/locations/us-central1/operations/`));
  });

  it('shows the file with its size, hashes and owner, and the package and version', async () => {
    const f = json(await curl([`${emu.url}/v1/${REPO}/files/tool:1.0.0:tool-linux.tar.gz`]));
    expect(f).toMatchObject({
      name: `${REPO}/files/tool:1.0.0:tool-linux.tar.gz`,
      sizeBytes: String(small.length),
      owner: `${REPO}/packages/tool/versions/1.0.0`,
    });
    expect(f.hashes).toEqual([{ type: 'SHA256', value: b64('sha256', small) }, { type: 'MD5', value: b64('md5', small) }]);
    expect(f.createTime).toBe('2026-03-01T12:00:00.000Z');
    expect((json(await curl([`${emu.url}/v1/${REPO}/packages`])).packages as Array<{ name: string }>).map((p) => p.name)).toEqual([`${REPO}/packages/tool`]);
    expect((json(await curl([`${emu.url}/v1/${REPO}/packages/tool/versions`])).versions as Array<{ name: string }>).map((v) => v.name)).toEqual([`${REPO}/packages/tool/versions/1.0.0`]);
  });

  it('downloads the bytes with alt=media, whole and by Range', async () => {
    const whole = await curl([`${emu.url}/v1/${REPO}/files/tool:1.0.0:tool-linux.tar.gz:download?alt=media`]);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(small)).toBe(true);
    const part = await curl(['-H', 'Range: bytes=1000-1999', `${emu.url}/v1/${REPO}/files/tool:1.0.0:tool-linux.tar.gz:download?alt=media`]);
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${small.length}`);
    expect(part.body.equals(small.subarray(1000, 2000))).toBe(true);
    const tail = await curl(['-H', 'Range: bytes=-10', `${emu.url}/v1/${REPO}/files/tool:1.0.0:tool-linux.tar.gz:download?alt=media`]);
    expect(tail.body.equals(small.subarray(small.length - 10))).toBe(true);
    const past = await curl(['-H', `Range: bytes=${small.length}-`, `${emu.url}/v1/${REPO}/files/tool:1.0.0:tool-linux.tar.gz:download?alt=media`]);
    expect([past.status, json(past).error.status]).toEqual([400, 'OUT_OF_RANGE']);
  });

  it('keeps a folder structure in the filename (gcloud --destination-path), escaped as %2F in the file name', async () => {
    const bytes = Buffer.from('read me\n');
    expect((await uploadMultipart({ packageId: 'tool', versionId: '1.0.0', filename: 'docs/readme.txt' }, bytes)).status).toBe(200);
    expect(await listFiles()).toContain(`${REPO}/files/tool:1.0.0:docs%2Freadme.txt`);
    expect(json(await curl([`${emu.url}/v1/${REPO}/files/tool:1.0.0:docs%2Freadme.txt`])).sizeBytes).toBe(String(bytes.length));
    expect((await curl([`${emu.url}/v1/${REPO}/files/tool:1.0.0:docs%2Freadme.txt:download?alt=media`])).body.equals(bytes)).toBe(true);
  });

  it('answers ALREADY_EXISTS to a second upload of the same file, changing nothing', async () => {
    const r = await uploadMultipart({ packageId: 'tool', versionId: '1.0.0', filename: 'tool-linux.tar.gz' }, randomBytes(10));
    expect(r.status).toBe(409);
    expect(json(r).error).toMatchObject({ code: 409, status: 'ALREADY_EXISTS' });
    expect(json(r).error.message).toMatch(/already exists/);
    const whole = await curl([`${emu.url}/v1/${REPO}/files/tool:1.0.0:tool-linux.tar.gz:download?alt=media`]);
    expect(whole.body.equals(small)).toBe(true);
  });

  it('uploads resumably in chunks, with an interrupted chunk, a status probe and a restart from the acknowledged offset', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 123);
    const start = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '-H', `X-Upload-Content-Length: ${big.length}`,
      '--data', JSON.stringify({ packageId: 'tool', versionId: '2.0.0', filename: 'big.bin' }),
      `${emu.url}/resumable/upload/v1/${REPO}/genericArtifacts:create?uploadType=resumable`]);
    expect(start.status).toBe(200);
    const session = start.headers.location!;
    expect(session).toMatch(/upload_id=/);
    expect(start.headers['x-guploader-uploadid']).toBeTruthy();
    const chunk = 1024 * 1024;
    const put = async (from: number, to: number, total: string) =>
      curl(['-X', 'PUT', '-H', `Content-Range: bytes ${from}-${to - 1}/${total}`, '--data-binary', `@${await file(`chunk-${from}`, big.subarray(from, to))}`, session]);
    // first chunk, total unknown yet
    let r = await put(0, chunk, '*');
    expect(r.status).toBe(308);
    expect(r.headers.range).toBe(`bytes=0-${chunk - 1}`);
    // the second chunk is cut off half way: the connection goes away
    await new Promise<void>((resolve) => {
      const url = new URL(session);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'PUT', headers: { 'Content-Range': `bytes ${chunk}-${2 * chunk - 1}/${big.length}`, 'Content-Length': String(chunk) } });
      req.on('error', () => resolve());
      req.write(big.subarray(chunk, chunk + chunk / 2), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 100));
    });
    // the probe says what was kept: only the first chunk (the interrupted one was rolled back)
    let probe: CurlResult | undefined;
    for (let i = 0; i < 50; i++) {
      probe = await curl(['-X', 'PUT', '-H', 'Content-Range: bytes */*', '-H', 'Content-Length: 0', session]);
      if (probe.headers.range === `bytes=0-${chunk - 1}`) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(probe!.status).toBe(308);
    expect(probe!.headers.range).toBe(`bytes=0-${chunk - 1}`);
    // a chunk that does not start at the acknowledged offset is refused, saying where to resume
    r = await put(2 * chunk, 3 * chunk, String(big.length));
    expect(r.status).toBe(400);
    expect(json(r).error.status).toBe('INVALID_ARGUMENT');
    expect(r.headers.range).toBe(`bytes=0-${chunk - 1}`);
    // a chunk past the total
    r = await curl(['-X', 'PUT', '-H', `Content-Range: bytes ${chunk}-${big.length}/${big.length}`, '--data-binary', `@${await file('past', big.subarray(chunk))}`, session]);
    expect(r.status).toBe(400);
    // a chunk past the total announced before, even when it does not repeat it
    r = await curl(['-X', 'PUT', '-H', `Content-Range: bytes ${chunk}-${big.length}/*`, '--data-binary', `@${await file('past2', big.subarray(chunk))}`, session]);
    expect([r.status, json(r).error.message]).toEqual([400, expect.stringMatching(/past the upload's total/)]);
    // a malformed Content-Range
    r = await curl(['-X', 'PUT', '-H', 'Content-Range: bytes=oops', '--data-binary', 'x', session]);
    expect(r.status).toBe(400);
    expect(json(r).error.message).toMatch(/Content-Range/);
    // continue from the acknowledged offset
    r = await put(chunk, 2 * chunk, String(big.length));
    expect(r.status).toBe(308);
    r = await put(2 * chunk, big.length, String(big.length));
    expect(r.status).toBe(200);
    expect(json(r).operation).toMatchObject({ done: true });
    // a probe after the end answers the same
    expect((await curl(['-X', 'PUT', '-H', 'Content-Range: bytes */*', '-H', 'Content-Length: 0', session])).status).toBe(200);
    const down = await curl([`${emu.url}/v1/${REPO}/files/tool:2.0.0:big.bin:download?alt=media`]);
    expect(down.body.equals(big)).toBe(true);
    expect((json(await curl([`${emu.url}/v1/${REPO}/packages/tool/versions`])).versions as unknown[]).length).toBe(2);
  });

  it('refuses bad input with Google JSON errors and stores nothing', async () => {
    const before = await listFiles();
    const bad = async (r: CurlResult, status = 400) => {
      expect([r.status, r.body.toString()]).toEqual([status, expect.any(String)]);
      expect(json(r).error).toMatchObject({ code: status });
    };
    // uploadType=media has no place for the metadata
    await bad(await curl(['-X', 'POST', '--data-binary', 'abc', `${emu.url}/upload/v1/${REPO}/genericArtifacts:create?uploadType=media`]));
    await bad(await curl(['-X', 'POST', '--data-binary', 'abc', `${emu.url}/upload/v1/${REPO}/genericArtifacts:create?uploadType=weird`]));
    // names that could be paths, or break the rules
    for (const m of [
      { packageId: '../etc', versionId: '1.0.0', filename: 'a' },
      { packageId: 'a/b', versionId: '1.0.0', filename: 'a' },
      { packageId: 'pkg', versionId: '1.0.0', filename: '../../passwd' },
      { packageId: 'pkg', versionId: '1.0.0', filename: 'dir//file' },
      { packageId: 'pkg', versionId: '1.0.0', filename: '/abs' },
      { packageId: 'pkg', versionId: '1.0.0', filename: 'dir/../../x' },
      { packageId: 'pkg', versionId: '1.0.0', filename: 'a:b' },
      { packageId: 'pkg', versionId: '1.0.0', filename: '..' },
      { packageId: 'pkg', versionId: 'latest', filename: 'a' },
      { packageId: 'pkg', versionId: 'V1', filename: 'a' },
      { packageId: 'pkg', versionId: '1:0', filename: 'a' },
      { packageId: 'x'.repeat(257), versionId: '1.0.0', filename: 'a' },
      { versionId: '1.0.0', filename: 'a' },
    ]) await bad(await uploadMultipart(m, Buffer.from('data')));
    // oversize metadata
    await bad(await uploadMultipart({ packageId: 'pkg', versionId: '1.0.0', filename: 'a', pad: 'x'.repeat(100_000) }, Buffer.from('data')));
    // malformed multipart: not JSON, no closing boundary, no boundary, wrong content type
    await bad(await uploadMultipart('{not json', Buffer.from('data')));
    const unterminated = await file('unterminated', Buffer.from(`--b0undary-xyz\r\n\r\n${JSON.stringify({ packageId: 'pkg', versionId: '1.0.0', filename: 'cut' })}\r\n--b0undary-xyz\r\n\r\nsome bytes but no end`));
    await bad(await curl(['-X', 'POST', '-H', 'Content-Type: multipart/related; boundary=b0undary-xyz', '--data-binary', `@${unterminated}`, `${emu.url}/upload/v1/${REPO}/genericArtifacts:create?uploadType=multipart`]));
    await bad(await curl(['-X', 'POST', '-H', 'Content-Type: multipart/related', '--data-binary', 'x', `${emu.url}/upload/v1/${REPO}/genericArtifacts:create?uploadType=multipart`]));
    await bad(await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', 'x', `${emu.url}/upload/v1/${REPO}/genericArtifacts:create?uploadType=multipart`]));
    // a DOCKER repository, a missing one
    await bad(await uploadMultipart({ packageId: 'pkg', versionId: '1.0.0', filename: 'a' }, Buffer.from('x'), `projects/${P}/locations/us-central1/repositories/images`));
    await bad(await uploadMultipart({ packageId: 'pkg', versionId: '1.0.0', filename: 'a' }, Buffer.from('x'), `projects/${P}/locations/us-central1/repositories/nope`), 404);
    // resumable: bad metadata at the start, an unknown session
    await bad(await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify({ packageId: 'pkg', versionId: '1.0.0', filename: 'a/../b' }), `${emu.url}/resumable/upload/v1/${REPO}/genericArtifacts:create?uploadType=resumable`]));
    await bad(await curl(['-X', 'PUT', '-H', 'Content-Range: bytes */*', '--data-binary', '', `${emu.url}/resumable/upload/v1/${REPO}/genericArtifacts:create?uploadType=resumable&upload_id=00000000-0000-4000-8000-000000000000.e30`]), 404);
    expect(await listFiles()).toEqual(before);
  });

  it('keeps nothing of a multipart upload whose connection goes away mid-body', async () => {
    const before = await listFiles();
    const head = Buffer.from(`--b\r\n\r\n${JSON.stringify({ packageId: 'cut', versionId: '1.0', filename: 'cut.bin' })}\r\n--b\r\n\r\n`);
    await new Promise<void>((resolve) => {
      const url = new URL(`${emu.url}/upload/v1/${REPO}/genericArtifacts:create?uploadType=multipart`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { 'Content-Type': 'multipart/related; boundary=b', 'Content-Length': String(head.length + 1_000_000) } });
      req.on('error', () => resolve());
      req.write(Buffer.concat([head, randomBytes(300_000)]), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 100));
    });
    for (let i = 0; i < 50 && (await readdir(join(emu.dataDir, 'blobs', '_tmp')).catch(() => [])).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(join(emu.dataDir, 'blobs', '_tmp')).catch(() => [])).toEqual([]);
    expect(await listFiles()).toEqual(before);
    expect((await curl([`${emu.url}/v1/${REPO}/packages/cut`])).status).toBe(404);
  });

  it('fails the second of two resumable uploads of the same file at its last chunk, keeping the first', async () => {
    const begin = async () => (await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify({ packageId: 'race', versionId: '1.0', filename: 'r.bin' }),
      `${emu.url}/resumable/upload/v1/${REPO}/genericArtifacts:create?uploadType=resumable`])).headers.location!;
    const [a, b] = [await begin(), await begin()];
    expect((await curl(['-X', 'PUT', '-H', 'Content-Range: bytes 0-0/1', '--data-binary', 'A', a])).status).toBe(200);
    const second = await curl(['-X', 'PUT', '-H', 'Content-Range: bytes 0-0/1', '--data-binary', 'B', b]);
    expect([second.status, json(second).error.status]).toEqual([409, 'ALREADY_EXISTS']);
    expect((await curl([`${emu.url}/v1/${REPO}/files/race:1.0:r.bin:download?alt=media`])).body.toString()).toBe('A');
    // the failed session is gone
    expect((await curl(['-X', 'PUT', '-H', 'Content-Range: bytes */*', '-H', 'Content-Length: 0', b])).status).toBe(404);
  });

  it('deletes a file (files.delete) and a version (versions.delete)', async () => {
    expect((await uploadMultipart({ packageId: 'other', versionId: '0.1', filename: 'x.txt' }, Buffer.from('x'))).status).toBe(200);
    expect((await uploadMultipart({ packageId: 'other', versionId: '0.1', filename: 'y.txt' }, Buffer.from('y'))).status).toBe(200);
    const del = await curl(['-X', 'DELETE', `${emu.url}/v1/${REPO}/files/other:0.1:x.txt`]);
    expect(del.status).toBe(200);
    expect(json(del)).toMatchObject({ done: true });
    expect((await curl([`${emu.url}/v1/${REPO}/files/other:0.1:x.txt`])).status).toBe(404);
    expect((await curl([`${emu.url}/v1/${REPO}/files/other:0.1:y.txt`])).status).toBe(200);
    expect((await curl(['-X', 'DELETE', `${emu.url}/v1/${REPO}/packages/other/versions/0.1`])).status).toBe(200);
    expect((await curl([`${emu.url}/v1/${REPO}/files/other:0.1:y.txt`])).status).toBe(404);
    expect((await curl([`${emu.url}/v1/${REPO}/packages/other`])).status).toBe(404);
    // the name can be uploaded again
    expect((await uploadMultipart({ packageId: 'other', versionId: '0.1', filename: 'x.txt' }, Buffer.from('x2'))).status).toBe(200);
  });

  it('purges an abandoned resumable session once the clock passes the upload TTL', async () => {
    const start = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify({ packageId: 'tool', versionId: '3.0.0', filename: 'left.bin' }),
      `${emu.url}/resumable/upload/v1/${REPO}/genericArtifacts:create?uploadType=resumable`]);
    const session = start.headers.location!;
    expect((await curl(['-X', 'PUT', '-H', 'Content-Range: bytes 0-9/*', '--data-binary', '0123456789', session])).status).toBe(308);
    await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify({ advance: '25h' }), `${emu.url}/_emulator/clock`]);
    let status = 0;
    for (let i = 0; i < 250 && status !== 404; i++) {
      status = (await curl(['-X', 'PUT', '-H', 'Content-Range: bytes */*', '-H', 'Content-Length: 0', session])).status;
      if (status !== 404) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(404);
    expect((await curl([`${emu.url}/v1/${REPO}/files/tool:3.0.0:left.bin`])).status).toBe(404);
  });
});
