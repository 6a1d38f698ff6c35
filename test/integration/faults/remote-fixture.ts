// A test emulator with remote repositories for the fault and offline tests. Until the control plane creates
// REMOTE_REPOSITORY repositories, a repository created as STANDARD has its mode flipped in its metadata shard
// (reached through the formats hook, which hands out the emulator's own stores); nothing else reads the mode here.
import type { EmulatorOptions, FormatDeps } from '../../../emulator/index.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from '../../../emulator/core/repository.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

export const repoName = (id: string) => `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${id}`;

export interface FaultsEmulator extends TestEmulator {
  /** creates a DOCKER repository and makes it a REMOTE_REPOSITORY one */
  createRemote(id: string): Promise<string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the JSON shape it expects
  json(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export async function startFaultsEmulator(options: Partial<EmulatorOptions> = {}): Promise<FaultsEmulator> {
  let deps: FormatDeps | undefined;
  const emu = await startEmulator({ ...options, formats: (d) => ((deps = d), []) });
  const json = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    ...emu,
    json,
    async createRemote(id) {
      await emu.createRepository(id);
      const ref = { project: TEST_PROJECT, location: TEST_LOCATION, repository: id };
      const shard = deps!.meta.get(repositoryShardKey(ref))!;
      await shard.transact((tx) => {
        const rec = tx.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY)!;
        tx.put(REPOSITORY_TABLE, REPOSITORY_KEY, { ...rec, mode: 'REMOTE_REPOSITORY' });
      });
      return repoName(id);
    },
  };
}
