// Scenario shared by the docker and podman suites: import a rootfs tar, push, delete locally, pull back, compare.
// Asserts with vitest's expect, so a test body is a single call (verdaccio e2e-npm-commons style).
import { expect } from 'vitest';
import type { ImageClient } from './image-clients.js';
import { imageName, imageRef, writeRootfsTar } from './images.js';

export interface RoundTripTarget {
  registryHost: string;
  repository: string;
  image: string;
  tag: string;
  /** Where the rootfs tar is written. */
  work: string;
}

/** Returns the pushed digest so callers can make further checks. */
export async function expectImportPushPullRoundTrip(client: ImageClient, target: RoundTripTarget): Promise<string> {
  const ref = imageRef(target.registryHost, target.repository, target.image, target.tag);
  const content = `hello from ${client.name} import of ${target.image}:${target.tag}\n`;
  const tar = await writeRootfsTar(target.work, `${client.name}-${target.image}-${target.tag}.tar`, {
    'hello.txt': content,
  });
  await client.importTar(tar, ref);

  const pushed = await client.push(ref);
  expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);

  await client.remove(ref);
  expect(await client.hasImage(ref)).toBe(false);
  await client.pull(ref);

  expect(await client.repoDigests(ref)).toContain(
    `${imageName(target.registryHost, target.repository, target.image)}@${pushed}`,
  );
  expect(await client.readFileFromImage(ref, '/hello.txt')).toBe(content);
  return pushed;
}
