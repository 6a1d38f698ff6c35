// GET /v2/<name>/tags/list and /v2/_catalog with n/last pagination and Link headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../../../test/support/emulator.js';
import { Registry } from '../../../../test/support/registry.js';

let emu: TestEmulator;
let reg: Registry;
const NAME = 'test-project/repo/app';
const TAGS = ['b', 'A', 'a', 'c1', 'c0', 'Z'];

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('repo');
  reg = new Registry(emu.url);
  const m = await reg.imageManifest(NAME);
  for (const t of TAGS) expect((await reg.putManifest(NAME, t, m)).status).toBe(201);
  await reg.putManifest('test-project/repo/nested/img', 'v1', await reg.imageManifest('test-project/repo/nested/img'));
});
afterAll(() => emu.stop());

describe('listTags', () => {
  it('lists every tag in code-unit order', async () => {
    expect(await (await reg.fetch(`/v2/${NAME}/tags/list`)).json()).toEqual({ name: NAME, tags: [...TAGS].sort() });
  });

  it('pages with n and last, linking to the next page', async () => {
    const first = await reg.fetch(`/v2/${NAME}/tags/list?n=2`);
    expect(((await first.json()) as { tags: string[] }).tags).toEqual(['A', 'Z']);
    expect(first.headers.get('link')).toBe(`</v2/${NAME}/tags/list?n=2&last=Z>; rel="next"`);
    const second = await reg.fetch(`/v2/${NAME}/tags/list?n=2&last=Z`);
    expect(((await second.json()) as { tags: string[] }).tags).toEqual(['a', 'b']);
    const last = await reg.fetch(`/v2/${NAME}/tags/list?n=2&last=b`);
    expect(((await last.json()) as { tags: string[] }).tags).toEqual(['c0', 'c1']);
    expect(last.headers.get('link')).toBeNull();
  });

  it('answers n=0 with an empty list and an unknown image with no tags', async () => {
    expect(((await (await reg.fetch(`/v2/${NAME}/tags/list?n=0`)).json()) as { tags: string[] }).tags).toEqual([]);
    expect(await (await reg.fetch('/v2/test-project/repo/never/tags/list')).json()).toEqual({ name: 'test-project/repo/never', tags: [] });
  });

  it('refuses a non-numeric n', async () => {
    expect((await reg.fetch(`/v2/${NAME}/tags/list?n=ten`)).status).toBe(400);
  });
});

describe('getCatalog', () => {
  it('lists images as PROJECT/REPO/IMAGE, paginated', async () => {
    expect(await (await reg.fetch('/v2/_catalog')).json()).toEqual({ repositories: [NAME, 'test-project/repo/nested/img'] });
    const page = await reg.fetch('/v2/_catalog?n=1');
    expect(decodeURIComponent(page.headers.get('link')!)).toBe('</v2/_catalog?n=1&last=test-project/repo/app>; rel="next"');
  });
});
