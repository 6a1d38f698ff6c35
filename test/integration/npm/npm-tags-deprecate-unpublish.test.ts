// The machine's real npm 11: dist-tag add/ls/rm, deprecate (the warning shows at install), unpublish of one
// version and of a whole package; deleting through the control plane shows at the npm endpoints and the
// other way round.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient, type NpmClient } from './npm-client.js';

const REPO = 'npm-repo';
const V1 = `/v1/projects/${TEST_PROJECT}/locations/us-central1/repositories/${REPO}`;

describeWithClients(['npm'], 'npm dist-tag, deprecate and unpublish against an NPM repository', () => {
  let emu: TestEmulator;
  let c: NpmClient;
  const events: EmulatorEvent[] = [];
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.url}${V1}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const viewJson = async (spec: string, ...fields: string[]) => JSON.parse((await c.npm(['view', spec, ...fields, '--json'])).stdout) as Record<string, unknown>;

  beforeAll(async () => {
    emu = await startEmulator();
    await emu.createRepository(REPO, { format: 'NPM' });
    emu.emulator.events.onAny((e) => void events.push(e));
    c = await npmClient(`${emu.url}/${TEST_PROJECT}/${REPO}/`, { scopes: ['@lab'] });
    for (const v of ['1.0.0', '1.1.0', '2.0.0']) await c.npm(['publish'], { cwd: await c.makePackage('@lab/tagged', v) });
    for (const v of ['1.0.0', '1.0.1']) await c.npm(['publish'], { cwd: await c.makePackage('gone-soon', v) });
  });
  afterAll(async () => {
    await c?.dispose();
    await emu?.stop();
  });

  it('adds, lists and removes dist-tags, and installs by tag', async () => {
    await c.npm(['dist-tag', 'add', '@lab/tagged@1.1.0', 'beta']);
    expect((await c.npm(['dist-tag', 'ls', '@lab/tagged'])).stdout.trim().split('\n')).toEqual(['beta: 1.1.0', 'latest: 2.0.0']);
    const project = await c.makeProject();
    await c.npm(['install', '@lab/tagged@beta'], { cwd: project });
    expect((await c.npm(['ls', '@lab/tagged', '--json'], { cwd: project })).stdout).toContain('"version": "1.1.0"');
    await c.npm(['dist-tag', 'rm', '@lab/tagged', 'beta']);
    expect((await c.npm(['dist-tag', 'ls', '@lab/tagged'])).stdout.trim()).toBe('latest: 2.0.0');
    expect(events.filter((e) => e.type === 'tag.updated' || e.type === 'tag.deleted').map((e) => (e.data as { action?: string }).action))
      .toEqual(expect.arrayContaining(['npm dist-tag add @lab/tagged@1.1.0 beta', 'npm dist-tag rm @lab/tagged beta']));
    const tags = await control('GET', '/packages/@lab%2Ftagged/tags');
    expect((tags.body.tags as Array<{ name: string }>).map((t) => t.name.split('/').pop())).toEqual(['latest']);
  });

  it('publishes with --tag without moving latest, and gives a new package latest as well', async () => {
    await c.npm(['publish', '--tag', 'next'], { cwd: await c.makePackage('@lab/tagged', '3.0.0-rc.1') });
    await c.npm(['publish', '--tag', 'next'], { cwd: await c.makePackage('@lab/fresh', '0.1.0') });
    expect(await viewJson('@lab/tagged', 'dist-tags')).toEqual({ latest: '2.0.0', next: '3.0.0-rc.1' });
    expect(await viewJson('@lab/fresh', 'dist-tags')).toEqual({ latest: '0.1.0', next: '0.1.0' });
    await c.npm(['unpublish', '@lab/fresh', '--force']);
    await c.npm(['unpublish', '@lab/tagged@3.0.0-rc.1']);
  });

  it('refuses a dist-tag that is a semver range or points at a missing version', async () => {
    const base = `${emu.url}/${TEST_PROJECT}/${REPO}/-/package/@lab%2ftagged/dist-tags`;
    const range = await fetch(`${base}/1.x`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '"1.0.0"' });
    expect(range.status).toBe(400);
    expect(((await range.json()) as { error: string }).error).toMatch(/must not be a semver range/);
    const missing = await fetch(`${base}/next`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '"9.9.9"' });
    expect(missing.status).toBe(404);
    expect(await c.npmFails(['dist-tag', 'add', '@lab/tagged@9.9.9', 'next'])).toMatch(/9\.9\.9|No match/);
  });

  it('deprecates a version: npm install prints the warning, npm view shows it, undeprecating clears it', async () => {
    await c.npm(['deprecate', '@lab/tagged@1.0.0', 'use 2.x instead']);
    const project = await c.makeProject();
    const { stderr } = await c.npm(['install', '@lab/tagged@1.0.0', '--prefer-online'], { cwd: project });
    expect(stderr).toContain('npm warn deprecated @lab/tagged@1.0.0: use 2.x instead');
    expect(await viewJson('@lab/tagged@1.0.0', 'deprecated')).toBe('use 2.x instead');
    // the other versions are untouched, and deprecating is not a republish
    expect((await viewJson('@lab/tagged', 'versions')) as unknown).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    await c.npm(['deprecate', '@lab/tagged@1.0.0', '']);
    expect((await c.npm(['view', '@lab/tagged@1.0.0', 'deprecated'])).stdout.trim()).toBe('');
  });

  it('unpublishes one version: gone from the packument, its tarball 404, latest moves to the highest left', async () => {
    await c.npm(['unpublish', '@lab/tagged@2.0.0']);
    expect(await viewJson('@lab/tagged', 'versions', 'dist-tags')).toEqual({ versions: ['1.0.0', '1.1.0'], 'dist-tags': { latest: '1.1.0' } });
    const tgz = await fetch(`${emu.url}/${TEST_PROJECT}/${REPO}/@lab/tagged/-/tagged-2.0.0.tgz`);
    expect(tgz.status).toBe(404);
    expect(events.some((e) => e.type === 'artifact.deleted' && (e.data as { action?: string }).action === 'npm unpublish @lab/tagged@2.0.0')).toBe(true);
    const versions = await control('GET', '/packages/@lab%2Ftagged/versions');
    expect((versions.body.versions as Array<{ name: string }>).map((v) => v.name.split('/').pop())).toEqual(['1.0.0', '1.1.0']);
  });

  it('unpublishes a whole package with --force', async () => {
    await c.npm(['unpublish', 'gone-soon', '--force']);
    expect(await c.npmFails(['view', 'gone-soon'])).toMatch(/E404/);
    expect((await control('GET', '/packages')).body.packages as Array<{ name: string }>).toEqual([expect.objectContaining({ name: expect.stringMatching(/@lab%2Ftagged$/) })]);
  });

  it('deletes through the control plane what npm then no longer sees, and npm unpublish shows on the control plane', async () => {
    expect((await control('DELETE', '/packages/@lab%2Ftagged/versions/1.0.0')).status).toBe(200);
    expect(await viewJson('@lab/tagged', 'versions')).toEqual(['1.1.0']);
    expect((await control('DELETE', '/packages/@lab%2Ftagged')).status).toBe(200);
    expect(await c.npmFails(['view', '@lab/tagged'])).toMatch(/E404/);
    expect((await control('GET', '/files')).body.files ?? []).toEqual([]);
  });
});
