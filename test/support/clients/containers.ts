// Private configuration for podman, skopeo and buildah (vfs storage, insecure test registries) in a temp dir.
// Leaves /etc/containers and /var/lib/containers alone, except the shared blob-info cache that
// containers/image always keeps in /var/lib/containers/cache (REPORT.md §4).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from './remove-tree.js';

export interface ContainersEnv {
  /** Pass to run(): CONTAINERS_* variables, REGISTRY_AUTH_FILE and TMPDIR. */
  env: Record<string, string>;
  root: string;
  authFile: string;
  cleanup(): Promise<void>;
}

export interface ContainersEnvOptions {
  /** Registry hosts (host:port) to reach over plain http without --tls-verify=false. */
  insecureRegistries?: string[];
}

export async function createContainersEnv(options: ContainersEnvOptions = {}): Promise<ContainersEnv> {
  const root = await mkdtemp(join(tmpdir(), 'are-containers-'));
  const paths = {
    graphroot: join(root, 'storage'),
    runroot: join(root, 'run'),
    libpodTmp: join(root, 'libpod-tmp'),
    tmp: join(root, 'tmp'),
    storageConf: join(root, 'storage.conf'),
    registriesConf: join(root, 'registries.conf'),
    containersConf: join(root, 'containers.conf'),
    authFile: join(root, 'auth.json'),
  };
  await Promise.all(
    [paths.graphroot, paths.runroot, paths.libpodTmp, paths.tmp].map((dir) => mkdir(dir, { recursive: true })),
  );

  await writeFile(
    paths.storageConf,
    ['[storage]', 'driver = "vfs"', `runroot = ${toml(paths.runroot)}`, `graphroot = ${toml(paths.graphroot)}`, ''].join(
      '\n',
    ),
  );
  await writeFile(
    paths.registriesConf,
    [
      'unqualified-search-registries = []',
      ...(options.insecureRegistries ?? []).flatMap((host) => ['', '[[registry]]', `location = ${toml(host)}`, 'insecure = true']),
      '',
    ].join('\n'),
  );
  await writeFile(
    paths.containersConf,
    [
      '[engine]',
      `tmp_dir = ${toml(paths.libpodTmp)}`,
      'events_logger = "file"',
      `events_logfile_path = ${toml(join(root, 'events.log'))}`,
      '',
    ].join('\n'),
  );
  // podman 4.3 fails every command with "stat …auth.json: no such file or directory" if it is missing.
  await writeFile(paths.authFile, '{}\n');

  return {
    env: {
      CONTAINERS_STORAGE_CONF: paths.storageConf,
      CONTAINERS_REGISTRIES_CONF: paths.registriesConf,
      CONTAINERS_CONF: paths.containersConf,
      REGISTRY_AUTH_FILE: paths.authFile,
      // image copies are staged in TMPDIR (default /var/tmp)
      TMPDIR: paths.tmp,
      BUILDAH_ISOLATION: 'chroot',
    },
    root,
    authFile: paths.authFile,
    cleanup: () => removeTree(root),
  };
}

function toml(value: string): string {
  return JSON.stringify(value);
}
