// gs:// URIs of the import methods read files under the emulator's Cloud Storage root only: names checked by Cloud
// Storage's rules, `..` and symlinks out of the root refused, wildcards expanded in order and bounded.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globToRegExp, parseGcsUri, resolveGcsUris } from './gcs-source.js';

const base = mkdtempSync(join(tmpdir(), 'gcs-source-'));
const root = join(base, 'gcs');
mkdirSync(join(root, 'my-bucket', 'debs', 'sub'), { recursive: true });
writeFileSync(join(root, 'my-bucket', 'debs', 'a_1.0_all.deb'), 'a');
writeFileSync(join(root, 'my-bucket', 'debs', 'b_1.0_all.deb'), 'bb');
writeFileSync(join(root, 'my-bucket', 'debs', 'sub', 'c_1.0_all.deb'), 'ccc');
writeFileSync(join(base, 'secret.deb'), 'outside');
symlinkSync(join(base, 'secret.deb'), join(root, 'my-bucket', 'debs', 'link.deb'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('parseGcsUri', () => {
  it.each([
    ['gs://my-bucket/a.deb', { bucket: 'my-bucket', object: 'a.deb' }],
    ['gs://my-bucket/dir/a.deb', { bucket: 'my-bucket', object: 'dir/a.deb' }],
  ])('%s', (uri, want) => expect(parseGcsUri(uri)).toEqual(want));
  it.each(['/etc/passwd', 'file:///etc/passwd', 'gs://my-bucket/../x', 'gs://my-bucket/a/./b', 'gs://my-bucket//a', 'gs://UPPER/a', 'gs://..x../a', 'gs://b/a\\b', 'gs://my-bucket/a\u0000'])(
    'refuses %j',
    (uri) => expect(typeof parseGcsUri(uri)).toBe('string'),
  );
});

describe('resolveGcsUris', () => {
  it('names files under ROOT/BUCKET/OBJECT, with an error for what is missing or malformed', async () => {
    const got = await resolveGcsUris(root, ['gs://my-bucket/debs/a_1.0_all.deb', 'gs://my-bucket/debs/none.deb', 'gs://my-bucket/../secret.deb'], false);
    expect(got[0]).toEqual({ uri: 'gs://my-bucket/debs/a_1.0_all.deb', path: join(root, 'my-bucket', 'debs', 'a_1.0_all.deb'), size: 1 });
    expect(got[1]).toMatchObject({ uri: 'gs://my-bucket/debs/none.deb', error: expect.stringContaining('No object matches') });
    expect(got[2]).toMatchObject({ error: expect.stringContaining('Invalid object name') });
  });

  it('never follows a symlink out of the root, nor reads a directory', async () => {
    const got = await resolveGcsUris(root, ['gs://my-bucket/debs/link.deb', 'gs://my-bucket/debs'], false);
    expect(got.every((s) => 'error' in s)).toBe(true);
  });

  it('expands wildcards: * and ? within a segment, ** across, in name order', async () => {
    const one = await resolveGcsUris(root, ['gs://my-bucket/debs/*.deb'], true);
    expect(one.map((s) => ('path' in s ? s.uri : s.error))).toEqual(['gs://my-bucket/debs/a_1.0_all.deb', 'gs://my-bucket/debs/b_1.0_all.deb']);
    const all = await resolveGcsUris(root, ['gs://my-bucket/**.deb'], true);
    expect(all.map((s) => s.uri)).toEqual(['gs://my-bucket/debs/a_1.0_all.deb', 'gs://my-bucket/debs/b_1.0_all.deb', 'gs://my-bucket/debs/sub/c_1.0_all.deb']);
    // without useWildcards a * is part of the name
    expect(await resolveGcsUris(root, ['gs://my-bucket/debs/*.deb'], false)).toEqual([{ uri: 'gs://my-bucket/debs/*.deb', error: expect.any(String) }]);
  });

  it('answers every URI with an error when the root does not exist', async () => {
    const got = await resolveGcsUris(join(base, 'nope'), ['gs://my-bucket/a.deb'], false);
    expect(got).toEqual([{ uri: 'gs://my-bucket/a.deb', error: expect.stringContaining('does not exist') }]);
  });

  it('globToRegExp escapes everything else', () => {
    expect(globToRegExp('a.b+(c)*').test('a.b+(c)xyz')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});
