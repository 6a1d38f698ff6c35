// A remote npm repository with upstreamCredentials: the password comes from the --secrets file and goes to the
// upstream as Basic credentials, for packuments and for tarballs on the upstream's own origin.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { FakeNpmUpstream } from './fake-npm-upstream.js';

const SECRET = `projects/${TEST_PROJECT}/secrets/upstream/versions/1`;

describe('npm remote repository with upstream credentials', () => {
  let emu: TestEmulator;
  let up: FakeNpmUpstream;
  let dir: string;

  beforeAll(async () => {
    up = await new FakeNpmUpstream().start();
    up.add('private-pkg', '1.0.0');
    dir = await mkdtemp(join(tmpdir(), 'are-secrets-'));
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ [SECRET]: 's3cret' }));
    emu = await startEmulator({ secretsFile: join(dir, 'secrets.json') });
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=creds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        format: 'NPM', mode: 'REMOTE_REPOSITORY',
        remoteRepositoryConfig: { commonRepository: { uri: up.url }, upstreamCredentials: { usernamePasswordCredentials: { username: 'robot', passwordSecretVersion: SECRET } } },
      }),
    });
    expect(res.status, await res.text()).toBe(200);
  });
  afterAll(async () => {
    await emu?.stop();
    await up?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends Basic credentials from the secrets file for the packument and the tarball', async () => {
    const doc = await fetch(`${emu.url}/${TEST_PROJECT}/creds/private-pkg`);
    expect(doc.status).toBe(200);
    const tgz = await fetch(`${emu.url}/${TEST_PROJECT}/creds/private-pkg/-/private-pkg-1.0.0.tgz`);
    expect(Buffer.from(await tgz.arrayBuffer()).equals(up.tarballOf('private-pkg', '1.0.0'))).toBe(true);
    const basic = `Basic ${Buffer.from('robot:s3cret').toString('base64')}`;
    expect(up.authorizations).toEqual([basic, basic]);
  });
});
