// The Apt data plane over HTTP, one describe per handler: the signing key (binary, armored, per Host location, no
// auth), Release/InRelease/Release.gpg, the Packages indexes and their by-hash copies, and pool files (HEAD too),
// each answering a plain-text 404 for what is unknown or malformed.
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT as P, type TestEmulator } from '../../../test/support/emulator.js';
import { simpleControl, syntheticDeb } from '../../../test/integration/apt/synthetic-deb.js';

let emu: TestEmulator;
const dists = () => `${emu.url}/projects/${P}/dists/debs`;

beforeAll(async () => {
  emu = await startEmulator({ grpcPort: false });
  await emu.createRepository('debs', { format: 'APT' });
  const res = await fetch(`${emu.url}/upload/v1/projects/${P}/locations/${TEST_LOCATION}/repositories/debs/aptArtifacts:create?uploadType=media`, {
    method: 'POST', body: await syntheticDeb(simpleControl({ Package: 'hello', Version: '1.0' })),
  });
  if (res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`);
});
afterAll(() => emu.stop());

describe('getSigningKey', () => {
  it('serves the location key binary at .gpg and armored at .asc, one key per Host location', async () => {
    const gpg = await fetch(`${emu.url}/doc/repo-signing-key.gpg`);
    expect(gpg.status).toBe(200);
    expect(gpg.headers.get('content-type')).toBe('application/pgp-keys');
    const bytes = Buffer.from(await gpg.arrayBuffer());
    expect(bytes[0]! & 0x80).toBe(0x80);
    expect(await (await fetch(`${emu.url}/doc/repo-signing-key.asc`)).text()).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    // fetch() cannot set Host: node:http can
    const other = await new Promise<Buffer>((resolve, reject) => {
      get(`${emu.url}/doc/repo-signing-key.gpg`, { headers: { host: 'europe-west1-apt.pkg.dev' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`status ${res.statusCode}`))));
      }).on('error', reject);
    });
    expect(other[0]! & 0x80).toBe(0x80);
    expect(other.equals(bytes)).toBe(false);
  });

  it('answers a plain 404 for any other doc file', async () => {
    const res = await fetch(`${emu.url}/doc/..%2Fsecret`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });
});

describe('getRelease', () => {
  it('serves Release, a clear-signed InRelease of the same text and a detached Release.gpg', async () => {
    const release = await (await fetch(`${dists()}/Release`)).text();
    expect(release).toMatch(/^Suite: debs$/m);
    const inRelease = await (await fetch(`${dists()}/InRelease`)).text();
    expect(inRelease).toContain(release.trimEnd());
    expect(await (await fetch(`${dists()}/Release.gpg`)).text()).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
  });

  it('answers 404 for other files and for repositories of another format', async () => {
    expect((await fetch(`${dists()}/Release.bz2`)).status).toBe(404);
    await emu.createRepository('npmrepo', { format: 'NPM' });
    expect((await fetch(`${emu.url}/projects/${P}/dists/npmrepo/InRelease`)).status).toBe(404);
  });
});

describe('getIndex', () => {
  it('serves the plain, gz and xz index of a component and architecture', async () => {
    const plain = await fetch(`${dists()}/main/binary-amd64/Packages`);
    expect(await plain.text()).toMatch(/^Package: hello\n/);
    expect((await fetch(`${dists()}/main/binary-amd64/Packages.gz`)).headers.get('content-type')).toBe('application/gzip');
    expect((await fetch(`${dists()}/main/binary-amd64/Packages.xz`)).headers.get('content-type')).toBe('application/x-xz');
  });

  it('answers 404 for an unlisted component, architecture or file', async () => {
    for (const p of ['nope/binary-amd64/Packages', 'main/binary-mips/Packages', 'main/source/Sources', 'main/binary-amd64/Packages.bz2', 'main/binary-A/Packages']) {
      expect((await fetch(`${dists()}/${p}`)).status, p).toBe(404);
    }
  });
});

describe('getIndexByHash', () => {
  it('serves an index file by its SHA256 and nothing by another hash or algorithm', async () => {
    const release = await (await fetch(`${dists()}/Release`)).text();
    const sha = / ([0-9a-f]{64}) +\d+ main\/binary-amd64\/Packages\.gz$/m.exec(release)![1]!;
    const res = await fetch(`${dists()}/main/binary-amd64/by-hash/SHA256/${sha}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect((await fetch(`${dists()}/main/binary-arm64/by-hash/SHA256/${sha}`)).status).toBe(404);
    expect((await fetch(`${dists()}/main/binary-amd64/by-hash/SHA256/xyz`)).status).toBe(404);
  });
});

describe('getPoolFile', () => {
  it('serves the .deb at its Filename, HEAD with its length', async () => {
    const url = `${emu.url}/projects/${P}/pool/debs/h/hello/hello_1.0_amd64.deb`;
    const got = await fetch(url);
    expect(got.status).toBe(200);
    const size = (await got.arrayBuffer()).byteLength;
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(size));
  });

  it('answers 404 for a file at another path or one not stored', async () => {
    for (const p of ['x/hello/hello_1.0_amd64.deb', 'h/hello/hello_2.0_amd64.deb', 'h/hello/..%2F..%2Fhello_1.0_amd64.deb', 'hello_1.0_amd64.deb']) {
      expect((await fetch(`${emu.url}/projects/${P}/pool/debs/${p}`)).status, p).toBe(404);
    }
  });
});
