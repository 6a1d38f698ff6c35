// GET /-/ping, /-/whoami and /-/v1/search over HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import { useNpmRegistry } from '../../../../test/integration/npm/npm-http.js';

const r = useNpmRegistry();

beforeAll(async () => {
  await r.publish('@find/alpha', '1.0.0', undefined, { manifest: { keywords: ['needle'] } });
  await r.publish('beta-pkg', '1.0.0');
});

describe('ping', () => {
  it('answers {}', async () => {
    expect(await r.json('/-/ping')).toMatchObject({ status: 200, body: {} });
  });
});

describe('whoami', () => {
  it('names the caller without its principal type (the local owner in open mode)', async () => {
    expect(await r.json('/-/whoami')).toMatchObject({ status: 200, body: { username: 'owner@ar-emulator.local' } });
  });
});

describe('search', () => {
  it('matches words in names, descriptions and keywords, in npm\'s result shape', async () => {
    const { body } = await r.json<{ objects: Array<{ package: { name: string; version: string; scope: string } }>; total: number }>('/-/v1/search?text=needle');
    expect(body.total).toBe(1);
    expect(body.objects[0]!.package).toMatchObject({ name: '@find/alpha', version: '1.0.0', scope: 'find' });
    const all = (await r.json<{ objects: Array<{ package: { name: string } }> }>('/-/v1/search?text=&size=1&from=1')).body;
    expect(all.objects.map((o) => o.package.name)).toEqual(['beta-pkg']);
  });
});
