// The ingest path: every digest kind in one pass, given vs learned digests, and nothing left behind on a
// mismatch, a size error or a client that goes away mid-stream.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { randomIds } from '../core/ids.js';
import { silentLogger } from '../core/logger.js';
import { FsBlobStore } from './fs-blob-store.js';
import { BlobIngest, type IngestedBlob } from './ingest.js';
import { MultiHash } from './multi-hash.js';
import { DataPaths } from './paths.js';
import { UploadSessions } from './uploads.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup() {
  const root = await mkdtemp(join(tmpdir(), 'are-ingest-'));
  dirs.push(root);
  const paths = new DataPaths(root);
  const blobs = new FsBlobStore(paths, randomIds);
  await blobs.init();
  const uploads = new UploadSessions(paths, blobs, new ManualClock(), randomIds, silentLogger);
  uploads.init();
  return { paths, blobs, uploads, ingest: new BlobIngest(paths, blobs, randomIds) };
}

const hex = (alg: string, data: Buffer) => createHash(alg).update(data).digest('hex');
const keep = async (blob: IngestedBlob) => blob;

async function storedDigests(blobs: FsBlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const d of blobs.list()) out.push(d);
  return out;
}

/** A body that sends `first` and then fails, like a socket reset mid-upload. */
function brokenBody(first: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(first);
      } else {
        this.destroy(new Error('ECONNRESET'));
      }
    },
  });
}

describe('MultiHash', () => {
  it('computes blake2b-256 (32-byte output) like Python hashlib.blake2b(digest_size=32)', async () => {
    const h = await MultiHash.of(['blake2b-256']);
    h.update(Buffer.from('abc'));
    expect(h.digests()['blake2b-256']).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  });

  it('keeps the state of a copy apart from the original', async () => {
    const a = await MultiHash.of(['sha256', 'blake2b-256']);
    a.update(Buffer.from('ab'));
    const b = a.copy();
    b.update(Buffer.from('c'));
    expect(a.digests().sha256).toBe(hex('sha256', Buffer.from('ab')));
    expect(b.digests().sha256).toBe(hex('sha256', Buffer.from('abc')));
    expect(b.digests()['blake2b-256']).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  });
});

