// buildah 1.28 against the emulator: scratch images per architecture, manifest list push --all, single push.
// What the emulator stored is checked with skopeo inspect --raw (private vfs storage, temp config).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ContainersEnv, createContainersEnv } from '../../support/clients/containers.js';
import { imageName, imageRef } from '../../support/clients/images.js';
import { OCI_INDEX, OCI_MANIFEST, sha256Digest } from '../../support/clients/oci-layout.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const REPOSITORY = 'buildah-images';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

interface OciIndex {
  mediaType: string;
  manifests: { mediaType: string; digest: string; platform: { architecture: string; os: string } }[];
}

describeWithClients(['buildah', 'skopeo'], 'buildah pushing images and manifest lists to the emulator', () => {
  let emulator: TestEmulator | undefined;
  let containers: ContainersEnv | undefined;
  let work = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-buildah-test-'));
    emulator = await startEmulator();
    await emulator.createRepository(REPOSITORY);
    containers = await createContainersEnv();
  });

  afterAll(async () => {
    await containers?.cleanup();
    await emulator?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const buildah = async (...args: string[]): Promise<string> =>
    (await run('buildah', args, { env: containers?.env })).stdout;
  const skopeo = async (...args: string[]): Promise<string> =>
    (await run('skopeo', args, { env: containers?.env })).stdout;
  const host = (): string => {
    if (!emulator) throw new Error('emulator not started');
    return emulator.registryHost;
  };

  /** from scratch → copy one file → config --arch → commit to local storage; returns the local name. */
  const buildScratchImage = async (name: string, arch: string): Promise<string> => {
    const payload = join(work, `${name}-${arch}.txt`);
    await writeFile(payload, `built by buildah for ${arch}\n`);
    const container = (await buildah('from', 'scratch')).trim();
    try {
      await buildah('copy', container, payload, '/payload.txt');
      await buildah('config', '--arch', arch, '--os', 'linux', '--label', `org.example.arch=${arch}`, container);
      const local = `localhost/${name}:${arch}`;
      await buildah('commit', '--quiet', container, local);
      return local;
    } finally {
      await buildah('rm', container);
    }
  };

  it('pushes a two-platform manifest list with manifest push --all and stores an OCI index of both', async () => {
    const list = 'localhost/are-multi:list';
    await buildah('manifest', 'create', list);
    for (const arch of ['amd64', 'arm64']) {
      const local = await buildScratchImage('are-multi', arch);
      await buildah('manifest', 'add', '--arch', arch, '--os', 'linux', list, `containers-storage:${local}`);
    }
    const ref = imageRef(host(), REPOSITORY, 'multi', 'v1');
    const digestFile = join(work, 'multi.digest');
    await buildah('manifest', 'push', '--all', '--tls-verify=false', '--digestfile', digestFile, list, `docker://${ref}`);
    const pushed = (await readFile(digestFile, 'utf8')).trim();

    const raw = await skopeo('inspect', '--tls-verify=false', '--raw', `docker://${ref}`);
    expect(sha256Digest(raw)).toBe(pushed);
    const index = JSON.parse(raw) as OciIndex;
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.manifests).toHaveLength(2);
    expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);

    // every child was pushed too, and its config names its architecture
    for (const child of index.manifests) {
      expect(child.mediaType).toBe(OCI_MANIFEST);
      const byDigest = `docker://${imageName(host(), REPOSITORY, 'multi')}@${child.digest}`;
      expect(sha256Digest(await skopeo('inspect', '--tls-verify=false', '--raw', byDigest))).toBe(child.digest);
      const config = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--config', byDigest)) as {
        architecture: string;
        config: { Labels: Record<string, string> };
      };
      expect(config.architecture).toBe(child.platform.architecture);
      expect(config.config.Labels['org.example.arch']).toBe(child.platform.architecture);
    }
  });

  it('pushes a single image in Docker v2s2 format with buildah push --format docker', async () => {
    const local = await buildScratchImage('are-single', 'amd64');
    const ref = imageRef(host(), REPOSITORY, 'single', 'v1');
    const digestFile = join(work, 'single.digest');
    await buildah('push', '--tls-verify=false', '--format', 'docker', '--digestfile', digestFile, local, `docker://${ref}`);
    const pushed = (await readFile(digestFile, 'utf8')).trim();

    const raw = await skopeo('inspect', '--tls-verify=false', '--raw', `docker://${ref}`);
    expect(sha256Digest(raw)).toBe(pushed);
    expect((JSON.parse(raw) as { mediaType: string }).mediaType).toBe(DOCKER_MANIFEST);
    const tags = JSON.parse(
      await skopeo('list-tags', '--tls-verify=false', `docker://${imageName(host(), REPOSITORY, 'single')}`),
    ) as { Tags: string[] };
    expect(tags.Tags).toEqual(['v1']);
  });
});
