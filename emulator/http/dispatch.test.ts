// Dispatch of `/projects/PROJECT/…` paths: Apt's `dists/REPO/…` and `pool/REPO/…` and Yum's `REPO/…` go to the module
// of the repository they name when it serves such paths; anything else keeps going where it went before.
import { describe, expect, it } from 'vitest';
import type { AppContext } from './context.js';
import { createDispatch, type LocatedRepository } from './dispatch.js';
import type { FormatModule } from './format-module.js';
import { Routes } from './routes.js';

const mod = (id: string, extra: Partial<FormatModule> = {}): FormatModule => ({ id, routes: new Routes([]), renderError: () => {}, ...extra });
const apt = mod('apt', { repositoryFormat: 'APT', projectPaths: true });
const yum = mod('yum', { repositoryFormat: 'YUM', projectPaths: true });
const npm = mod('npm', { repositoryFormat: 'NPM', repositoryPaths: true });
const fallback = mod('emulator');
const repos: Record<string, LocatedRepository> = {
  'p/debs': { location: 'us-central1', format: 'APT' },
  'p/rpms': { location: 'europe-west1', format: 'YUM' },
  'p/pool': { location: 'us-central1', format: 'YUM' },
  'p/js': { location: 'us-central1', format: 'NPM' },
};
const { select } = createDispatch({
  modules: [apt, yum, npm],
  fallback,
  locateRepository: (project, repository) => repos[`${project}/${repository}`],
});

async function chosen(path: string): Promise<{ format: string; hostLocation?: string }> {
  const ctx = { path, state: {} as Record<string, unknown>, get: () => '' } as unknown as AppContext;
  await select(ctx, async () => {});
  return { format: ctx.state.format, hostLocation: ctx.state.hostLocation };
}

describe('dispatch of /projects/PROJECT/… paths', () => {
  it.each([
    ['/projects/p/dists/debs/InRelease', 'apt', 'us-central1'],
    ['/projects/p/dists/debs/main/binary-amd64/Packages.gz', 'apt', 'us-central1'],
    ['/projects/p/pool/debs/h/hello/hello_1.0_all.deb', 'apt', 'us-central1'],
    ['/projects/p/rpms/repodata/repomd.xml', 'yum', 'europe-west1'],
    ['/projects/p/rpms/hello-1.0-1.noarch.rpm', 'yum', 'europe-west1'],
    // a Yum repository named `pool`: `pool/x` names no Apt repository, so the Yum reading wins
    ['/projects/p/pool/repodata/repomd.xml', 'yum', 'us-central1'],
  ])('%s → %s', async (path, format, location) => {
    expect(await chosen(path)).toEqual({ format, hostLocation: location });
  });

  it.each([
    ['/projects/p/js/x'], // an npm repository is not served under /projects/
    ['/projects/p/missing/repodata/repomd.xml'],
    ['/projects/p/dists/missing/InRelease'],
    ['/projects/p'],
    ['/projects/'],
  ])('%s → the fallback', async (path) => {
    expect((await chosen(path)).format).toBe('emulator');
  });
});
