// Empty repositories of the formats beyond Docker, npm and Python (and KFP, which no module serves yet) and
// registryUri: their package, file, version and tag listings answer as for an empty repository, never 501;
// `registryUri` is set for every format, the real service's address with the host swapped for the emulator's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPOS = `/v1/projects/${TEST_PROJECT}/locations/us-central1/repositories`;
const UNSERVED = ['MAVEN', 'GO', 'APT', 'YUM', 'GENERIC', 'KFP'] as const;
let emu: TestEmulator;

beforeAll(async () => {
  emu = await startEmulator();
  for (const format of UNSERVED) await emu.createRepository(format.toLowerCase(), { format });
  await emu.createRepository('images', { format: 'DOCKER' });
  await emu.createRepository('js', { format: 'NPM' });
  await emu.createRepository('py', { format: 'PYTHON' });
});
afterAll(() => emu.stop());

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.each(UNSERVED)('a %s repository', (format) => {
  const repo = `${REPOS}/${format.toLowerCase()}`;

  it('lists no packages, files or Docker images (200 {}, not 501)', async () => {
    for (const list of ['packages', 'files', 'dockerImages', 'npmPackages', 'pythonPackages']) {
      expect(await get(`${repo}/${list}`)).toEqual({ status: 200, body: {} });
    }
  });

  it('answers NOT_FOUND for a package, its versions and tags, a file', async () => {
    for (const path of ['packages/pkg', 'packages/pkg/versions', 'packages/pkg/versions/1.0', 'packages/pkg/tags', 'packages/pkg/tags/latest', 'files/some-file']) {
      const res = await get(`${repo}/${path}`);
      expect([path, res.status, (res.body.error as { status: string }).status]).toEqual([path, 404, 'NOT_FOUND']);
    }
  });

  it('answers NOT_FOUND for deletes of what it does not hold', async () => {
    for (const path of ['packages/pkg', 'packages/pkg/versions/1.0', 'packages/pkg/tags/latest']) {
      expect((await fetch(`${emu.url}${repo}/${path}`, { method: 'DELETE' })).status).toBe(404);
    }
  });
});

describe('registryUri', () => {
  it('is HOST/PROJECT/REPO for Docker, npm, Python, Maven, Go, generic and KFP, and HOST/projects/PROJECT/REPO for Apt and Yum', async () => {
    const host = `localhost:${emu.emulator.port}`;
    const uris: Record<string, string> = {};
    for (const id of ['images', 'js', 'py', ...UNSERVED.map((f) => f.toLowerCase())]) uris[id] = String((await get(`${REPOS}/${id}`)).body.registryUri);
    expect(uris).toEqual({
      images: `${host}/${TEST_PROJECT}/images`,
      js: `${host}/${TEST_PROJECT}/js`,
      py: `${host}/${TEST_PROJECT}/py`,
      maven: `${host}/${TEST_PROJECT}/maven`,
      go: `${host}/${TEST_PROJECT}/go`,
      generic: `${host}/${TEST_PROJECT}/generic`,
      kfp: `${host}/${TEST_PROJECT}/kfp`,
      apt: `${host}/projects/${TEST_PROJECT}/apt`,
      yum: `${host}/projects/${TEST_PROJECT}/yum`,
    });
  });

  it('is in every repository of a list', async () => {
    const { body } = await get(REPOS);
    expect((body.repositories as Array<{ registryUri?: string }>).every((r) => typeof r.registryUri === 'string')).toBe(true);
  });
});
