// HEAD/GET /v2/<name>/blobs/<digest> when the blob store lost or truncated a linked blob's file: never a
// 200 that promises bytes which cannot be sent, always an error log naming the digest.
import { rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../../../test/support/emulator.js';
import { ociError, Registry, sha256 } from '../../../../test/support/registry.js';
import { recordingLogger } from '../../../../test/support/recording-logger.js';

const NAME = 'test-project/repo/app';
const { logger, lines } = recordingLogger();

let emu: TestEmulator;
let reg: Registry;
beforeAll(async () => {
  emu = await startEmulator({ logger });
  await emu.createRepository('repo');
  reg = new Registry(emu.url);
});
afterAll(() => emu.stop());

const blobFile = (digest: string) => {
  const hex = digest.slice('sha256:'.length);
  return join(emu.dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex);
};
const errorsAbout = (digest: string) => lines.filter((l) => l.level === 'error' && l.fields?.digest === digest);

describe('a linked blob whose file is missing', () => {
  let digest = '';
  beforeAll(async () => {
    digest = await reg.pushBlob(NAME, Buffer.alloc(4096, 7));
    await rm(blobFile(digest));
  });

  it('answers HEAD with 404 and logs an error naming the digest', async () => {
    const head = await reg.fetch(`/v2/${NAME}/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(errorsAbout(digest).map((l) => l.msg)).toContainEqual(expect.stringMatching(/file is missing/));
  });

  it('answers GET with 404 BLOB_UNKNOWN', async () => {
    const get = await reg.fetch(`/v2/${NAME}/blobs/${digest}`);
    expect(get.status).toBe(404);
    expect(await ociError(get)).toBe('BLOB_UNKNOWN');
  });

  it('accepts the blob pushed again, after which it is served', async () => {
    const data = Buffer.alloc(4096, 7);
    expect(await reg.pushBlob(NAME, data)).toBe(sha256(data));
    const get = await reg.fetch(`/v2/${NAME}/blobs/${digest}`);
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer())).toEqual(data);
  });
});

describe('a linked blob whose file was truncated', () => {
  let digest = '';
  beforeAll(async () => {
    digest = await reg.pushBlob(NAME, Buffer.alloc(3 << 20, 9));
    await truncate(blobFile(digest), 1 << 20);
  });

  it('answers HEAD with 404 and logs both sizes', async () => {
    const head = await reg.fetch(`/v2/${NAME}/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(errorsAbout(digest).at(-1)?.fields).toMatchObject({ recordedSize: 3 << 20, storedSize: 1 << 20 });
  });

  it('answers GET with 404 BLOB_UNKNOWN at once instead of a full Content-Length and a stall', async () => {
    const get = await reg.fetch(`/v2/${NAME}/blobs/${digest}`, { signal: AbortSignal.timeout(5_000) });
    expect(get.status).toBe(404);
    expect(await ociError(get)).toBe('BLOB_UNKNOWN');
  });

  it('keeps answering other requests on the same server', async () => {
    expect((await reg.fetch('/v2/')).status).toBe(200);
  });
});
