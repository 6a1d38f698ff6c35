// Upload sessions and the blob store underneath: hashing while streaming, rollback, restart recovery.
import { mkdtemp, readFile, rm, utimes, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { parseDigest, digestOf } from '../core/digests.js';
import { randomIds } from '../core/ids.js';
import { silentLogger } from '../core/logger.js';
import { FsBlobStore } from './fs-blob-store.js';
import { DataPaths } from './paths.js';
import { UploadSessions } from './uploads.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup(dir?: string) {
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'are-up-')));
  if (!dir) dirs.push(root);
  const paths = new DataPaths(root);
  const blobs = new FsBlobStore(paths, randomIds);
  await blobs.init();
  const clock = new ManualClock();
  const uploads = new UploadSessions(paths, blobs, clock, randomIds, silentLogger);
  uploads.init();
  return { root, paths, blobs, uploads, clock };
}

describe('UploadSessions', () => {
  it('commits chunks into a blob whose digest was computed while streaming', async () => {
    const { uploads, blobs } = await setup();
    const s = await uploads.begin('scope');
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('hello ')]));
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('world')]), { start: 6 });
    const done = await uploads.commit(s.id, 'scope', parseDigest(digestOf(Buffer.from('hello world'))));
    expect(done.size).toBe(11);
    expect((await blobs.read(done.digest)).toString()).toBe('hello world');
  });

  it('verifies sha512 digests by rehashing at commit', async () => {
    const { uploads, blobs } = await setup();
    const s = await uploads.begin('scope');
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('five12')]));
    const digest = digestOf(Buffer.from('five12'), 'sha512');
    await uploads.commit(s.id, 'scope', parseDigest(digest));
    expect((await blobs.read(digest)).toString()).toBe('five12');
  });

  it('rolls a failed chunk back to the previous offset', async () => {
    const { uploads, root } = await setup();
    const s = await uploads.begin('scope');
    await uploads.append(s.id, 'scope', Readable.from([Buffer.from('keep')]));
    const failing = new Readable({ read() { this.push(Buffer.from('partial')); this.destroy(new Error('client went away')); } });
    await expect(uploads.append(s.id, 'scope', failing)).rejects.toMatchObject({ code: 'UPLOAD_INVALID' });
    expect(uploads.get(s.id, 'scope').offset).toBe(4);
    expect((await readFile(join(root, 'uploads', s.id, 'data'))).toString()).toBe('keep');
  });

  it('after a restart, drops bytes past the last acknowledged chunk and resumes from there', async () => {
    const first = await setup();
    const s = await first.uploads.begin('scope');
    await first.uploads.append(s.id, 'scope', Readable.from([Buffer.from('acked')]));
    await appendFile(join(first.root, 'uploads', s.id, 'data'), 'cut-off');
    const again = await setup(first.root);
    expect(again.uploads.get(s.id, 'scope').offset).toBe(5);
    await again.uploads.append(s.id, 'scope', Readable.from([Buffer.from('-more')]), { start: 5 });
    const d = await again.uploads.commit(s.id, 'scope', parseDigest(digestOf(Buffer.from('acked-more'))));
    expect((await again.blobs.read(d.digest)).toString()).toBe('acked-more');
  });

  it('purges sessions older than the cutoff', async () => {
    const { uploads, clock } = await setup();
    const old = await uploads.begin('scope');
    clock.advance(3600_000);
    const fresh = await uploads.begin('scope');
    expect(await uploads.purge(new Date(clock.now().getTime() - 1000))).toBe(1);
    expect(() => uploads.get(old.id, 'scope')).toThrow();
    expect(uploads.get(fresh.id, 'scope').offset).toBe(0);
  });

  it('refuses a session used under another scope', async () => {
    const { uploads } = await setup();
    const s = await uploads.begin('a');
    expect(() => uploads.get(s.id, 'b')).toThrow(expect.objectContaining({ code: 'UPLOAD_UNKNOWN' }));
  });
});

describe('FsBlobStore', () => {
  it('stamps a committed blob with the commit time, however old its bytes', async () => {
    const { root, blobs } = await setup();
    const file = join(root, 'old-bytes');
    await writeFile(file, 'old');
    const longAgo = new Date('2020-01-01T00:00:00Z');
    await utimes(file, longAgo, longAgo);
    const before = Date.now();
    const digest = digestOf(Buffer.from('old'));
    await blobs.adopt(file, digest);
    expect((await blobs.stat(digest))!.modifiedMs).toBeGreaterThanOrEqual(before - 1000);
  });
});
