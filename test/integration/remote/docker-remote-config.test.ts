// remoteRepositoryConfig at create: validated (one upstream source, URIs, secret version names), refused for
// formats without remote support yet and outside REMOTE_REPOSITORY, returned exactly as created.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

describe('remoteRepositoryConfig', () => {
  let emu: TestEmulator;
  let n = 0;
  const create = async (body: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=r${++n}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: { message: string; status: string } } };
  };
  const remote = (remoteRepositoryConfig: unknown, format = 'DOCKER') => create({ format, mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig });
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu?.stop());

  it('round-trips DOCKER_HUB with credentials exactly', async () => {
    const config = {
      description: 'hub', disableUpstreamValidation: true, dockerRepository: { publicRepository: 'DOCKER_HUB' },
      upstreamCredentials: { usernamePasswordCredentials: { username: 'me', passwordSecretVersion: 'projects/p/secrets/hub/versions/1' } },
    };
    expect((await remote(config)).status).toBe(200);
    const got = (await (await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/r${n}`)).json()) as Record<string, unknown>;
    expect(got.remoteRepositoryConfig).toEqual(config);
  });

  it('refuses bad configs with INVALID_ARGUMENT naming the field', async () => {
    for (const bad of [
      { dockerRepository: { publicRepository: 'DOCKER_HUB', customRepository: { uri: 'http://127.0.0.1:1' } } },
      { dockerRepository: { customRepository: { uri: 'ftp://127.0.0.1' } } },
      { dockerRepository: { publicRepository: 'DOCKER_HUB' }, commonRepository: { uri: 'http://127.0.0.1:1' } },
      {},
      { dockerRepository: { publicRepository: 'DOCKER_HUB' }, upstreamCredentials: { usernamePasswordCredentials: { username: 'u', passwordSecretVersion: 'hunter2' } } },
      { dockerRepository: { publicRepository: 'DOCKER_HUB' }, surprise: 1 },
      { npmRepository: { publicRepository: 'NPMJS' } },
    ]) {
      const res = await remote(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error?.status).toBe('INVALID_ARGUMENT');
    }
    expect((await create({ format: 'DOCKER', mode: 'REMOTE_REPOSITORY' })).status).toBe(400);
    expect((await create({ format: 'DOCKER', remoteRepositoryConfig: { dockerRepository: { publicRepository: 'DOCKER_HUB' } } })).status).toBe(400);
  });

  it('answers UNSUPPORTED for remote formats not served yet', async () => {
    const res = await remote({ commonRepository: { uri: 'http://127.0.0.1:9/' } }, 'GENERIC');
    expect(res.body.error?.status).toBe('UNIMPLEMENTED');
  });
});
