// The size limit of an upload: a file larger than the module's limit is PyPI's 400 "File too large" as soon
// as the bytes pass it, and nothing is stored. (A Python module with a small limit replaces the built-in one.)
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPythonModule } from '../../../emulator/formats/python/index.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;

beforeAll(async () => {
  emu = await startEmulator({ formats: (d) => [createPythonModule({ ...d, maxFileBytes: 1024 })] });
  await emu.createRepository('small', { format: 'PYTHON' });
});
afterAll(() => emu.stop());

async function upload(size: number): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', name: 'big', version: '1.0', filetype: 'sdist' })) form.append(k, v);
  form.append('content', new Blob([Buffer.alloc(size, 7)]), 'big-1.0.tar.gz');
  return fetch(`${emu.url}/${TEST_PROJECT}/small/`, { method: 'POST', body: form });
}

it('refuses a file over the limit with PyPI\'s 400 and stores nothing', async () => {
  const res = await upload(64 * 1024);
  expect([res.status, res.statusText]).toEqual([400, "File too large. Limit for project 'big' is 1024 bytes. See https://pypi.org/help/#file-size-limit for more information."]);
  expect(await readdir(join(emu.dataDir, 'blobs', '_tmp')).catch(() => [])).toEqual([]);
  expect((await fetch(`${emu.url}/${TEST_PROJECT}/small/simple/big/`)).status).toBe(404);
  expect((await upload(1024)).status).toBe(200);
});