describe('BlobIngest', () => {
  it('computes sha256, sha512, sha1, md5 and blake2b-256 in one pass over a multi-chunk stream', async () => {
    const { ingest, blobs } = await setup();
    const chunks = [Buffer.alloc(70_000, 1), Buffer.from('tail')];
    const data = Buffer.concat(chunks);
    const blob = await ingest.ingest(Readable.from(chunks), { algorithms: ['sha512', 'sha1', 'md5', 'blake2b-256'] }, keep);
    expect(blob.size).toBe(data.length);
    expect(blob.digest).toBe(`sha256:${hex('sha256', data)}`);
    expect(blob.digests).toEqual({
      sha256: hex('sha256', data),
      sha512: hex('sha512', data),
      sha1: hex('sha1', data),
      md5: hex('md5', data),
      // python3 -c "import hashlib; print(hashlib.blake2b(b'\\x01' * 70000 + b'tail', digest_size=32).hexdigest())"
      'blake2b-256': 'e9663d9bc3d6f95baa921546a81594f839b1d93fe4d84cd4762c3c3bf67aed84',
    });
    expect((await blobs.read(blob.digest)).equals(data)).toBe(true);
  });

  it('learns the address from the bytes when the client gives no digest', async () => {
    const { ingest, blobs } = await setup();
    const blob = await ingest.ingest(Readable.from([Buffer.from('learned')]), {}, keep);
    expect(blob.digest).toBe(`sha256:${hex('sha256', Buffer.from('learned'))}`);
    expect(await blobs.stat(blob.digest)).toMatchObject({ size: 7 });
  });

  it('stores under sha512 when asked, and verifies every given digest of any kind', async () => {
    const { ingest, blobs } = await setup();
    const data = Buffer.from('given');
    const blob = await ingest.ingest(
      Readable.from([data]),
      { address: 'sha512', expected: [{ algorithm: 'sha512', hex: hex('sha512', data) }, { algorithm: 'md5', hex: hex('md5', data).toUpperCase() }] },
      keep,
    );
    expect(blob.digest).toBe(`sha512:${hex('sha512', data)}`);
    expect(blob.digests.md5).toBe(hex('md5', data));
    expect(await storedDigests(blobs)).toEqual([blob.digest]);
  });

  it('runs the commit while the blob is held and stored, and returns its result', async () => {
    const { ingest, blobs } = await setup();
    const result = await ingest.ingest(Readable.from([Buffer.from('x')]), {}, async (blob) => {
      expect(await blobs.stat(blob.digest)).toBeDefined();
      return 'linked';
    });
    expect(result).toBe('linked');
  });

  it('leaves nothing behind, not even a temp file, when a given digest does not match', async () => {
    const { ingest, blobs, paths } = await setup();
    let committed = false;
    const wrong = { algorithm: 'sha1' as const, hex: hex('sha1', Buffer.from('other')) };
    await expect(
      ingest.ingest(Readable.from([Buffer.from('content')]), { expected: [wrong] }, async () => {
        committed = true;
      }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(committed).toBe(false);
    expect(await storedDigests(blobs)).toEqual([]);
    expect(await readdir(paths.blobTempDir)).toEqual([]);
  });

  it('leaves nothing behind when the client disconnects mid-stream', async () => {
    const { ingest, blobs, paths } = await setup();
    await expect(ingest.ingest(brokenBody(Buffer.alloc(1024, 2)), {}, keep)).rejects.toMatchObject({ code: 'UPLOAD_INVALID' });
    expect(await storedDigests(blobs)).toEqual([]);
    expect(await readdir(paths.blobTempDir)).toEqual([]);
  });

  it('refuses a body shorter or longer than the announced length, keeping nothing', async () => {
    const { ingest, blobs, paths } = await setup();
    await expect(ingest.ingest(Readable.from([Buffer.from('four')]), { length: 5 }, keep)).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    await expect(ingest.ingest(Readable.from([Buffer.from('four')]), { length: 3 }, keep)).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    expect(await storedDigests(blobs)).toEqual([]);
    expect(await readdir(paths.blobTempDir)).toEqual([]);
  });

  it('stops a body past the limit with the caller’s error code, keeping nothing', async () => {
    const { ingest, blobs, paths } = await setup();
    const body = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(ingest.ingest(body, { limit: { bytes: 1000, code: 'MANIFEST_TOO_LARGE' } }, keep)).rejects.toMatchObject({ code: 'MANIFEST_TOO_LARGE' });
    expect(await storedDigests(blobs)).toEqual([]);
    expect(await readdir(paths.blobTempDir)).toEqual([]);
  });

  it('ingests an empty body as the empty blob', async () => {
    const { ingest } = await setup();
    const blob = await ingest.ingest(Readable.from([]), { length: 0 }, keep);
    expect(blob).toMatchObject({ size: 0, digest: `sha256:${hex('sha256', Buffer.alloc(0))}` });
  });
});

describe('UploadSessions on the ingest path', () => {
  it('hashes the algorithms asked at begin across chunks, and learns the address at commit', async () => {
    const { uploads, blobs } = await setup();
    const s = await uploads.begin('scope', { algorithms: ['sha1', 'blake2b-256'] });
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('ab')]));
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('c')]), { start: 2 });
    const blob = await uploads.commit(s.id, 'scope', {});
    expect(blob).toMatchObject({ size: 3, digest: `sha256:${hex('sha256', Buffer.from('abc'))}` });
    expect(blob.digests.sha1).toBe(hex('sha1', Buffer.from('abc')));
    expect(blob.digests['blake2b-256']).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
    expect(await storedDigests(blobs)).toEqual([blob.digest]);
  });

  it('computes at commit an algorithm not hashed while streaming (md5), and refuses a mismatch keeping nothing', async () => {
    const { uploads, blobs, paths } = await setup();
    const s = await uploads.begin('scope');
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('abc')]));
    await expect(uploads.commit(s.id, 'scope', { expected: [{ algorithm: 'md5', hex: hex('md5', Buffer.from('abd')) }] })).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(() => uploads.get(s.id, 'scope')).toThrow();
    expect(await storedDigests(blobs)).toEqual([]);
    expect(await readdir(paths.uploadsDir)).toEqual([]);
  });

  it('rolls back a chunk cut off by a disconnect to the acknowledged offset, and the digest still holds', async () => {
    const { uploads } = await setup();
    const s = await uploads.begin('scope');
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('ok-')]));
    await expect(uploads.append(s.id, 'scope', brokenBody(Buffer.from('garbage')))).rejects.toMatchObject({ code: 'UPLOAD_INVALID' });
    expect(uploads.get(s.id, 'scope').offset).toBe(3);
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('done')]), { start: 3 });
    const blob = await uploads.commit(s.id, 'scope', { algorithm: 'sha256', hex: hex('sha256', Buffer.from('ok-done')) });
    expect(blob.size).toBe(7);
  });
});
