// Immutable tags with the real Docker Engine (dockerd + docker CLI, images imported offline): a push of another
// image to an existing tag is refused with our text (`denied: Tag "v1.0" …`) and the tag keeps its digest; the
// same image re-pushed and a new tag on its digest are accepted (spec ar-fidelity §4.1).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { type DockerDaemon, startDockerDaemon } from '../../support/clients/docker-daemon.js';
import { dockerClient, type ImageClient } from '../../support/clients/image-clients.js';
import { imageName, imageRef, writeRootfsTar } from '../../support/clients/images.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPOSITORY = 'immutable-images';
const REPOSITORY_NAME = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPOSITORY}`;

describeWithClients(['dockerd', 'docker'], 'docker engine against a repository with immutable tags', () => {
  let emulator: TestEmulator | undefined;
  let daemon: DockerDaemon | undefined;
  let work = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-immutable-docker-'));
    emulator = await startEmulator();
    const res = await fetch(`${emulator.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${REPOSITORY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'DOCKER', dockerConfig: { immutableTags: true } }),
    });
    if (!res.ok) throw new Error(`create repository: ${res.status} ${await res.text()}`);
    daemon = await startDockerDaemon();
  });

  afterAll(async () => {
    await daemon?.stop();
    await emulator?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const docker = async (...args: string[]): Promise<string> => {
    const { stdout, stderr } = await run('docker', args, { env: daemon?.env });
    return `${stdout}${stderr}`;
  };
  const host = (): string => {
    if (!emulator) throw new Error('emulator not started');
    return emulator.registryHost;
  };
  const client = (): ImageClient => dockerClient(daemon?.env ?? {}, work);
  const violations = () => (emulator?.emulator.events.replay() ?? []).filter((e): e is EmulatorEvent<'policy.violated'> => e.type === 'policy.violated');

  it('refuses another image on v1.0 with denied: Tag "v1.0" …, keeps the first digest, and accepts a re-push and a new tag', async () => {
    const ref = imageRef(host(), REPOSITORY, 'app', 'v1.0');
    const first = await writeRootfsTar(work, 'first.tar', { 'which.txt': 'first\n' });
    await client().importTar(first, ref);
    const firstDigest = await client().push(ref);

    // another image under the same tag: docker reports our refusal, the tag keeps its digest
    const second = await writeRootfsTar(work, 'second.tar', { 'which.txt': 'second\n' });
    await client().importTar(second, ref);
    const refused = docker('push', ref);
    await expect(refused).rejects.toThrow(`denied: Tag "v1.0" of "app" cannot be moved to`);
    await expect(refused).rejects.toThrow(`the tag holds ${firstDigest}`);
    await vi.waitFor(() =>
      expect(violations().map((e) => e.data)).toEqual([
        { principal: 'user:owner@ar-emulator.local', permission: 'dockerConfig.immutableTags', resource: REPOSITORY_NAME, operation: 'immutableTags.tag.move' },
      ]),
    );

    await client().remove(ref);
    const pulled = await client().pull(ref);
    expect(pulled).toContain(`Digest: ${firstDigest}`);
    expect(await client().readFileFromImage(ref, '/which.txt')).toBe('first\n');

    // the same image re-pushed under the same tag: accepted, same digest
    expect(await client().push(ref)).toBe(firstDigest);

    // a new tag on the same digest: docker tag + push
    const released = imageRef(host(), REPOSITORY, 'app', 'release-1');
    await docker('tag', ref, released);
    expect(await client().push(released)).toBe(firstDigest);
    await docker('rmi', ref, released);
    expect(await client().pull(released)).toContain(`Digest: ${firstDigest}`);
    expect(await client().repoDigests(released)).toContain(`${imageName(host(), REPOSITORY, 'app')}@${firstDigest}`);
    expect(violations()).toHaveLength(1);
  });
});
