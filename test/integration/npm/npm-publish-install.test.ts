// The machine's real npm 11 against an NPM repository: publish of a scoped and an unscoped package, install of
// both into a fresh project, npm view, whoami, ping, search, and a republish refused with npm's message. The
// control plane shows what npm published (packages, versions, dist-tags as tags, the tarball as a file).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient, type NpmClient } from './npm-client.js';

const REPO = 'npm-repo';
const V1 = `/v1/projects/${TEST_PROJECT}/locations/us-central1/repositories/${REPO}`;

describeWithClients(['npm'], 'npm publish, install and view against an NPM repository', () => {
  let emu: TestEmulator;
  let c: NpmClient;
  const events: EmulatorEvent[] = [];

  beforeAll(async () => {
    emu = await startEmulator();
    await emu.createRepository(REPO, { format: 'NPM' });
    emu.emulator.events.onAny((e) => void events.push(e));
    c = await npmClient(`${emu.url}/${TEST_PROJECT}/${REPO}/`, { scopes: ['@lab'] });
    await c.npm(['publish'], { cwd: await c.makePackage('@lab/hello', '1.0.0') });
    await c.npm(['publish'], { cwd: await c.makePackage('plain-pkg', '1.0.0', { dependencies: { '@lab/hello': '^1.0.0' } }) });
  });
  afterAll(async () => {
    await c?.dispose();
    await emu?.stop();
  });

  it('installs a scoped and an unscoped package into a fresh project, with the scoped one as a dependency too', async () => {
    const project = await c.makeProject();
    const { stdout } = await c.npm(['install', '@lab/hello@1.0.0', 'plain-pkg'], { cwd: project });
    expect(stdout).toMatch(/added 2 packages/);
    expect(await readFile(join(project, 'node_modules/@lab/hello/index.js'), 'utf8')).toContain('@lab/hello@1.0.0');
    expect(await readFile(join(project, 'node_modules/plain-pkg/index.js'), 'utf8')).toContain('plain-pkg@1.0.0');
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { integrity?: string }> };
    expect(lock.packages['node_modules/@lab/hello']?.integrity).toMatch(/^sha512-/);
  });

  it('shows the package with npm view: versions, dist-tags and a tarball URL back to this emulator', async () => {
    const { stdout } = await c.npm(['view', '@lab/hello', '--json']);
    const view = JSON.parse(stdout) as { name: string; versions: string[]; 'dist-tags': Record<string, string>; dist: { tarball: string; integrity: string; shasum: string } };
    expect(view.name).toBe('@lab/hello');
    expect(view.versions).toEqual(['1.0.0']);
    expect(view['dist-tags']).toEqual({ latest: '1.0.0' });
    expect(view.dist.tarball).toBe(`${emu.url}/${TEST_PROJECT}/${REPO}/@lab/hello/-/hello-1.0.0.tgz`);
    expect(view.dist.integrity).toMatch(/^sha512-/);
    expect(view.dist.shasum).toMatch(/^[0-9a-f]{40}$/);
  });

  it('serves the abbreviated packument to an install Accept header and the full one otherwise', async () => {
    const url = `${emu.url}/${TEST_PROJECT}/${REPO}/@lab%2fhello`;
    const abbreviated = await fetch(url, { headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' } });
    expect(abbreviated.headers.get('content-type')).toContain('application/vnd.npm.install-v1+json');
    const a = (await abbreviated.json()) as Record<string, unknown> & { versions: Record<string, Record<string, unknown>> };
    expect(Object.keys(a).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions']);
    expect(Object.keys(a.versions['1.0.0']!).sort()).toEqual(['dist', 'license', 'name', 'version']);
    const full = (await (await fetch(url)).json()) as Record<string, unknown>;
    expect(full).toMatchObject({ _id: '@lab/hello', name: '@lab/hello', description: 'test package @lab/hello' });
    expect(full._rev).toMatch(/^\d+-[0-9a-f]+$/);
    const etag = abbreviated.headers.get('etag')!;
    const again = await fetch(url, { headers: { accept: 'application/vnd.npm.install-v1+json', 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('accepts %2F as well as %2f in a scoped name', async () => {
    const res = await fetch(`${emu.url}/${TEST_PROJECT}/${REPO}/@lab%2Fhello`);
    expect(res.status).toBe(200);
  });

  it('refuses a republish with npm\'s 403 text, from npm and from the registry itself', async () => {
    const out = await c.npmFails(['publish'], { cwd: await c.makePackage('@lab/hello', '1.0.0') });
    expect(out).toContain('You cannot publish over the previously published versions: 1.0.0.');
    // npm checks the packument first; the registry refuses on its own too (a client that does not check)
    const tgz = Buffer.from('not really a tarball');
    const res = await fetch(`${emu.url}/${TEST_PROJECT}/${REPO}/plain-pkg`, {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'plain-pkg', versions: { '1.0.0': { name: 'plain-pkg', version: '1.0.0' } }, 'dist-tags': { latest: '1.0.0' }, _attachments: { 'plain-pkg-1.0.0.tgz': { data: tgz.toString('base64'), length: tgz.length } } }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'You cannot publish over the previously published versions: 1.0.0.' });
  });

  it('answers npm whoami, npm ping and npm search', async () => {
    expect((await c.npm(['whoami'])).stdout.trim()).toBe('owner@ar-emulator.local');
    await c.npm(['ping']);
    const found = JSON.parse((await c.npm(['search', 'hello', '--json'])).stdout) as Array<{ name: string; version: string }>;
    expect(found.map((p) => [p.name, p.version])).toEqual([['@lab/hello', '1.0.0']]);
  });

  it('shows packages, versions, dist-tags and tarballs on the control plane', async () => {
    const get = async (path: string) => (await (await fetch(`${emu.url}${V1}${path}`)).json()) as Record<string, Array<Record<string, unknown>>>;
    expect((await get('/packages')).packages!.map((p) => p.name)).toEqual([`${V1.slice(4)}/packages/@lab%2Fhello`, `${V1.slice(4)}/packages/plain-pkg`]);
    expect((await get('/packages/@lab%2Fhello/versions')).versions!.map((v) => String(v.name).split('/').pop())).toEqual(['1.0.0']);
    expect((await get('/packages/@lab%2Fhello/tags')).tags!.map((t) => [String(t.name).split('/').pop(), String(t.version).split('/').pop()])).toEqual([['latest', '1.0.0']]);
    const npmPackages = (await get('/npmPackages')).npmPackages!;
    expect(npmPackages.map((p) => [p.packageName, p.version])).toEqual(expect.arrayContaining([['@lab/hello', '1.0.0'], ['plain-pkg', '1.0.0']]));
    const files = (await get('/files')).files!;
    expect(files.length).toBe(2);
    expect(files.every((f) => Number(f.sizeBytes) > 0)).toBe(true);
  });

  it('reports publishes and pulls in the feed in npm\'s own words', async () => {
    const project = await c.makeProject();
    await c.npm(['install', 'plain-pkg', '--prefer-online'], { cwd: project });
    const pushed = events.filter((e) => e.type === 'artifact.pushed').map((e) => e.data as { action?: string; kind: string });
    expect(pushed).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'npm publish @lab/hello@1.0.0', kind: 'version' }), expect.objectContaining({ action: 'npm publish plain-pkg@1.0.0' })]));
    const pulled = events.filter((e) => e.type === 'artifact.pulled').map((e) => (e.data as { action?: string }).action);
    expect(pulled).toContain('npm install plain-pkg@1.0.0');
    expect(events.some((e) => e.type === 'push.failed' && (e.data as { format: string }).format === 'NPM')).toBe(true);
  });
});
