// The real npm through an npm virtual repository over a standard repository (an internal package) and a remote
// one (a fake public upstream that has a package of the same name): the member with the larger priority answers
// for the WHOLE package, so the internal package shadows every version of the public one (`npm view`, `npm
// install`), public-only packages come from the remote member, tarball URLs name the virtual repository, writes
// are refused, and a remote member ranked above the standard one is reported (virtual.shadowing, when: 'read').
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient, type NpmClient } from '../npm/npm-client.js';
import { FakeNpmUpstream } from './fake-npm-upstream.js';

const repoName = (id: string) => `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${id}`;

describeWithClients(['npm'], 'npm through a virtual repository over a standard and a remote repository', () => {
  let emu: TestEmulator;
  let up: FakeNpmUpstream;
  let internal: NpmClient;
  const clients: NpmClient[] = [];
  const events: EmulatorEvent[] = [];

  const create = async (id: string, body: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${id}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'NPM', ...body }),
    });
    expect(res.status, await res.text()).toBe(200);
  };
  const virtual = async (id: string, internalPriority: number, publicPriority: number) =>
    create(id, {
      mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: {
        upstreamPolicies: [
          { id: 'public', repository: repoName('public'), priority: publicPriority },
          { id: 'internal', repository: repoName('internal'), priority: internalPriority },
        ],
      },
    });
  const clientOf = async (repo: string) => {
    const c = await npmClient(`${emu.url}/${TEST_PROJECT}/${repo}/`);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    up = await new FakeNpmUpstream().start();
    up.add('shadowed-lib', '1.0.0');
    up.add('shadowed-lib', '2.0.0');
    up.add('public-only', '1.2.3');
    emu = await startEmulator();
    emu.emulator.events.onAny((e) => void events.push(e));
    await create('internal', {});
    await create('public', { mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { npmRepository: { customRepository: { uri: up.url } } } });
    await virtual('all', 100, 10);
    await virtual('inverted', 10, 100);
    internal = await clientOf('internal');
    await internal.npm(['publish'], { cwd: await internal.makePackage('shadowed-lib', '0.1.0', { description: 'the internal one' }) });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await emu?.stop();
    await up?.stop();
  });

  it('shows only the internal package\'s versions with npm view, tarball URLs at the virtual repository', async () => {
    const c = await clientOf('all');
    const { stdout } = await c.npm(['view', 'shadowed-lib', '--json']);
    const view = JSON.parse(stdout) as { versions: string[]; description: string; dist: { tarball: string } };
    expect(view.versions).toEqual(['0.1.0']);
    expect(view.description).toBe('the internal one');
    expect(view.dist.tarball).toBe(`${emu.url}/${TEST_PROJECT}/all/shadowed-lib/-/shadowed-lib-0.1.0.tgz`);
    expect((await c.npm(['view', 'shadowed-lib', 'versions'])).stdout.trim()).toBe('0.1.0');
  });

  it('installs the internal package and a public-only one through the virtual repository; a public version of the shadowed name is not there', async () => {
    const c = await clientOf('all');
    const project = await c.makeProject();
    const { stdout } = await c.npm(['install', 'shadowed-lib', 'public-only'], { cwd: project });
    expect(stdout).toMatch(/added 2 packages/);
    expect(await readFile(join(project, 'node_modules/shadowed-lib/index.js'), 'utf8')).toContain('shadowed-lib@0.1.0');
    expect(await readFile(join(project, 'node_modules/public-only/index.js'), 'utf8')).toContain('public-only@1.2.3');
    const out = await c.npmFails(['install', 'shadowed-lib@2.0.0'], { cwd: await c.makeProject() });
    expect(out).toMatch(/ETARGET|No matching version/);
    expect(up.count('/tarballs/shadowed-lib/')).toBe(0);
  });

  it('refuses npm publish into the virtual repository with npm\'s 405', async () => {
    const c = await clientOf('all');
    const out = await c.npmFails(['publish'], { cwd: await c.makePackage('new-pkg', '1.0.0') });
    expect(out).toMatch(/405/);
    expect(out).toMatch(/virtual repository: it is read-only/);
  });

  it('with the remote member ranked first, serves the public package and reports the shadowing', async () => {
    const c = await clientOf('inverted');
    const { stdout } = await c.npm(['view', 'shadowed-lib', 'versions', '--json']);
    expect(JSON.parse(stdout)).toEqual(['1.0.0', '2.0.0']);
    const shadowing = events.filter((e) => e.type === 'virtual.shadowing' && (e.data as { when: string }).when === 'read');
    expect(shadowing.at(-1)?.data).toMatchObject({ repository: repoName('inverted'), format: 'NPM', remote: repoName('public'), standard: repoName('internal'), packages: ['shadowed-lib'] });
  });

  it('lists nothing of its own in the control plane', async () => {
    const res = await fetch(`${emu.url}/v1/${repoName('all')}/packages`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { packages?: unknown[] }).packages ?? []).toEqual([]);
  });
});
