// Deleting through the control plane reaches the format's inventory (issue 10: "deleting through the API deletes
// from the format endpoints"): packages.delete, versions.delete (with and without force), versions.batchDelete,
// tags.create/patch/delete each call the inventory of the repository's format, and the lists then show the result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { fakeInventory, inventoryModule, type FakeInventory } from './fake-inventory.js';

const REPO = `projects/${TEST_PROJECT}/locations/us-central1/repositories/js`;
let emu: TestEmulator;
let npm: FakeInventory;

beforeAll(async () => {
  npm = fakeInventory('NPM');
  npm.add('js', '@acme/widget', [
    { id: '1.0.0', createTime: '2026-01-01T00:00:00Z' },
    { id: '1.1.0', createTime: '2026-01-02T00:00:00Z', tags: ['latest'] },
    { id: '2.0.0-rc.1', createTime: '2026-01-03T00:00:00Z', tags: ['next'] },
  ]);
  npm.add('js', 'left-pad', [{ id: '0.0.1', createTime: '2026-01-04T00:00:00Z', tags: ['latest'] }]);
  npm.add('js', 'gone', [{ id: '1.0.0', createTime: '2026-01-05T00:00:00Z' }, { id: '1.0.1', createTime: '2026-01-06T00:00:00Z' }]);
  emu = await startEmulator({ formats: () => [inventoryModule(npm)] });
  await emu.createRepository('js', { format: 'NPM' });
});
afterAll(() => emu.stop());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/v1/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const widget = `${REPO}/packages/@acme%2Fwidget`;

describe('control-plane deletes reach the inventory', () => {
  it('versions.delete of a tagged version is FAILED_PRECONDITION without force, and asks nothing of the inventory', async () => {
    const res = await call('DELETE', `${widget}/versions/1.1.0`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { status: 'FAILED_PRECONDITION' } });
    expect(npm.calls).toEqual([]);
  });

  it('versions.delete removes an untagged version, and with force a tagged one and its tags', async () => {
    expect((await call('DELETE', `${widget}/versions/1.0.0`)).status).toBe(200);
    expect((await call('DELETE', `${widget}/versions/1.1.0?force=true`)).status).toBe(200);
    expect(npm.calls.splice(0)).toEqual(['deleteVersion @acme/widget@1.0.0', 'deleteVersion @acme/widget@1.1.0 force']);
    const versions = await call('GET', `${widget}/versions`);
    expect((versions.body.versions as Array<{ name: string }>).map((v) => v.name)).toEqual([`${widget}/versions/2.0.0-rc.1`]);
    expect((await call('GET', `${REPO}/npmPackages`)).body.npmPackages).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ version: '1.0.0', packageName: '@acme/widget' })]),
    );
  });

  it('tags.create, tags.patch and tags.delete move and remove the tag in the inventory', async () => {
    expect((await call('POST', `${REPO}/packages/left-pad/tags?tagId=stable`, { version: `${REPO}/packages/left-pad/versions/0.0.1` })).status).toBe(200);
    expect((await call('PATCH', `${widget}/tags/next?updateMask=version`, { version: '2.0.0-rc.1' })).status).toBe(200);
    expect((await call('DELETE', `${REPO}/packages/left-pad/tags/latest`)).body).toEqual({});
    expect(npm.calls.splice(0)).toEqual(['setTag left-pad stable 0.0.1', 'setTag @acme/widget next 2.0.0-rc.1', 'deleteTag left-pad latest']);
    expect((await call('GET', `${REPO}/npmPackages/left-pad:0.0.1`)).body.tags).toEqual(['stable']);
  });

  it('versions.batchDelete deletes each named version (force), and validateOnly deletes nothing', async () => {
    const names = [`${REPO}/packages/gone/versions/1.0.0`, `${REPO}/packages/gone/versions/1.0.1`];
    expect((await call('POST', `${REPO}/packages/gone/versions:batchDelete`, { names, validateOnly: true })).status).toBe(200);
    expect(npm.calls).toEqual([]);
    expect((await call('POST', `${REPO}/packages/gone/versions:batchDelete`, { names })).status).toBe(200);
    expect(npm.calls.splice(0)).toEqual(['deleteVersion gone@1.0.0 force', 'deleteVersion gone@1.0.1 force']);
  });

  it('packages.delete deletes the package; it is then NOT_FOUND', async () => {
    expect((await call('DELETE', widget)).body).toMatchObject({ done: true });
    expect(npm.calls.splice(0)).toEqual(['deletePackage @acme/widget']);
    expect((await call('GET', widget)).status).toBe(404);
    expect((await call('DELETE', widget)).status).toBe(404);
    expect(npm.calls).toEqual([]);
  });
});
