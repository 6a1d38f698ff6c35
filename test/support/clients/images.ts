// Shared helpers for the registry client scenarios: image references, root filesystem tars, pushed digests.
// Knows the emulator's Docker path layout (HOST/PROJECT/REPOSITORY/IMAGE), nothing about any one client.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEST_PROJECT } from '../emulator.js';
import { createTar, type TarEntries } from './tar.js';

/** `${registryHost}/test-project/REPOSITORY/IMAGE`, like LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE. */
export function imageName(registryHost: string, repository: string, image: string): string {
  return `${registryHost}/${TEST_PROJECT}/${repository}/${image}`;
}

export function imageRef(registryHost: string, repository: string, image: string, tag: string): string {
  return `${imageName(registryHost, repository, image)}:${tag}`;
}

/** Writes a root filesystem tar for `docker import` / `podman import` and returns its path. */
export async function writeRootfsTar(dir: string, fileName: string, files: TarEntries): Promise<string> {
  const path = join(dir, fileName);
  await writeFile(path, createTar(files));
  return path;
}

/** The digest from `docker push` output: "v1: digest: sha256:… size: 528". */
export function digestFromDockerPush(output: string): string {
  const match = /digest: (sha256:[0-9a-f]{64})/.exec(output);
  if (!match?.[1]) throw new Error(`no digest in docker push output:\n${output}`);
  return match[1];
}

/** The manifest digest that `docker manifest push` prints on its own line. */
export function digestFromManifestPush(output: string): string {
  const match = /^(sha256:[0-9a-f]{64})\s*$/m.exec(output);
  if (!match?.[1]) throw new Error(`no digest in docker manifest push output:\n${output}`);
  return match[1];
}
