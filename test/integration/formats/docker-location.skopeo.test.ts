// skopeo, unmodified, copies an image to a DOCKER repository that lives outside the default location, at the
// address its registryUri gives (localhost:PORT/PROJECT/REPO, no LOCATION Host), and reads it back; a repository of
// another format at that address is refused with a message naming both formats.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createContainersEnv, type ContainersEnv } from '../../support/clients/containers.js';
import { writeMultiArchOciLayout } from '../../support/clients/oci-layout.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

describeWithClients(['skopeo'], 'skopeo and a Docker repository outside the default location', () => {
  let emu: TestEmulator;
  let containers: ContainersEnv;
  let work = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-location-skopeo-'));
    emu = await startEmulator();
    await emu.createRepository('eu-images', { location: 'europe-west1' });
    await emu.createRepository('js', { format: 'NPM', location: 'europe-west1' });
    containers = await createContainersEnv();
    await writeMultiArchOciLayout(join(work, 'layout'), 'v1', [{ architecture: 'amd64', files: { 'hello.txt': 'hello\n' } }]);
  });
  afterAll(async () => {
    await containers?.cleanup();
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const skopeo = (...args: string[]) => run('skopeo', args, { env: containers.env });

  it('copies to and inspects the registryUri of a europe-west1 repository', async () => {
    const repo = (await (await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/europe-west1/repositories/eu-images`)).json()) as { registryUri: string };
    expect(repo.registryUri).toBe(`localhost:${emu.emulator.port}/${TEST_PROJECT}/eu-images`);
    const ref = `${emu.registryHost}/${TEST_PROJECT}/eu-images/hello:v1`;
    await skopeo('copy', '--all', '--dest-tls-verify=false', `oci:${join(work, 'layout')}:v1`, `docker://${ref}`);
    expect(JSON.parse((await skopeo('list-tags', '--tls-verify=false', `docker://${ref.replace(/:v1$/, '')}`)).stdout)).toMatchObject({ Tags: ['v1'] });
    const packages = (await (await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/europe-west1/repositories/eu-images/packages`)).json()) as { packages: Array<{ name: string }> };
    expect(packages.packages.map((p) => p.name.split('/').at(-1))).toEqual(['hello']);
  });

  it('is refused, naming both formats, when the repository is an NPM one', async () => {
    const copied = skopeo('copy', '--all', '--dest-tls-verify=false', `oci:${join(work, 'layout')}:v1`, `docker://${emu.registryHost}/${TEST_PROJECT}/js/hello:v1`);
    // skopeo prints the registry's message (quotes escaped in its log line)
    await expect(copied).rejects.toThrow(/name unknown: Repository \\?"js\\?" is a NPM repository, not a DOCKER repository/);
  });
});
