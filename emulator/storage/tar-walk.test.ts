// walkTar over tar and tar.gz files: entries in order, read or skipped, a malformed archive rejected.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBounded, walkTar } from './tar-walk.js';

let dir: string;
async function tarOf(entries: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, text] of Object.entries(entries)) pack.entry({ name }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'are-tar-walk-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('walkTar', () => {
  it.each([['tar', false], ['tar.gz', true]] as const)('reads the entries it wants from a %s and skips the others', async (ext, gz) => {
    const bytes = await tarOf({ './a.txt': 'alpha', 'big.bin': 'x'.repeat(100_000), 'package/package.json': '{"name":"p"}' });
    const file = join(dir, `t.${ext}`);
    await writeFile(file, gz ? gzipSync(bytes) : bytes);
    const seen: string[] = [];
    const read: Record<string, string> = {};
    await walkTar(file, async (e, body) => {
      seen.push(`${e.name}:${e.size}`);
      if (e.name !== 'big.bin') read[e.name] = (await readBounded(body, 1024, e.name)).toString();
    });
    expect(seen).toEqual(['a.txt:5', 'big.bin:100000', 'package/package.json:12']);
    expect(read).toEqual({ 'a.txt': 'alpha', 'package/package.json': '{"name":"p"}' });
  });

  it('rejects a file that is not a tar, and a visitor over its bound', async () => {
    const junk = join(dir, 'junk.tar');
    await writeFile(junk, 'not a tar at all, not even close'.repeat(40));
    await expect(walkTar(junk, async () => {})).rejects.toThrow();
    const file = join(dir, 'bound.tar');
    await writeFile(file, await tarOf({ 'a.txt': 'x'.repeat(2000) }));
    await expect(walkTar(file, async (e, body) => void (await readBounded(body, 1000, e.name)))).rejects.toThrow('a.txt is larger than 1000 bytes.');
  });
});
