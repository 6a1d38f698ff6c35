// The real npm through a remote NPMJS repository, whose upstream is the machine's own configured registry (the
// preset reads npm's configuration; nothing here names a host): `npm install` of a pinned 20-package tree with a
// fresh npm cache, cold then warm (the warm run makes no upstream request: no cache.miss), then with the upstream
// made `down` by fault injection past the TTL (a fresh npm cache, the emulator's cache warm): the install still
// succeeds from the cache, with stale answers. The registry unreachable: fails under CI=true, skipped otherwise.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { npmjsRegistry } from '../../../emulator/remote/npm-registry.js';
import { describeWithClients, isCi } from '../../support/clients/require-client.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient, type NpmClient } from '../npm/npm-client.js';

const REPO = 'npmjs';
const FULL = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPO}`;
/** a pinned tree of exactly 20 packages (yargs 17 and its dependencies, chalk 4 and its, ms) */
const DEPENDENCIES = { yargs: '17.7.2', chalk: '4.1.2', ms: '2.1.3' };
const TREE_SIZE = 20;

/** Whether the machine's configured registry answers; the reason when it does not. */
async function reachable(): Promise<{ registry?: string; why?: string }> {
  let registry: string;
  try {
    registry = await npmjsRegistry()();
  } catch (err) {
    return { why: (err as Error).message };
  }
  try {
    const res = await fetch(`${registry}/ms`, { headers: { accept: 'application/vnd.npm.install-v1+json' }, signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return res.ok ? { registry } : { why: `the machine's registry answered ${res.status} for /ms` };
  } catch (err) {
    return { why: `the machine's configured npm registry is unreachable (${(err as Error).message})` };
  }
}

describeWithClients(['npm'], 'npm install through a remote NPMJS repository (the machine\'s configured registry)', () => {
  let emu: TestEmulator;
  const clients: NpmClient[] = [];
  const events: EmulatorEvent[] = [];
  let skipWhy: string | undefined;

  /** A fresh npm (its own empty cache) and a fresh project depending on the pinned tree. */
  const freshInstall = async () => {
    const c = await npmClient(`${emu.url}/${TEST_PROJECT}/${REPO}/`, { token: null });
    clients.push(c);
    const project = await c.makeProject();
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'remote-tree', version: '1.0.0', private: true, dependencies: DEPENDENCIES }));
    const from = events.length;
    const { stdout } = await c.npm(['install'], { cwd: project });
    expect(stdout).toMatch(new RegExp(`added ${TREE_SIZE} packages`));
    expect((await readdir(join(project, 'node_modules'))).filter((d) => !d.startsWith('.')).length).toBe(TREE_SIZE);
    return { c, project, during: events.slice(from) };
  };
  /** The registry unreachable: the test fails under CI=true, else it is skipped with the reason. */
  const guard = (skip: (note: string) => never) => {
    if (skipWhy === undefined) return;
    if (isCi()) throw new Error(`CI=true and ${skipWhy}`);
    console.warn(`[skipped] ${skipWhy}`);
    skip(skipWhy);
  };

  beforeAll(async () => {
    const r = await reachable();
    skipWhy = r.why;
    emu = await startEmulator();
    emu.emulator.events.onAny((e) => void events.push(e));
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'NPM', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { npmRepository: { publicRepository: 'NPMJS' } } }),
    });
    expect(res.status, await res.text()).toBe(200);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await emu?.stop();
  });

  it('installs the tree cold (fetched from the upstream), then warm with a fresh npm cache and no upstream request', async (ctx) => {
    guard(ctx.skip);
    const cold = await freshInstall();
    const misses = cold.during.filter((e) => e.type === 'cache.miss');
    expect(misses.filter((e) => (e.data as { kind: string }).kind === 'file').length).toBe(TREE_SIZE);
    const warm = await freshInstall();
    expect(warm.during.filter((e) => e.type === 'cache.miss' || e.type === 'upstream.failed')).toEqual([]);
    expect(warm.during.filter((e) => e.type === 'cache.hit').length).toBeGreaterThanOrEqual(2 * TREE_SIZE);
    // the cached tarballs are versions of the repository, as the control plane shows them
    const versions = (await (await fetch(`${emu.url}/v1/${FULL}/packages/yargs/versions`)).json()) as { versions: Array<{ name: string }> };
    expect(versions.versions.map((v) => v.name)).toEqual([`${FULL}/packages/yargs/versions/17.7.2`]);
    const { stdout } = await warm.c.npm(['view', 'yargs@17.7.2', 'dist.tarball']);
    expect(stdout.trim()).toBe(`${emu.url}/${TEST_PROJECT}/${REPO}/yargs/-/yargs-17.7.2.tgz`);
  }, 240_000);

  it('installs with the upstream down (fault injection), past the TTL, with a fresh npm cache: the cache answers, stale', async (ctx) => {
    guard(ctx.skip);
    emu.emulator.clock.advance(301_000); // every cached packument is due for revalidation
    const fault = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: FULL, mode: 'down' }) });
    expect(fault.status, await fault.text()).toBeLessThan(300);
    try {
      const down = await freshInstall();
      const failed = down.during.filter((e) => e.type === 'upstream.failed');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((e) => (e.data as { served: boolean }).served)).toBe(true);
      expect(down.during.filter((e) => e.type === 'cache.miss')).toEqual([]);
    } finally {
      await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
    }
  }, 240_000);
});
