// Python remote and virtual repositories with the real pip and twine, over a real PEP 503 index that is not this
// emulator (a static directory served by python3 -m http.server, static-index.ts): a remote miss then a hit with
// no upstream request; the page's sha256 / requires-python / core-metadata kept, file URLs rewritten to the
// emulator; cached files in the control plane with fetchTime; twine refused; a moved page after the TTL (emulator
// time); the upstream stopped: pip still installs from the cache (stale page with a Warning), a miss is a 503
// naming the reason; a virtual repository over a standard and the remote: a package from each, the standard one
// shadowing a same-named public one at higher priority, and the dependency-confusion event the other way round.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { buildDemoDist, makeVenv, pip, PYTHON, PYTHON_CLIENTS, twineUpload, type DemoDist } from '../../support/clients/python.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { CommandError, run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { StaticIndex } from './static-index.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}`;

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CommandError) return `${err.stdout}${err.stderr}`.replace(/\s+/g, ' ');
    throw err;
  }
  throw new Error('expected the command to fail');
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describeWithClients(PYTHON_CLIENTS, 'pip through Python remote and virtual repositories', () => {
  let emu: TestEmulator;
  let up: StaticIndex;
  let work = '';
  let remote1: DemoDist;
  let remote2: DemoDist;
  let publicShadowed: DemoDist;
  let internalShadowed: DemoDist;
  let internalOnly: DemoDist;
  let venvs = 0;
  const events: EmulatorEvent[] = [];
  const repo = (id: string) => `${emu.url}/${TEST_PROJECT}/${id}`;
  const install = async (id: string, specs: string[]) => {
    const venv = await makeVenv(join(work, `venv${++venvs}`));
    const out = await pip(venv.pip, ['install', '--index-url', `${repo(id)}/simple/`, ...specs]);
    return { venv, out };
  };
  const valueOf = async (python: string, module: string) => (await run(python, ['-c', `import ${module}; print(${module}.VALUE)`], { cwd: work })).stdout.trim();
  const create = async (id: string, body: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, await res.text()).toBe(200);
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-pyremote-'));
    remote1 = await buildDemoDist(join(work, 'r1'), { name: 'remote-pkg', module: 'remote_pkg', version: '1.0' });
    remote2 = await buildDemoDist(join(work, 'r2'), { name: 'remote-pkg', module: 'remote_pkg', version: '2.0' });
    publicShadowed = await buildDemoDist(join(work, 'ps'), { name: 'shadowed-pkg', module: 'shadowed_pkg', version: '9.0' });
    internalShadowed = await buildDemoDist(join(work, 'is'), { name: 'shadowed-pkg', module: 'shadowed_pkg', version: '1.0' });
    internalOnly = await buildDemoDist(join(work, 'io'), { name: 'internal-pkg', module: 'internal_pkg', version: '3.0' });
    up = new StaticIndex(join(work, 'index'), PYTHON);
    await up.add('remote-pkg', [remote1.wheel, remote1.sdist], { requiresPython: '>=3.7' });
    await up.add('shadowed-pkg', [publicShadowed.wheel]);
    await up.start();
    emu = await startEmulator({ dataDir: join(work, 'data') }); // removed with the work dir (with retries)
    emu.emulator.events.onAny((e) => void events.push(e));
    await create('pypi-cache', { format: 'PYTHON', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { pythonRepository: { customRepository: { uri: `${up.url}/simple/` } } } });
    await emu.createRepository('internal', { format: 'PYTHON' });
    await twineUpload(`${repo('internal')}/`, [internalShadowed.wheel, internalOnly.wheel]);
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    await up?.stop();
    if (work) await rm(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  it('pip installs from the remote (cache miss), keeping the page\'s hashes and attributes and linking the emulator', async () => {
    const res = await fetch(`${repo('pypi-cache')}/simple/remote-pkg/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const wheel = await readFile(remote1.wheel);
    expect(html).toContain(`<a href="../../packages/remote-pkg/${basename(remote1.wheel)}#sha256=${sha256(wheel)}" data-requires-python="&gt;=3.7" data-dist-info-metadata="sha256=`);
    expect(html).not.toContain(up.url);
    const { venv, out } = await install('pypi-cache', ['remote-pkg']);
    expect(out.stdout).toContain('Successfully installed remote-pkg-1.0');
    expect(await valueOf(venv.python, 'remote_pkg')).toBe('1.0');
    await settle();
    expect(up.count(`/files/remote-pkg/${basename(remote1.wheel)} `)).toBe(1);
    const misses = events.filter((e) => e.type === 'cache.miss').map((e) => e.data as { format: string; kind: string; sizeBytes: number; latencyMs: number });
    expect(misses).toContainEqual(expect.objectContaining({ format: 'PYTHON', kind: 'file', sizeBytes: wheel.length, latencyMs: expect.any(Number) }));
  });

  it('a second install is a cache hit: no upstream request at all', async () => {
    const before = up.requests.length;
    const { out } = await install('pypi-cache', ['remote-pkg']);
    expect(out.stdout).toContain('Successfully installed remote-pkg-1.0');
    await settle();
    expect(up.requests.slice(before)).toEqual([]);
    expect(events.filter((e) => e.type === 'cache.hit' && (e.data as { kind: string }).kind === 'file').length).toBeGreaterThanOrEqual(1);
  });

  it('lists the cached file in the control plane with fetchTime, and the /simple/ index lists cached projects only', async () => {
    const files = (await (await fetch(`${emu.url}/v1/${PARENT}/repositories/pypi-cache/files`)).json()) as { files?: Array<{ name: string; fetchTime?: string }> };
    expect(files.files?.some((f) => f.name.includes(basename(remote1.wheel))), JSON.stringify(files)).toBe(true);
    for (const f of files.files ?? []) expect(f.fetchTime, f.name).toMatch(/^\d{4}-/);
    const index = await (await fetch(`${repo('pypi-cache')}/simple/`)).text();
    expect(index).toContain('<a href="remote-pkg/">');
    expect(index).not.toContain('shadowed-pkg');
  });

  it('refuses a twine upload into the remote repository with 405 and the reason', async () => {
    const text = await failure(twineUpload(`${repo('pypi-cache')}/`, [internalOnly.sdist]));
    expect(text).toContain('405 Method Not Allowed');
    expect(text).toContain('is a remote repository: it is read-only (uploads are not allowed)');
  });

  it('shows a moved page only after the TTL (emulator time)', async () => {
    await up.add('remote-pkg', [remote2.wheel]);
    const fresh = await (await fetch(`${repo('pypi-cache')}/simple/remote-pkg/`)).text();
    expect(fresh).not.toContain(basename(remote2.wheel));
    emu.emulator.clock.advance(301_000);
    const moved = await (await fetch(`${repo('pypi-cache')}/simple/remote-pkg/`)).text();
    expect(moved).toContain(basename(remote2.wheel));
    // the core metadata (PEP 658) of a wheel not cached yet comes from the upstream, verified by the page's hash
    const announced = new RegExp(`${basename(remote2.wheel).replace(/\./g, '\\.')}#sha256=[0-9a-f]{64}"(?: data-requires-python="[^"]*")? data-dist-info-metadata="sha256=([0-9a-f]{64})"`).exec(moved)?.[1];
    const meta = Buffer.from(await (await fetch(`${repo('pypi-cache')}/packages/remote-pkg/${basename(remote2.wheel)}.metadata`)).arrayBuffer());
    expect(sha256(meta)).toBe(announced);
    expect(meta.toString()).toContain('Version: 2.0');
    const { venv, out } = await install('pypi-cache', ['remote-pkg']);
    expect(out.stdout).toContain('Successfully installed remote-pkg-2.0');
    expect(await valueOf(venv.python, 'remote_pkg')).toBe('2.0');
  });

  it('pip installs through a virtual repository: a package from each member, the standard one shadowing the public one', async () => {
    await create('all', {
      format: 'PYTHON', mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'public', repository: `${PARENT}/repositories/pypi-cache`, priority: 1 }, { id: 'internal', repository: `${PARENT}/repositories/internal`, priority: 100 }] },
    });
    const page = await (await fetch(`${repo('all')}/simple/shadowed-pkg/`)).text();
    expect(page).toContain(basename(internalShadowed.wheel));
    expect(page).not.toContain(basename(publicShadowed.wheel));
    const { venv, out } = await install('all', ['remote-pkg==1.0', 'internal-pkg', 'shadowed-pkg']);
    expect(out.stdout).toMatch(/Successfully installed .*internal-pkg-3\.0/);
    expect(out.stdout).toContain('remote-pkg-1.0');
    expect(out.stdout).toContain('shadowed-pkg-1.0');
    expect(await valueOf(venv.python, 'shadowed_pkg')).toBe('1.0');
    expect(await valueOf(venv.python, 'internal_pkg')).toBe('3.0');
    const text = await failure(twineUpload(`${repo('all')}/`, [internalOnly.sdist]));
    expect(text).toContain('405 Method Not Allowed');
  });

  it('warns (virtual.shadowing, when read) when the remote outranks a standard member holding the project', async () => {
    await create('risky', {
      format: 'PYTHON', mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'public', repository: `${PARENT}/repositories/pypi-cache`, priority: 100 }, { id: 'internal', repository: `${PARENT}/repositories/internal`, priority: 1 }] },
    });
    const page = await (await fetch(`${repo('risky')}/simple/shadowed-pkg/`)).text();
    expect(page).toContain(basename(publicShadowed.wheel));
    await settle();
    const warned = events.filter((e) => e.type === 'virtual.shadowing').map((e) => e.data as { when: string; format: string; packages: string[]; repository: string });
    expect(warned).toContainEqual(expect.objectContaining({ when: 'read', format: 'PYTHON', packages: ['shadowed-pkg'], repository: `${PARENT}/repositories/risky` }));
  });

  it('with the upstream stopped, pip still installs from the cache (stale page with a Warning); a miss is a 503 naming the reason', async () => {
    await up.stop();
    emu.emulator.clock.advance(301_000); // the page is due for revalidation, and the upstream is gone
    const res = await fetch(`${repo('pypi-cache')}/simple/remote-pkg/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('warning')).toBe('110 - "Response is Stale"');
    const { venv, out } = await install('pypi-cache', ['remote-pkg==2.0']);
    expect(out.stdout).toContain('Successfully installed remote-pkg-2.0');
    expect(await valueOf(venv.python, 'remote_pkg')).toBe('2.0');
    const miss = await fetch(`${repo('pypi-cache')}/simple/never-cached/`);
    expect(miss.status).toBe(503);
    expect(miss.headers.get('content-type')).toContain('text/plain');
    expect(await miss.text()).toMatch(/cannot fetch the page of project 'never-cached' from its upstream and has no cached copy: .*(refused|ECONNREFUSED|unreachable)/i);
    const text = await failure(install('pypi-cache', ['--retries', '0', 'never-cached']));
    expect(text).toMatch(/503|No matching distribution found for never-cached/);
    await settle();
    const failed = events.filter((e) => e.type === 'upstream.failed').map((e) => e.data as { format: string; served: boolean });
    expect(failed).toContainEqual(expect.objectContaining({ format: 'PYTHON', served: true }));
    expect(failed).toContainEqual(expect.objectContaining({ format: 'PYTHON', served: false }));
  });
});
