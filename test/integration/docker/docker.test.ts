// Docker Engine (dockerd 20.10 + docker CLI) against the emulator: import, build, push, pull, manifest lists.
// Runs a private dockerd (test/support/clients/docker-daemon.ts); 127.0.0.1 needs no --insecure-registry.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DockerDaemon, startDockerDaemon } from '../../support/clients/docker-daemon.js';
import { dockerClient, type ImageClient } from '../../support/clients/image-clients.js';
import { digestFromManifestPush, imageName, imageRef, writeRootfsTar } from '../../support/clients/images.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { expectImportPushPullRoundTrip } from '../../support/clients/round-trip.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const REPOSITORY = 'docker-engine';
const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

describeWithClients(['dockerd', 'docker'], 'docker engine pushing to and pulling from the emulator', () => {
  let emulator: TestEmulator | undefined;
  let daemon: DockerDaemon | undefined;
  let work = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-docker-test-'));
    emulator = await startEmulator();
    await emulator.createRepository(REPOSITORY);
    daemon = await startDockerDaemon();
  });

  afterAll(async () => {
    await daemon?.stop();
    await emulator?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const docker = async (...args: string[]): Promise<string> => (await run('docker', args, { env: daemon?.env })).stdout;
  const dockerJson = async <T>(...args: string[]): Promise<T> =>
    JSON.parse((await run('docker', args, { env: daemon?.env })).stdout) as T;
  const host = (): string => {
    if (!emulator) throw new Error('emulator not started');
    return emulator.registryHost;
  };
  const client = (): ImageClient => dockerClient(daemon?.env ?? {}, work);

  it('pushes an imported image and pulls it back with the same digest and file content', async () => {
    await expectImportPushPullRoundTrip(client(), {
      registryHost: host(),
      repository: REPOSITORY,
      image: 'imported',
      tag: 'v1',
      work,
    });
  });

  it('pushes an image built FROM scratch with COPY and pulls it back with the same digest, file and label', async () => {
    const ref = imageRef(host(), REPOSITORY, 'built', 'v1');
    const context = join(work, 'build-context');
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'payload.txt'), 'built from scratch\n');
    await writeFile(
      join(context, 'Dockerfile'),
      ['FROM scratch', 'COPY payload.txt /payload.txt', 'LABEL org.example.test="docker-build"', ''].join('\n'),
    );
    await docker('build', '-t', ref, context);

    const pushed = await client().push(ref);
    await client().remove(ref);
    expect(await client().hasImage(ref)).toBe(false);
    const pulled = await client().pull(ref);

    expect(pulled).toContain(`Digest: ${pushed}`);
    expect(pulled).toContain(`Downloaded newer image for ${ref}`);
    expect(await client().repoDigests(ref)).toContain(`${imageName(host(), REPOSITORY, 'built')}@${pushed}`);
    expect(await client().readFileFromImage(ref, '/payload.txt')).toBe('built from scratch\n');
    const labels = await dockerJson<Record<string, string>>('image', 'inspect', '--format', '{{json .Config.Labels}}', ref);
    expect(labels['org.example.test']).toBe('docker-build');
  });

  it('pushes a two-platform manifest list with docker manifest and serves it back with both platforms', async () => {
    const amd64Ref = imageRef(host(), REPOSITORY, 'multi', 'amd64');
    const arm64Ref = imageRef(host(), REPOSITORY, 'multi', 'arm64');
    const listRef = imageRef(host(), REPOSITORY, 'multi', 'v1');
    const childDigests: Record<string, string> = {};
    for (const [arch, ref] of [
      ['amd64', amd64Ref],
      ['arm64', arm64Ref],
    ] as const) {
      const tar = await writeRootfsTar(work, `multi-${arch}.tar`, { 'arch.txt': `${arch}\n` });
      await docker('import', tar, ref);
      childDigests[arch] = await client().push(ref);
    }

    await docker('manifest', 'create', '--insecure', listRef, amd64Ref, arm64Ref);
    await docker('manifest', 'annotate', listRef, arm64Ref, '--os', 'linux', '--arch', 'arm64');
    // --purge drops the local copy, so the inspect below has to read the list from the registry
    const listDigest = digestFromManifestPush(await docker('manifest', 'push', '--purge', '--insecure', listRef));

    const list = await dockerJson<{
      mediaType: string;
      manifests: { digest: string; platform: { architecture: string; os: string } }[];
    }>('manifest', 'inspect', '--insecure', listRef);
    expect(list.mediaType).toBe(DOCKER_MANIFEST_LIST);
    expect(list.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}=${m.digest}`).sort()).toEqual([
      `linux/amd64=${childDigests.amd64}`,
      `linux/arm64=${childDigests.arm64}`,
    ]);

    // the daemon resolves the list to its own platform (amd64) and records the list's digest
    await docker('rmi', amd64Ref, arm64Ref);
    const pulled = await client().pull(listRef);
    expect(pulled).toContain(`Digest: ${listDigest}`);
    expect(await client().readFileFromImage(listRef, '/arch.txt')).toBe('amd64\n');
  });

  it('fails a push to a repository that does not exist with name unknown: Repository "…" not found', async () => {
    const source = imageRef(host(), REPOSITORY, 'orphan', 'v1');
    const ref = imageRef(host(), 'no-such-repo', 'orphan', 'v1');
    const tar = await writeRootfsTar(work, 'orphan.tar', { 'orphan.txt': 'nobody wants me\n' });
    await docker('import', tar, source);
    await docker('tag', source, ref);

    await expect(docker('push', ref)).rejects.toThrow('name unknown: Repository "no-such-repo" not found');
  });
});
