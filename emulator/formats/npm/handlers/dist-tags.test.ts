// GET /-/package/NAME/dist-tags, PUT and DELETE /-/package/NAME/dist-tags/TAG over HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import { useNpmRegistry } from '../../../../test/integration/npm/npm-http.js';

const r = useNpmRegistry();
const TAGS = '/-/package/@tags%2fpkg/dist-tags';
const put = (tag: string, body: string) => r.json<Record<string, string>>(`${TAGS}/${tag}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });

beforeAll(async () => {
  for (const v of ['1.0.0', '2.0.0']) await r.publish('@tags/pkg', v);
});

describe('listDistTags', () => {
  it('lists the tags of a package, and 404s for an unknown one', async () => {
    expect(await r.json(TAGS)).toMatchObject({ status: 200, body: { latest: '2.0.0' } });
    expect((await r.fetch('/-/package/nobody/dist-tags')).status).toBe(404);
  });
});

describe('putDistTag', () => {
  it('points a tag at an existing version (npm sends the version as a JSON string)', async () => {
    expect(await put('beta', '"1.0.0"')).toMatchObject({ status: 201, body: { beta: '1.0.0', latest: '2.0.0' } });
    expect(await put('latest', '"1.0.0"')).toMatchObject({ status: 201, body: { beta: '1.0.0', latest: '1.0.0' } });
  });

  it('refuses a missing version, a semver-range tag and a body that is not a version', async () => {
    expect((await put('next', '"3.0.0"')).status).toBe(404);
    expect((await put('2.x', '"1.0.0"')).status).toBe(400);
    expect(await put('next', '{"v":1}')).toMatchObject({ status: 400, body: { error: 'The request body must be the version, as a JSON string' } });
  });
});

describe('deleteDistTag', () => {
  it('removes a tag, 404s for a missing one and keeps latest', async () => {
    await put('gone', '"1.0.0"');
    expect((await r.json(`${TAGS}/gone`, { method: 'DELETE' })).status).toBe(200);
    expect((await r.fetch(`${TAGS}/gone`, { method: 'DELETE' })).status).toBe(404);
    const latest = await r.json<{ error: string }>(`${TAGS}/latest`, { method: 'DELETE' });
    expect([latest.status, latest.body.error]).toEqual([400, 'The "latest" dist-tag of @tags/pkg cannot be removed; point it at another version instead']);
  });
});
