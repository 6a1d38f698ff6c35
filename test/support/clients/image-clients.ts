// The docker and podman CLIs behind one small interface, so a scenario is written once and run per client.
// Each adapter only shells out (through run()); assertions belong to the scenarios and tests.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestFromDockerPush } from './images.js';
import { run } from './run.js';

export interface ImageClient {
  name: string;
  importTar(tarPath: string, ref: string): Promise<void>;
  /** Pushes over plain http and returns the manifest digest the client reports. */
  push(ref: string): Promise<string>;
  remove(ref: string): Promise<void>;
  hasImage(ref: string): Promise<boolean>;
  /** Returns the client's combined output. */
  pull(ref: string): Promise<string>;
  repoDigests(ref: string): Promise<string[]>;
  /** Creates (never starts) a container from the image and copies one file out of it. */
  readFileFromImage(ref: string, path: string): Promise<string>;
}

type Env = Record<string, string | undefined>;

/** `docker`/`podman` share these subcommands; only push digests and image checks differ. */
function cliClient(
  name: 'docker' | 'podman',
  env: Env,
  work: string,
  push: (ref: string) => Promise<string>,
  pullFlags: string[],
): ImageClient {
  const cli = async (...args: string[]): Promise<{ stdout: string; output: string }> => {
    const { stdout, stderr } = await run(name, args, { env });
    return { stdout, output: `${stdout}${stderr}` };
  };
  return {
    name,
    push,
    importTar: async (tarPath, ref) => void (await cli('import', tarPath, ref)),
    remove: async (ref) => void (await cli('rmi', ref)),
    hasImage: (ref) => cli('image', 'inspect', ref).then(() => true, () => false),
    pull: async (ref) => (await cli('pull', ...pullFlags, ref)).output,
    repoDigests: async (ref) =>
      JSON.parse((await cli('image', 'inspect', '--format', '{{json .RepoDigests}}', ref)).stdout) as string[],
    readFileFromImage: async (ref, path) => {
      const id = (await cli('create', ref, '/nonexistent')).stdout.trim();
      try {
        const dest = join(work, `${name}-copied-${id.slice(0, 12)}`);
        await cli('cp', `${id}:${path}`, dest);
        return await readFile(dest, 'utf8');
      } finally {
        await cli('rm', id);
      }
    },
  };
}

/** docker CLI against a daemon from startDockerDaemon(); 127.0.0.1 is insecure by default. */
export function dockerClient(env: Env, work: string): ImageClient {
  return cliClient(
    'docker',
    env,
    work,
    async (ref) => {
      const { stdout, stderr } = await run('docker', ['push', ref], { env });
      return digestFromDockerPush(`${stdout}${stderr}`);
    },
    [],
  );
}

/** podman with a createContainersEnv() config; every registry call says --tls-verify=false. */
export function podmanClient(env: Env, work: string, pushFlags: string[] = []): ImageClient {
  return cliClient(
    'podman',
    env,
    work,
    async (ref) => {
      const digestFile = join(work, `podman-push-${randomUUID()}.digest`);
      await run('podman', ['push', '--tls-verify=false', '--digestfile', digestFile, ...pushFlags, ref], { env });
      return (await readFile(digestFile, 'utf8')).trim();
    },
    ['--tls-verify=false'],
  );
}
