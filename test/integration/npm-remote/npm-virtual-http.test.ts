// npm virtual repositories over HTTP: a remote member whose upstream is down does not hide the members after it,
// a package no member holds is a 404 (a 503 when a failed remote member might hold it), dist-tags and tarballs
// come from the member that won, and writes are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { FakeNpmUpstream } from './fake-npm-upstream.js';

const repoName = (id: string) => `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${id}`;

describe('npm virtual repository over HTTP', () => {
  let emu: TestEmulator;
  let up: FakeNpmUpstream;
  const get = (repo: string, path: string, init: RequestInit = {}) => fetch(`${emu.url}/${TEST_PROJECT}/${repo}/${path}`, init);
  const create = async (id: string, body: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${id}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'NPM', ...body }),
    });
    expect(res.status, await res.text()).toBe(200);
  };

  beforeAll(async () => {
    up = await new FakeNpmUpstream().start();
    up.add('from-remote', '1.0.0');
    emu = await startEmulator();
    await create('std', {});
    await create('rem', { mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { npmRepository: { customRepository: { uri: up.url } } } });
    await create('virt', {
      mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'rem', repository: repoName('rem'), priority: 100 }, { id: 'std', repository: repoName('std'), priority: 10 }] },
    });
    // publish one package into the standard member, as npm does
    const tgz = Buffer.from('not a real tarball, the registry does not look inside');
    const { createHash } = await import('node:crypto');
    const res = await get('std', 'only-std', {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'only-std', 'dist-tags': { latest: '1.0.0' },
        versions: { '1.0.0': { name: 'only-std', version: '1.0.0', dist: { integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}` } } },
        _attachments: { 'only-std-1.0.0.tgz': { data: tgz.toString('base64'), length: tgz.length } },
      }),
    });
    expect(res.status, await res.text()).toBe(201);
  });
  afterAll(async () => {
    await emu?.stop();
    await up?.stop();
  });

  it('serves packuments, dist-tags and tarballs of each member through the virtual repository', async () => {
    const doc = (await (await get('virt', 'from-remote')).json()) as { versions: Record<string, { dist: { tarball: string } }> };
    expect(doc.versions['1.0.0']!.dist.tarball).toBe(`${emu.url}/${TEST_PROJECT}/virt/from-remote/-/from-remote-1.0.0.tgz`);
    const tgz = await get('virt', 'from-remote/-/from-remote-1.0.0.tgz');
    expect(Buffer.from(await tgz.arrayBuffer()).equals(up.tarballOf('from-remote', '1.0.0'))).toBe(true);
    expect(await (await get('virt', '-/package/only-std/dist-tags')).json()).toEqual({ latest: '1.0.0' });
    expect((await get('virt', 'only-std/-/only-std-1.0.0.tgz')).status).toBe(200);
  });

  it('skips a remote member whose upstream is down, and answers 503 for what only it might hold', async () => {
    await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: repoName('rem'), mode: 'down' }) });
    try {
      expect((await get('virt', 'only-std')).status).toBe(200);
      const miss = await get('virt', 'nowhere');
      expect(miss.status).toBe(503);
      expect(((await miss.json()) as { error: string }).error).toMatch(/cannot fetch nowhere/);
    } finally {
      await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
    }
    expect((await get('virt', 'nowhere')).status).toBe(404);
  });

  it('refuses writes with npm\'s 405', async () => {
    expect((await get('virt', '-/package/only-std/dist-tags/beta', { method: 'PUT', body: '"1.0.0"' })).status).toBe(405);
    const del = await get('virt', 'only-std/-rev/1-x', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(((await del.json()) as { error: string }).error).toMatch(/virtual repository: it is read-only/);
  });
});
