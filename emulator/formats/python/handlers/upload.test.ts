// POST /PROJECT/REPO/ (and without the final slash) over HTTP with a hand-built multipart body, as twine sends
// it: a good sdist is stored and served; a bad one is PyPI's 400 with the reason in the status line, nothing stored.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../../../test/support/emulator.js';

const BOUNDARY = '----upload-test-boundary';
const hex = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');

function multipart(fields: Record<string, string>, file: { filename: string; data: Buffer }): Buffer {
  const parts: Buffer[] = Object.entries(fields).map(([name, value]) => Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file.data,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  );
  return Buffer.concat(parts);
}

/** twine's fields for an sdist `name-version.tar.gz` holding `data`, with `overrides` on top. */
function sdistForm(name: string, version: string, data: Buffer, overrides: Record<string, string> = {}): Buffer {
  return multipart(
    { ':action': 'file_upload', protocol_version: '1', metadata_version: '2.1', name, version, filetype: 'sdist', pyversion: 'source', sha256_digest: hex('sha256', data), md5_digest: hex('md5', data), ...overrides },
    { filename: `${name}-${version}.tar.gz`, data },
  );
}

async function blobFiles(): Promise<string[]> {
  const entries = await readdir(join(emu.dataDir, 'blobs'), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

let emu: TestEmulator;
const repoPath = () => `${emu.url}/${TEST_PROJECT}/pyup`;
const post = (path: string, body: Buffer) => fetch(`${repoPath()}${path}`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body });

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('pyup', { format: 'PYTHON' });
});
afterAll(() => emu.stop());

describe('uploadFile', () => {
  it('stores an sdist posted to /PROJECT/REPO/ and serves the same bytes', async () => {
    const data = Buffer.from('sdist bytes of good-pkg 1.0\n');
    const res = await post('/', sdistForm('good-pkg', '1.0', data));
    expect([res.status, await res.text()]).toEqual([200, 'OK\n']);
    const file = await fetch(`${repoPath()}/packages/good-pkg/good-pkg-1.0.tar.gz`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(data);
    expect(await (await fetch(`${repoPath()}/simple/good-pkg/`)).text()).toContain(`good-pkg-1.0.tar.gz#sha256=${hex('sha256', data)}`);
  });

  it('takes the same upload at /PROJECT/REPO without the final slash', async () => {
    const res = await post('', sdistForm('bare-pkg', '2.0', Buffer.from('bare')));
    expect(res.status).toBe(200);
    expect(await (await fetch(`${repoPath()}/packages/bare-pkg/bare-pkg-2.0.tar.gz`)).text()).toBe('bare');
  });

  it('refuses a sha256_digest that does not match the file with PyPI\'s 400 and stores nothing', async () => {
    const before = await blobFiles();
    const res = await post('/', sdistForm('bad-digest', '1.0', Buffer.from('some bytes'), { sha256_digest: 'ab'.repeat(32) }));
    expect([res.status, res.statusText]).toEqual([400, 'The digest supplied does not match a digest calculated from the uploaded file.']);
    expect(await res.text()).toContain('The digest supplied does not match a digest calculated from the uploaded file.');
    expect((await fetch(`${repoPath()}/simple/bad-digest/`)).status).toBe(404);
    expect(await blobFiles()).toEqual(before);
  });

  it('refuses a file name that is not the form\'s project with PyPI\'s 400 and stores nothing', async () => {
    const before = await blobFiles();
    const data = Buffer.from('misnamed');
    const body = multipart(
      { ':action': 'file_upload', name: 'named-pkg', version: '1.0', filetype: 'sdist', sha256_digest: hex('sha256', data) },
      { filename: 'other-pkg-1.0.tar.gz', data },
    );
    const res = await post('/', body);
    expect([res.status, res.statusText]).toEqual([400, "Start filename for 'named-pkg' with 'named-pkg'."]);
    expect((await fetch(`${repoPath()}/simple/named-pkg/`)).status).toBe(404);
    expect((await fetch(`${repoPath()}/simple/other-pkg/`)).status).toBe(404);
    expect(await blobFiles()).toEqual(before);
  });
});
