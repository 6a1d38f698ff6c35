// Virtual Apt and Yum repositories are not served yet (docs/virtual.md "Apt and Yum"). Their data plane says so in
// the client's dialect (a plain-text 405 naming the repository and what to do) rather than serving an empty index
// that would make every member's package look missing; the control plane still creates and lists them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const PARENT = `projects/${P}/locations/${TEST_LOCATION}`;
let emu: TestEmulator;

beforeAll(async () => {
  emu = await startEmulator({ grpcPort: false });
  for (const format of ['APT', 'YUM']) {
    const member = `${format.toLowerCase()}-member`;
    await emu.createRepository(member, { format });
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=${format.toLowerCase()}-virtual`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format, mode: 'VIRTUAL_REPOSITORY', virtualRepositoryConfig: { upstreamPolicies: [{ id: 'm', repository: `${PARENT}/repositories/${member}`, priority: 1 }] } }),
    });
    if (res.status !== 200) throw new Error(`create ${format}: ${res.status} ${await res.text()}`);
  }
});
afterAll(() => emu.stop());

describe.each([
  ['APT', 'apt', [`/projects/${P}/dists/apt-virtual/InRelease`, `/projects/${P}/dists/apt-virtual/main/binary-amd64/Packages`, `/projects/${P}/pool/apt-virtual/h/hello/hello_1.0_amd64.deb`]],
  ['YUM', 'dnf', [`/projects/${P}/yum-virtual/repodata/repomd.xml`, `/projects/${P}/yum-virtual/Packages/h/hello-1.0-1.x86_64.rpm`]],
] as const)('a virtual %s repository', (format, tool, paths) => {
  it('answers its client with a plain-text 405 that names it and says what to do, for every path', async () => {
    for (const path of paths) {
      const res = await fetch(`${emu.url}${path}`);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 405, 'text/plain; charset=utf-8']);
      const text = await res.text();
      expect(text).toContain(`Repository "${PARENT}/repositories/${format.toLowerCase()}-virtual" is a virtual ${format} repository`);
      expect(text).toContain(`point ${tool} at its member repositories`);
    }
  });

  it('is still a repository of the control plane', async () => {
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories/${format.toLowerCase()}-virtual`);
    expect(await res.json()).toMatchObject({ format, mode: 'VIRTUAL_REPOSITORY' });
  });
});
