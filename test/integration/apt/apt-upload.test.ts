// aptArtifacts:create and aptArtifacts:import over HTTP (no client binaries: in-memory .debs, ./synthetic-deb.ts):
// a broken ar header, a broken control tarball and control fields with path tricks are INVALID_ARGUMENT in Google's
// JSON with nothing stored, a duplicate is ALREADY_EXISTS; the control plane lists packages, versions and files;
// import reports per-file errors; the dists and pool routes answer 404 for what is not there; deleting a version
// removes it from the index; the signing key is served as binary and armored.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { simpleControl, syntheticDeb } from './synthetic-deb.js';

const REPO = `projects/${P}/locations/us-central1/repositories/apt`;
let emu: TestEmulator;

const upload = (bytes: Buffer, repo = REPO) =>
  fetch(`${emu.url}/upload/v1/${repo}/aptArtifacts:create?uploadType=media`, { method: 'POST', headers: { 'content-type': 'application/vnd.debian.binary-package' }, body: bytes });
const json = async <T>(path: string) => (await (await fetch(`${emu.url}${path}`)).json()) as T;
const packages = async (component = 'main', arch = 'amd64') => (await fetch(`${emu.url}/projects/${P}/dists/apt/${component}/binary-${arch}/Packages`)).text();

beforeAll(async () => {
  emu = await startEmulator({ grpcPort: false });
  await emu.createRepository('apt', { format: 'APT' });
  await emu.createRepository('gen', { format: 'GENERIC' });
});
afterAll(async () => {
  await emu?.stop();
});

