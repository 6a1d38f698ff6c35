// Real rpmbuild and dnf against a YUM repository: an rpm built offline is uploaded through `yumArtifacts:create`
// (multipart, as gcloud sends it), and `dnf install --installroot` installs it from the emulator only, with
// repo_gpgcheck=1 against the emulator's key (repodata/repomd.xml.key). gpgv checks repomd.xml.asc itself. A
// second upload of the same rpm is ALREADY_EXISTS; one more package changes the repodata dnf sees; a wrong key fails
// the metadata download; print-settings yum's .repo file (gpgkey=/doc/repo-signing-key.gpg, binary) works as is.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { buildRpm } from './rpm-fixtures.js';

const run = promisify(execFile);
const REPO = `projects/${P}/locations/us-central1/repositories/rpms`;

export const uploadRpm = (url: string, repo: string, bytes: Buffer) => {
  const head = Buffer.from('--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\nContent-Type: application/x-rpm\r\n\r\n');
  return fetch(`${url}/upload/v1/${repo}/yumArtifacts:create?uploadType=multipart`, {
    method: 'POST', headers: { 'content-type': 'multipart/related; boundary=b' }, body: Buffer.concat([head, bytes, Buffer.from('\r\n--b--\r\n')]),
  });
};

describeWithClients(['dnf', 'rpmbuild', 'rpm', 'gpgv'], 'dnf install from a signed YUM repository', () => {
  let emu: TestEmulator;
  let dir: string;
  let hello: Buffer;

  beforeAll(async () => {
    emu = await startEmulator({ grpcPort: false });
    dir = await mkdtemp(join(tmpdir(), 'are-yum-'));
    await emu.createRepository('rpms', { format: 'YUM' });
    hello = await readFile(await buildRpm(dir, { name: 'hello-yum', version: '1.0', preamble: ['Provides: greeter = 2.0'] }));
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const dnf = async (root: string, args: string[], gpgkey?: string) => {
    const base = join(dir, root);
    await mkdir(join(base, 'repos.d'), { recursive: true });
    const baseurl = `${emu.url}/projects/${P}/rpms`;
    await writeFile(join(base, 'dnf.conf'), ['[main]', `reposdir=${base}/repos.d`, `cachedir=${base}/cache`, `logdir=${base}/log`, `persistdir=${base}/persist`, 'gpgcheck=0', ''].join('\n'));
    await writeFile(join(base, 'repos.d', 'emulator.repo'), [
      '[emulator]', 'name=emulator', `baseurl=${baseurl}`, 'enabled=1', 'gpgcheck=0', 'repo_gpgcheck=1', `gpgkey=${gpgkey ?? `${baseurl}/repodata/repomd.xml.key`}`, 'metadata_expire=0', '',
    ].join('\n'));
    return run('dnf', ['-y', `--config=${base}/dnf.conf`, '--releasever=12', `--installroot=${base}/root`, '--setopt=install_weak_deps=False', '--repo=emulator', ...args], { timeout: 240_000 });
  };

  it('installs an uploaded rpm with dnf, the repodata signature checked', async () => {
    const res = await uploadRpm(emu.url, REPO, hello);
    expect(res.status, await res.clone().text()).toBe(200);
    const op = (await res.json()) as { operation: { done: boolean; response: { yumArtifacts: Array<{ packageName: string; architecture: string; packageType: string }> } } };
    expect(op.operation.done).toBe(true);
    expect(op.operation.response.yumArtifacts[0]).toMatchObject({ packageName: 'hello-yum', architecture: 'noarch', packageType: 'BINARY' });

    await dnf('a', ['install', 'hello-yum']);
    const { stdout } = await run('rpm', ['--root', join(dir, 'a', 'root'), '-q', 'hello-yum']);
    expect(stdout.trim()).toBe('hello-yum-1.0-1.noarch');
    expect(await readFile(join(dir, 'a', 'root', 'usr', 'bin', 'hello-yum'), 'utf8')).toContain('hello from hello-yum');
  }, 300_000);

  it('signs repomd.xml with the location key (gpgv) and lists the package in primary.xml.gz', async () => {
    const base = `${emu.url}/projects/${P}/rpms/repodata`;
    const repomd = Buffer.from(await (await fetch(`${base}/repomd.xml`)).arrayBuffer());
    const asc = await (await fetch(`${base}/repomd.xml.asc`)).text();
    const key = await (await fetch(`${base}/repomd.xml.key`)).text();
    await writeFile(join(dir, 'repomd.xml'), repomd);
    await writeFile(join(dir, 'repomd.xml.asc'), asc);
    await writeFile(join(dir, 'key.asc'), key);
    await run('gpg', ['--batch', '--homedir', join(dir, 'gnupg-tmp'), '--dearmor', '--output', join(dir, 'key.gpg'), join(dir, 'key.asc')]).catch(async () => {
      await mkdir(join(dir, 'gnupg-tmp'), { recursive: true, mode: 0o700 });
      await run('gpg', ['--batch', '--homedir', join(dir, 'gnupg-tmp'), '--dearmor', '--output', join(dir, 'key.gpg'), join(dir, 'key.asc')]);
    });
    await run('gpgv', ['--keyring', join(dir, 'key.gpg'), join(dir, 'repomd.xml.asc'), join(dir, 'repomd.xml')]);
    const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd.toString())![1]!;
    const primary = gunzipSync(Buffer.from(await (await fetch(`${emu.url}/projects/${P}/rpms/${href}`)).arrayBuffer())).toString();
    expect(primary).toContain('packages="1"');
    expect(primary).toContain('<rpm:entry name="greeter" flags="EQ" epoch="0" ver="2.0"/>');
    expect(primary).toContain('&lt;Apache-2.0&gt;');
  }, 60_000);

  it('answers ALREADY_EXISTS for the same rpm again, and dnf sees a newer version uploaded after it', async () => {
    const again = await uploadRpm(emu.url, REPO, hello);
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/already exists/);
    const v2 = await readFile(await buildRpm(dir, { name: 'hello-yum', version: '2.0' }));
    expect((await uploadRpm(emu.url, REPO, v2)).status).toBe(200);
    await dnf('b', ['install', 'hello-yum']);
    const { stdout } = await run('rpm', ['--root', join(dir, 'b', 'root'), '-q', 'hello-yum']);
    expect(stdout.trim()).toBe('hello-yum-2.0-1.noarch');
    const versions = (await (await fetch(`${emu.url}/v1/${REPO}/packages/hello-yum/versions`)).json()) as { versions: Array<{ name: string }> };
    expect(versions.versions.map((v) => v.name.split('/versions/')[1]).sort()).toEqual(['1.0-1', '2.0-1']);
  }, 300_000);

  it('fails the metadata download when repomd.xml is checked against another key', async () => {
    const { publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'someone else', email: 'other@localhost' }], format: 'armored' });
    await writeFile(join(dir, 'other-key.asc'), publicKey);
    const err = await dnf('c', ['makecache'], `file://${join(dir, 'other-key.asc')}`).then(() => undefined, (e: Error & { stderr?: string }) => e);
    expect(err?.stderr ?? '').toMatch(/GPG signature verification error/);
  }, 120_000);

  it('installs with the print-settings snippet as the .repo file (repo_gpgcheck=1, gpgkey=/doc/repo-signing-key.gpg)', async () => {
    const res = await fetch(`${emu.url}/_emulator/settings/yum?project=${P}&location=us-central1&repository=rpms`);
    expect(res.status, await res.clone().text()).toBe(200);
    const { text } = (await res.json()) as { text: string };
    expect(text).toContain('repo_gpgcheck=1');
    const base = join(dir, 'snippet');
    await mkdir(join(base, 'repos.d'), { recursive: true });
    await writeFile(join(base, 'dnf.conf'), ['[main]', `reposdir=${base}/repos.d`, `cachedir=${base}/cache`, `logdir=${base}/log`, `persistdir=${base}/persist`, ''].join('\n'));
    await writeFile(join(base, 'repos.d', 'rpms.repo'), text);
    await run('dnf', ['-y', `--config=${base}/dnf.conf`, '--releasever=12', `--installroot=${base}/root`, '--repo=rpms', 'install', 'hello-yum'], { timeout: 240_000 });
    const { stdout } = await run('rpm', ['--root', join(base, 'root'), '-q', 'hello-yum']);
    expect(stdout.trim()).toMatch(/^hello-yum-2\.0-1\.noarch$/);
  }, 300_000);
});
