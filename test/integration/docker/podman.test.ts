// podman 4.3 against the emulator: import, push over plain http (--tls-verify=false), pull back.
// Uses private vfs storage (test/support/clients/containers.ts); `podman run` is not used (rlimit EPERM here).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ContainersEnv, createContainersEnv } from '../../support/clients/containers.js';
import { podmanClient } from '../../support/clients/image-clients.js';
import { imageRef, writeRootfsTar } from '../../support/clients/images.js';
import { fetchManifest } from '../../support/clients/registry-http.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { expectImportPushPullRoundTrip } from '../../support/clients/round-trip.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPOSITORY = 'podman-images';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

describeWithClients(['podman'], 'podman pushing to and pulling from the emulator', () => {
  let emulator: TestEmulator | undefined;
  let containers: ContainersEnv | undefined;
  let work = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-podman-test-'));
    emulator = await startEmulator();
    await emulator.createRepository(REPOSITORY);
    // registries.conf stays secure on purpose: every command below must say --tls-verify=false itself
    containers = await createContainersEnv();
  });

  afterAll(async () => {
    await containers?.cleanup();
    await emulator?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const podman = async (...args: string[]): Promise<string> => (await run('podman', args, { env: containers?.env })).stdout;
  const host = (): string => {
    if (!emulator) throw new Error('emulator not started');
    return emulator.registryHost;
  };

  /** Imports a one-file image, pushes it with the given extra push flags and returns the pushed digest. */
  const importAndPush = async (ref: string, file: string, pushFlags: string[] = []): Promise<string> => {
    const tar = await writeRootfsTar(work, `${file}.tar`, { [file]: `${file}\n` });
    await podman('import', tar, ref);
    return podmanClient(containers?.env ?? {}, work, pushFlags).push(ref);
  };

  it('pushes an imported image with --tls-verify=false and pulls it back with the same digest and content', async () => {
    const pushed = await expectImportPushPullRoundTrip(podmanClient(containers?.env ?? {}, work), {
      registryHost: host(),
      repository: REPOSITORY,
      image: 'imported',
      tag: 'v1',
      work,
    });
    const ref = imageRef(host(), REPOSITORY, 'imported', 'v1');
    expect((await podman('image', 'inspect', '--format', '{{.Digest}}', ref)).trim()).toBe(pushed);
  });

  it('stores an OCI manifest by default and a Docker v2s2 manifest with --format docker', async () => {
    const ociRef = imageRef(host(), REPOSITORY, 'formats', 'oci');
    const dockerRef = imageRef(host(), REPOSITORY, 'formats', 'docker');
    const ociDigest = await importAndPush(ociRef, 'oci.txt');
    const dockerDigest = await importAndPush(dockerRef, 'docker.txt', ['--format', 'docker']);

    const name = `${TEST_PROJECT}/${REPOSITORY}/formats`;
    const oci = await fetchManifest(host(), name, 'oci');
    const docker = await fetchManifest(host(), name, 'docker');

    expect(oci.status).toBe(200);
    expect(oci.contentType).toBe(OCI_MANIFEST);
    expect(oci.bodyDigest).toBe(ociDigest);
    expect(oci.headerDigest).toBe(ociDigest);
    expect(docker.status).toBe(200);
    expect(docker.contentType).toBe(DOCKER_MANIFEST);
    expect(docker.bodyDigest).toBe(dockerDigest);
    expect(docker.headerDigest).toBe(dockerDigest);
  });

  it('fails to pull a tag that was never pushed with manifest unknown', async () => {
    const ref = imageRef(host(), REPOSITORY, 'imported', 'never-pushed');
    await expect(podman('pull', '--tls-verify=false', ref)).rejects.toThrow(/manifest unknown/i);
  });
});