describe('aptArtifacts:create', () => {
  it('stores a deb and shows it as a package, a version, a file and a Packages stanza', async () => {
    const res = await upload(await syntheticDeb(simpleControl({ Package: 'libdemo1', Version: '1:2.0-3' })));
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { operation: { response: { '@type': string; aptArtifacts: Array<Record<string, string>> } } };
    expect(body.operation.response['@type']).toMatch(/UploadAptArtifactResponse$/);
    const a = body.operation.response.aptArtifacts[0]!;
    expect(a).toMatchObject({ name: `${REPO}/aptArtifacts/libdemo1_2.0-3_amd64.deb`, packageName: 'libdemo1', packageType: 'BINARY', architecture: 'amd64', component: 'main' });
    expect(Buffer.from(a.controlFile!, 'base64').toString()).toMatch(/^Package: libdemo1\nVersion: 1:2\.0-3\n/);
    const pkgs = await json<{ packages: Array<{ name: string }> }>(`/v1/${REPO}/packages`);
    expect(pkgs.packages.map((p) => p.name)).toEqual([`${REPO}/packages/libdemo1`]);
    const versions = await json<{ versions: Array<{ name: string }> }>(`/v1/${REPO}/packages/libdemo1/versions`);
    expect(versions.versions.map((v) => decodeURIComponent(v.name.split('/versions/')[1]!))).toEqual(['1:2.0-3']);
    const files = await json<{ files: Array<{ name: string }> }>(`/v1/${REPO}/files`);
    expect(files.files.map((f) => decodeURIComponent(f.name.split('/files/')[1]!))).toEqual(['libdemo1_2.0-3_amd64.deb']);
    const index = await packages();
    expect(index).toMatch(/^Package: libdemo1\n[\s\S]*\nFilename: pool\/apt\/libd\/libdemo1\/libdemo1_2\.0-3_amd64\.deb\nSize: \d+\nMD5sum: [0-9a-f]{32}\nSHA256: [0-9a-f]{64}\n$/);
    const got = await fetch(`${emu.url}/projects/${P}/pool/apt/libd/libdemo1/libdemo1_2.0-3_amd64.deb`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/vnd.debian.binary-package');
  });

  it('puts a Section contrib/… package into the contrib component and an arch-all one into every architecture', async () => {
    const res = await upload(await syntheticDeb(simpleControl({ Package: 'shared', Architecture: 'all', Section: 'contrib/misc' })));
    expect(res.status, await res.clone().text()).toBe(200);
    for (const arch of ['all', 'amd64', 'arm64']) expect(await packages('contrib', arch)).toMatch(/^Package: shared\n/);
    expect(await packages('main', 'arm64')).toBe('');
    const release = await (await fetch(`${emu.url}/projects/${P}/dists/apt/Release`)).text();
    expect(release).toMatch(/^Architectures: all amd64 arm64$/m);
    expect(release).toMatch(/^Components: contrib main$/m);
    expect(release).toMatch(/^ [0-9a-f]{64} +\d+ contrib\/binary-amd64\/Packages\.xz$/m);
  });

  const broken = async () => {
    const good = await syntheticDeb(simpleControl({ Package: 'x1' }));
    const badHeader = Buffer.from(good);
    badHeader.write('zz', 8 + 58, 'latin1'); // the first member header's terminator
    const badSize = Buffer.from(good);
    badSize.write('9999999999', 8 + 48, 'latin1');
    return { badHeader, badSize, notAr: Buffer.from('hello, not a deb'), truncated: good.subarray(0, 100) };
  };

  it.each<[string, () => Promise<Buffer>]>([
    ['a broken ar member header', async () => (await broken()).badHeader],
    ['an ar member larger than the file', async () => (await broken()).badSize],
    ['a file that is no ar archive', async () => (await broken()).notAr],
    ['a truncated file', async () => (await broken()).truncated],
    ['a Package with a slash', () => syntheticDeb(simpleControl({ Package: 'a/../../b' }))],
    ['a Package with ..', () => syntheticDeb(simpleControl({ Package: 'a..b' }))],
    ['a Version with a slash', () => syntheticDeb(simpleControl({ Version: '1.0/../../x' }))],
    ['an Architecture with ..', () => syntheticDeb(simpleControl({ Architecture: '..' }))],
    ['a Version spanning lines', () => syntheticDeb(simpleControl({ Version: '1.0\n 2.0' }))],
    ['a second stanza', () => syntheticDeb(`${simpleControl()}\nPackage: other\n`)],
    ['a missing Version', () => syntheticDeb('Package: demo\nArchitecture: amd64\n')],
    ['a Section naming a bad component', () => syntheticDeb(simpleControl({ Section: '../x' }))],
  ])('answers 400 INVALID_ARGUMENT for %s and stores nothing', async (_what, make) => {
    const before = await json<{ files?: unknown[] }>(`/v1/${REPO}/files`);
    const res = await upload(await make());
    expect(res.status, await res.clone().text()).toBe(400);
    const body = (await res.json()) as { error: { status: string; message: string } };
    expect(body.error.status).toBe('INVALID_ARGUMENT');
    expect(body.error.message).toMatch(/Debian package|control file/);
    expect((await json<{ files?: unknown[] }>(`/v1/${REPO}/files`)).files?.length).toBe(before.files?.length);
  });

  it('answers 409 ALREADY_EXISTS for the same package version and architecture again', async () => {
    const res = await upload(await syntheticDeb(simpleControl({ Package: 'libdemo1', Version: '1:2.0-3', Description: 'changed' })));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/already exists/);
    expect((await packages()).match(/^Package: libdemo1$/gm)).toHaveLength(1);
  });

  it('refuses an upload into a repository of another format', async () => {
    const res = await upload(await syntheticDeb(simpleControl()), `projects/${P}/locations/us-central1/repositories/gen`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('FAILED_PRECONDITION');
  });
});

describe('importAptArtifacts', () => {
  it('imports the debs of gs:// URIs and reports the missing, broken and duplicate ones per URI', async () => {
    const bucket = join(emu.dataDir, 'gcs', 'deb-bucket');
    await mkdir(bucket, { recursive: true });
    await writeFile(join(bucket, 'good.deb'), await syntheticDeb(simpleControl({ Package: 'imported', Version: '2.0' })));
    await writeFile(join(bucket, 'broken.deb'), Buffer.from('not a deb'));
    await writeFile(join(bucket, 'dup.deb'), await syntheticDeb(simpleControl({ Package: 'libdemo1', Version: '1:2.0-3' })));
    const res = await fetch(`${emu.url}/v1/${REPO}/aptArtifacts:import`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gcsSource: { uris: ['gs://deb-bucket/good.deb', 'gs://deb-bucket/broken.deb', 'gs://deb-bucket/dup.deb', 'gs://deb-bucket/missing.deb'] } }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const op = (await res.json()) as { done: boolean; response: { '@type': string; aptArtifacts: Array<{ packageName: string }>; errors: Array<{ gcsSource: { uris: string[] }; error: { code: number } }> } };
    expect(op.done).toBe(true);
    expect(op.response['@type']).toMatch(/ImportAptArtifactsResponse$/);
    expect(op.response.aptArtifacts.map((a) => a.packageName)).toEqual(['imported']);
    expect(op.response.errors.map((e) => [e.gcsSource.uris[0], e.error.code])).toEqual([
      ['gs://deb-bucket/broken.deb', 3], ['gs://deb-bucket/dup.deb', 6], ['gs://deb-bucket/missing.deb', 5],
    ]);
    expect(await packages()).toMatch(/^Package: imported$/m);
  });
});

describe('the Apt data plane', () => {
  it('answers 404 for unknown dists files, indexes, pool files and repositories', async () => {
    for (const path of [
      `/projects/${P}/dists/apt/Nothing`, `/projects/${P}/dists/apt/main/binary-amd64/Packages.bz2`, `/projects/${P}/dists/apt/nope/binary-amd64/Packages`,
      `/projects/${P}/dists/apt/main/binary-s390x/Packages`, `/projects/${P}/pool/apt/x/libdemo1/libdemo1_2.0-3_amd64.deb`,
      `/projects/${P}/pool/apt/libd/libdemo1/..%2F..%2Fetc`, `/projects/${P}/dists/absent/InRelease`, '/doc/other.gpg',
    ]) {
      expect((await fetch(`${emu.url}${path}`)).status, path).toBe(404);
    }
  });

  it('serves the indexes a Release names by hash, the previous build too after an upload', async () => {
    const release = await (await fetch(`${emu.url}/projects/${P}/dists/apt/Release`)).text();
    expect(release).toMatch(/^Acquire-By-Hash: yes$/m);
    const old = / ([0-9a-f]{64}) +\d+ main\/binary-amd64\/Packages$/m.exec(release)![1]!;
    const before = await packages();
    expect(await (await fetch(`${emu.url}/projects/${P}/dists/apt/main/binary-amd64/by-hash/SHA256/${old}`)).text()).toBe(before);
    expect((await upload(await syntheticDeb(simpleControl({ Package: 'later', Version: '1' })))).status).toBe(200);
    expect(await packages()).toMatch(/^Package: later$/m);
    expect(await (await fetch(`${emu.url}/projects/${P}/dists/apt/main/binary-amd64/by-hash/SHA256/${old}`)).text()).toBe(before);
    expect((await fetch(`${emu.url}/projects/${P}/dists/apt/main/binary-amd64/by-hash/SHA256/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await fetch(`${emu.url}/projects/${P}/dists/apt/main/binary-amd64/by-hash/MD5Sum/${old}`)).status).toBe(404);
  });

  it('serves the signing key, InRelease and Release.gpg, and drops a deleted version from the index', async () => {
    const key = await fetch(`${emu.url}/doc/repo-signing-key.gpg`);
    expect(key.status).toBe(200);
    expect(Buffer.from(await key.arrayBuffer())[0]! & 0x80).toBe(0x80); // a binary OpenPGP packet
    expect(await (await fetch(`${emu.url}/doc/repo-signing-key.asc`)).text()).toMatch(/BEGIN PGP PUBLIC KEY BLOCK/);
    expect(await (await fetch(`${emu.url}/projects/${P}/dists/apt/InRelease`)).text()).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----[\s\S]*BEGIN PGP SIGNATURE/);
    expect(await (await fetch(`${emu.url}/projects/${P}/dists/apt/Release.gpg`)).text()).toMatch(/BEGIN PGP SIGNATURE/);
    const del = await fetch(`${emu.url}/v1/${REPO}/packages/imported/versions/2.0`, { method: 'DELETE' });
    expect(del.status, await del.clone().text()).toBe(200);
    expect(await packages()).not.toMatch(/^Package: imported$/m);
  });
});
