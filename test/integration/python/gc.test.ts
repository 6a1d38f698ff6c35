// Garbage collection and Python blobs: every stored distribution file and wheel METADATA survives a collection
// (referencedBlobs), and the bytes of a refused wheel (not a zip) are what the next collection removes.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormatDeps } from '../../../emulator/index.js';
import { createPythonModule } from '../../../emulator/formats/python/index.js';
import { storedZip } from '../../support/clients/python.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;
let deps: FormatDeps;
const METADATA = 'Metadata-Version: 2.1\nName: tiny\nVersion: 0.1\nRequires-Python: >=3.9\n\nA tiny wheel.\n';
const WHEEL = storedZip({ 'tiny/__init__.py': 'VALUE = 1\n', 'tiny-0.1.dist-info/METADATA': METADATA, 'tiny-0.1.dist-info/WHEEL': 'Wheel-Version: 1.0\n' });

async function upload(filename: string, data: Buffer): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', name: 'tiny', version: '0.1', filetype: 'bdist_wheel', pyversion: 'py3' })) form.append(k, v);
  form.append('content', new Blob([data]), filename);
  return fetch(`${emu.url}/${TEST_PROJECT}/pygc/`, { method: 'POST', body: form });
}
async function blobFiles(): Promise<string[]> {
  const entries = await readdir(join(emu.dataDir, 'blobs', 'sha256'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
}
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  // the emulator's own stores, captured through the formats hook (no extra module is registered)
  emu = await startEmulator({ formats: (d) => ((deps = d), []) });
  await emu.createRepository('pygc', { format: 'PYTHON' });
});
afterAll(() => emu.stop());

describe('Python blobs and garbage collection', () => {
  it('keeps every file and its core metadata, and removes the bytes of a refused wheel', async () => {
    expect((await upload('tiny-0.1-py3-none-any.whl', WHEEL)).status).toBe(200);
    const refused = await upload('tiny-0.1-py2-none-any.whl', Buffer.from('not a zip'));
    expect([refused.status, refused.statusText]).toEqual([400, 'Invalid distribution file. The wheel is not a zip archive.']);
    // the refused wheel's bytes reached the store (the emulator's own startup collection may already have taken them)
    expect(await blobFiles()).toEqual(expect.arrayContaining([sha(WHEEL), sha(METADATA)]));

    // a collection over what the Python module references (the only format holding blobs here)
    const python = createPythonModule(deps);
    await deps.blobs.collectGarbage(() => python.referencedBlobs!());
    expect(await blobFiles()).toEqual([sha(WHEEL), sha(METADATA)].sort());

    const page = await (await fetch(`${emu.url}/${TEST_PROJECT}/pygc/simple/tiny/`)).text();
    expect(page).toContain(`data-requires-python="&gt;=3.9" data-dist-info-metadata="sha256=${sha(METADATA)}" data-core-metadata="sha256=${sha(METADATA)}"`);
    expect(Buffer.from(await (await fetch(`${emu.url}/${TEST_PROJECT}/pygc/packages/tiny/tiny-0.1-py3-none-any.whl`)).arrayBuffer())).toEqual(WHEEL);
    expect(await (await fetch(`${emu.url}/${TEST_PROJECT}/pygc/packages/tiny/tiny-0.1-py3-none-any.whl.metadata`)).text()).toBe(METADATA);
  });

  it('refuses a wheel without METADATA in its dist-info', async () => {
    const res = await upload('tiny-0.1-py3-none-win32.whl', storedZip({ 'tiny/__init__.py': '' }));
    expect([res.status, res.statusText]).toEqual([400, "Wheel 'tiny-0.1-py3-none-win32.whl' does not contain the required METADATA file: tiny-VERSION.dist-info/METADATA"]);
    expect((await fetch(`${emu.url}/${TEST_PROJECT}/pygc/packages/tiny/tiny-0.1-py3-none-win32.whl`)).status).toBe(404);
  });
});
