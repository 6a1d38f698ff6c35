// GET /v2/<name>/tags/list and /v2/_catalog with n/last pagination and Link headers.
import { beforeAll, describe, expect, it } from 'vitest';
import { useRegistry } from '../../../../test/support/registry.js';

const t = useRegistry(['repo']);
const NAME = 'test-project/repo/app';
const TAGS = ['b', 'A', 'a', 'c1', 'c0', 'Z'];

beforeAll(async () => {
  const m = await t.reg.imageManifest(NAME);
  for (const tag of TAGS) expect((await t.reg.putManifest(NAME, tag, m)).status).toBe(201);
  await t.reg.putManifest('test-project/repo/nested/img', 'v1', await t.reg.imageManifest('test-project/repo/nested/img'));
});

describe('listTags', () => {
  it('lists every tag in code-unit order', async () => {
    expect(await (await t.reg.fetch(`/v2/${NAME}/tags/list`)).json()).toEqual({ name: NAME, tags: [...TAGS].sort() });
  });

  it('pages with n and last, linking to the next page', async () => {
    const first = await t.reg.fetch(`/v2/${NAME}/tags/list?n=2`);
    expect(((await first.json()) as { tags: string[] }).tags).toEqual(['A', 'Z']);
    expect(first.headers.get('link')).toBe(`</v2/${NAME}/tags/list?n=2&last=Z>; rel="next"`);
    const second = await t.reg.fetch(`/v2/${NAME}/tags/list?n=2&last=Z`);
    expect(((await second.json()) as { tags: string[] }).tags).toEqual(['a', 'b']);
    const last = await t.reg.fetch(`/v2/${NAME}/tags/list?n=2&last=b`);
    expect(((await last.json()) as { tags: string[] }).tags).toEqual(['c0', 'c1']);
    expect(last.headers.get('link')).toBeNull();
  });

  it('answers n=0 with an empty list and an unknown image with no tags', async () => {
    expect(((await (await t.reg.fetch(`/v2/${NAME}/tags/list?n=0`)).json()) as { tags: string[] }).tags).toEqual([]);
    expect(await (await t.reg.fetch('/v2/test-project/repo/never/tags/list')).json()).toEqual({ name: 'test-project/repo/never', tags: [] });
  });

  it('refuses a non-numeric n', async () => {
    expect((await t.reg.fetch(`/v2/${NAME}/tags/list?n=ten`)).status).toBe(400);
  });
});

describe('getCatalog', () => {
  it('lists images as PROJECT/REPO/IMAGE, paginated', async () => {
    expect(await (await t.reg.fetch('/v2/_catalog')).json()).toEqual({ repositories: [NAME, 'test-project/repo/nested/img'] });
    const page = await t.reg.fetch('/v2/_catalog?n=1');
    expect(decodeURIComponent(page.headers.get('link')!)).toBe('</v2/_catalog?n=1&last=test-project/repo/app>; rel="next"');
  });
});
