// Starts a real emulator for a test: port 0, its own temp data dir, stopped and removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';

export const TEST_PROJECT = 'test-project';
export const TEST_LOCATION = 'us-central1';

export interface TestEmulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT — what docker, podman and skopeo take as a registry host */
  registryHost: string;
  dataDir: string;
  emulator: Emulator;
  /** Creates a repository through the control plane (format DOCKER unless said otherwise). */
  createRepository(repositoryId: string, opts?: { format?: string; project?: string; location?: string }): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'are-test-')));
  const emulator = await createEmulator({
    port: 0,
    defaultProject: TEST_PROJECT,
    ...options,
    dataDir,
  });
  const url = emulator.url;
  return {
    url,
    registryHost: new URL(url).host,
    dataDir,
    emulator,
    async createRepository(repositoryId, opts = {}) {
      const project = opts.project ?? TEST_PROJECT;
      const location = opts.location ?? TEST_LOCATION;
      const res = await fetch(
        `${url}/v1/projects/${project}/locations/${location}/repositories?repositoryId=${encodeURIComponent(repositoryId)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ format: opts.format ?? 'DOCKER' }),
        },
      );
      if (!res.ok) throw new Error(`createRepository ${repositoryId}: ${res.status} ${await res.text()}`);
    },
    async stop() {
      await emulator.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
