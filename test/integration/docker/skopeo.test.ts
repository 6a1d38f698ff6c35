// skopeo 1.9 against the emulator: copy --all of a multi-arch OCI index, inspect, list-tags, delete.
// The source is an OCI layout written by test/support/clients/oci-layout.ts, so digests are known up front.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ContainersEnv, createContainersEnv } from '../../support/clients/containers.js';
import { imageName, imageRef } from '../../support/clients/images.js';
import { OCI_INDEX, sha256Digest, type WrittenOciIndex, writeMultiArchOciLayout } from '../../support/clients/oci-layout.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const REPOSITORY = 'skopeo-images';
const LAYOUT_TAG = 'multi';

interface OciIndex {
  mediaType: string;
  manifests: { digest: string; platform: { architecture: string; os: string } }[];
}

describeWithClients(['skopeo'], 'skopeo copying to, inspecting and deleting from the emulator', () => {
  let emulator: TestEmulator | undefined;
  let containers: ContainersEnv | undefined;
  let work = '';
  let layoutDir = '';
  let written: WrittenOciIndex | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-skopeo-test-'));
    emulator = await startEmulator();
    await emulator.createRepository(REPOSITORY);
    containers = await createContainersEnv();
    layoutDir = join(work, 'layout');
    written = await writeMultiArchOciLayout(layoutDir, LAYOUT_TAG, [
      { architecture: 'amd64', files: { 'arch.txt': 'amd64\n' } },
      { architecture: 'arm64', files: { 'arch.txt': 'arm64\n' } },
    ]);
  });

  afterAll(async () => {
    await containers?.cleanup();
    await emulator?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const skopeo = async (...args: string[]): Promise<string> =>
    (await run('skopeo', args, { env: containers?.env })).stdout;
  const host = (): string => {
    if (!emulator) throw new Error('emulator not started');
    return emulator.registryHost;
  };
  const layout = (): WrittenOciIndex => {
    if (!written) throw new Error('OCI layout not written');
    return written;
  };
  const source = (): string => `oci:${layoutDir}:${LAYOUT_TAG}`;
  const copyAll = (dest: string): Promise<string> =>
    skopeo('copy', '--all', '--dest-tls-verify=false', source(), `docker://${dest}`);

  it('copies a two-platform OCI index with --all and serves it back byte for byte', async () => {
    const ref = imageRef(host(), REPOSITORY, 'multi', 'v1');
    await copyAll(ref);

    const raw = await skopeo('inspect', '--tls-verify=false', '--raw', `docker://${ref}`);
    expect(sha256Digest(raw)).toBe(layout().indexDigest);
    const index = JSON.parse(raw) as OciIndex;
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}=${m.digest}`).sort()).toEqual(
      layout().manifests.map((m) => `${m.os}/${m.architecture}=${m.digest}`).sort(),
    );
  });

  it('inspects a tag to the index digest and each platform to its own manifest', async () => {
    const ref = imageRef(host(), REPOSITORY, 'inspected', 'v1');
    await copyAll(ref);

    const summary = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${ref}`)) as {
      Digest: string;
      Architecture: string;
    };
    expect(summary.Digest).toBe(layout().indexDigest);

    for (const child of layout().manifests) {
      const byDigest = `docker://${imageName(host(), REPOSITORY, 'inspected')}@${child.digest}`;
      const childRaw = await skopeo('inspect', '--tls-verify=false', '--raw', byDigest);
      expect(sha256Digest(childRaw)).toBe(child.digest);
      const config = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--config', byDigest)) as {
        architecture: string;
      };
      expect(config.architecture).toBe(child.architecture);
    }
    const arm = JSON.parse(
      await skopeo('inspect', '--tls-verify=false', '--override-arch', 'arm64', `docker://${ref}`),
    ) as { Architecture: string };
    expect(arm.Architecture).toBe('arm64');
  });

  it('lists every tag copied to an image with list-tags', async () => {
    for (const tag of ['v1', 'v2', 'latest']) await copyAll(imageRef(host(), REPOSITORY, 'tagged', tag));

    const listed = JSON.parse(
      await skopeo('list-tags', '--tls-verify=false', `docker://${imageName(host(), REPOSITORY, 'tagged')}`),
    ) as { Repository: string; Tags: string[] };

    expect(listed.Repository).toBe(imageName(host(), REPOSITORY, 'tagged'));
    expect([...listed.Tags].sort()).toEqual(['latest', 'v1', 'v2']);
  });

  it('deletes a manifest so that inspecting the tag afterwards fails with manifest unknown', async () => {
    const ref = imageRef(host(), REPOSITORY, 'deleted', 'v1');
    // without --all only the host platform's manifest is copied
    await skopeo('copy', '--dest-tls-verify=false', source(), `docker://${ref}`);
    await skopeo('inspect', '--tls-verify=false', '--raw', `docker://${ref}`);

    await skopeo('delete', '--tls-verify=false', `docker://${ref}`);

    await expect(skopeo('inspect', '--tls-verify=false', '--raw', `docker://${ref}`)).rejects.toThrow(
      /manifest unknown/i,
    );
  });
});
