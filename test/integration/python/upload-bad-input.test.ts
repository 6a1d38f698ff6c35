// Bad uploads with plain HTTP multipart (no twine): each is PyPI's 400 with the reason in the status line,
// and leaves nothing behind: no metadata, no blob, no temp file.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const BOUNDARY = '----emulator-test-boundary';
const hex = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');
const SDIST = Buffer.from('not really a tarball, but an sdist is stored as sent\n');

function multipart(fields: Record<string, string>, file?: { filename: string; data: Buffer }): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

function form(overrides: Record<string, string | undefined> = {}, data = SDIST): Record<string, string> {
  const base: Record<string, string | undefined> = {
    ':action': 'file_upload', protocol_version: '1', metadata_version: '2.1', name: 'demo', version: '1.0', filetype: 'sdist', pyversion: 'source',
    sha256_digest: hex('sha256', data), md5_digest: hex('md5', data),
    requires_python: '>=3.8', ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

/** POSTs raw bytes (with a Content-Length of exactly those bytes) and returns status, reason and body. */
function post(path: string, body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`): Promise<{ status: number; reason: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', body: text }));
    });
    req.on('error', reject).end(body);
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

let emu: TestEmulator;
const upload = `/${TEST_PROJECT}/pypi/`;

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('pypi', { format: 'PYTHON' });
});
afterAll(() => emu.stop());

describe('bad uploads to a PYTHON repository', () => {
  const cases: Array<[string, Buffer, string | RegExp]> = [
    ['a sha256 that does not match', multipart(form({ sha256_digest: 'ab'.repeat(32) }), { filename: 'demo-1.0.tar.gz', data: SDIST }), 'The digest supplied does not match a digest calculated from the uploaded file.'],
    ['an md5 that does not match', multipart(form({ md5_digest: 'cd'.repeat(16) }), { filename: 'demo-1.0.tar.gz', data: SDIST }), 'The digest supplied does not match a digest calculated from the uploaded file.'],
    ['a blake2_256 that does not match', multipart(form({ blake2_256_digest: 'ef'.repeat(32) }), { filename: 'demo-1.0.tar.gz', data: SDIST }), 'The digest supplied does not match a digest calculated from the uploaded file.'],
    ['a malformed sha256', multipart(form({ sha256_digest: 'xyz' }), { filename: 'demo-1.0.tar.gz', data: SDIST }), 'Invalid value for sha256_digest. Error: Use a valid, hex-encoded, SHA256 message digest.'],
    ['a file name of another project', multipart(form(), { filename: 'other-1.0.tar.gz', data: SDIST }), "Start filename for 'demo' with 'demo'."],
    ['a file name of another version', multipart(form(), { filename: 'demo-2.0.tar.gz', data: SDIST }), "Version in filename should be '1.0' not '2.0'."],
    ['a file name with ../', multipart(form(), { filename: '../demo-1.0.tar.gz', data: SDIST }), "Cannot upload a file with '/' or '\\' in the name."],
    ['a file name with a backslash', multipart(form(), { filename: 'x\\demo-1.0.tar.gz', data: SDIST }), "Cannot upload a file with '/' or '\\' in the name."],
    ['a file name with ..', multipart(form(), { filename: '..demo-1.0.tar.gz', data: SDIST }), 'Invalid distribution file name.'],
    ['an extension that is neither wheel nor sdist', multipart(form(), { filename: 'demo-1.0.exe', data: SDIST }), /^Invalid file extension: Use \.tar\.gz, \.whl or \.zip extension/],
    ['a wheel uploaded as sdist', multipart(form(), { filename: 'demo-1.0-py3-none-any.whl', data: SDIST }), /^Invalid value for filetype/],
    ['an invalid version', multipart(form({ version: 'not a version' }), { filename: 'demo-not a version.tar.gz', data: SDIST }), /^'not a version' is an invalid value for Version\./],
    ['an invalid project name', multipart(form({ name: '-demo' }), { filename: '-demo-1.0.tar.gz', data: SDIST }), /^'-demo' is an invalid value for Name\./],
    ['an invalid requires_python', multipart(form({ requires_python: '>=>3' }), { filename: 'demo-1.0.tar.gz', data: SDIST }), /^'>=>3' is an invalid value for Requires-Python\./],
    ['another :action', multipart(form({ ':action': 'doc_upload' }), { filename: 'demo-1.0.tar.gz', data: SDIST }), /^Invalid upload: ':action' must be 'file_upload'/],
    ['no file part', multipart(form()), 'Upload payload does not have a file.'],
    ['a wheel that is not a zip', multipart(form({ filetype: 'bdist_wheel', pyversion: 'py3', sha256_digest: undefined, md5_digest: undefined }), { filename: 'demo-1.0-py3-none-any.whl', data: SDIST }), /^Invalid distribution file\. The wheel is not a zip archive\./],
  ];

  it.each(cases)('refuses %s with PyPI\'s 400 and stores nothing', async (_what, body, message) => {
    const blobsBefore = await filesUnder(join(emu.dataDir, 'blobs'));
    const res = await post(upload, body);
    expect(res.status).toBe(400);
    if (typeof message === 'string') expect(res.reason).toBe(message);
    else expect(res.reason).toMatch(message);
    expect(res.body).toContain(typeof message === 'string' ? message : '400 ');
    expect(await filesUnder(join(emu.dataDir, 'blobs', '_tmp'))).toEqual([]);
    const page = await fetch(`${emu.url}/${TEST_PROJECT}/pypi/simple/demo/`);
    expect(page.status).toBe(404);
    if (!_what.startsWith('a wheel that is not a zip')) expect(await filesUnder(join(emu.dataDir, 'blobs'))).toEqual(blobsBefore);
  });

  it('refuses a multipart body cut short and stores nothing', async () => {
    const blobsBefore = await filesUnder(join(emu.dataDir, 'blobs'));
    const full = multipart(form(), { filename: 'demo-1.0.tar.gz', data: SDIST });
    for (const cut of [full.length - 10, full.length - 30, 200]) {
      const res = await post(upload, full.subarray(0, cut));
      expect([res.status, res.reason]).toEqual([400, 'Invalid upload: the multipart/form-data body ended before the form was complete.']);
    }
    expect(await filesUnder(join(emu.dataDir, 'blobs'))).toEqual(blobsBefore);
    expect((await fetch(`${emu.url}/${TEST_PROJECT}/pypi/simple/demo/`)).status).toBe(404);
  });

  it('refuses a body that is not multipart/form-data', async () => {
    const res = await post(upload, Buffer.from('{}'), 'application/json');
    expect([res.status, res.reason]).toEqual([400, 'Invalid upload: expected a multipart/form-data body (twine upload).']);
  });

  it('accepts the same form when it is right, then refuses the file name a second time', async () => {
    const body = multipart(form(), { filename: 'demo-1.0.tar.gz', data: SDIST });
    expect((await post(upload, body)).status).toBe(200);
    const again = await post(upload, multipart(form({}, Buffer.from('other bytes')), { filename: 'demo-1.0.tar.gz', data: Buffer.from('other bytes') }));
    expect(again.status).toBe(400);
    expect(again.reason).toMatch(/^File already exists \('demo-1\.0\.tar\.gz', with blake2_256 hash '[0-9a-f]{64}'\)/);
    const file = await fetch(`${emu.url}/${TEST_PROJECT}/pypi/packages/demo/demo-1.0.tar.gz`);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(SDIST);
    expect(await filesUnder(join(emu.dataDir, 'blobs', '_tmp'))).toEqual([]);
  });
});
