// End to end with the real layer inventory extractor (scanning/inventory): an image whose one gzip layer holds a
// Debian 12 /etc/os-release and dpkg status, a package-lock.json and a Python dist-info, at versions named by seed
// advisories, pushed over the OCI distribution API. Its occurrences are exactly the four expected findings; the same
// image with the fixed versions has none; `ar-emulator scan IMAGE:TAG` (a child process) prints the findings table.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { sha256 } from '../../support/registry.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const P = TEST_PROJECT;
const L = TEST_LOCATION;
const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function layer(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  return gzipSync(Buffer.concat(chunks));
}

const dpkgStatus = (glibc: string, openssl: string) => `Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: ${glibc}
Description: GNU C Library: Shared libraries

Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Architecture: amd64
Source: openssl
Version: ${openssl}
Description: Secure Sockets Layer toolkit - shared libraries

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell
`;

const files = (v: { glibc: string; openssl: string; lodash: string; requests: string }) => ({
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n',
  'var/lib/dpkg/status': dpkgStatus(v.glibc, v.openssl),
  'app/package-lock.json': JSON.stringify({
    name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true,
    packages: { '': { name: 'app', version: '1.0.0', dependencies: { lodash: v.lodash } }, 'node_modules/lodash': { version: v.lodash, resolved: 'https://example.invalid/lodash.tgz' } },
  }),
  [`usr/lib/python3/dist-packages/requests-${v.requests}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: requests\nVersion: ${v.requests}\nSummary: Python HTTP for Humans.\n`,
});

let emu: TestEmulator;

async function push(image: string, tag: string, layerBytes: Buffer): Promise<string> {
  const name = `${P}/real/${image}`;
  const blob = async (data: Buffer | string) => {
    const res = await fetch(`${emu.url}/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: data });
    expect(res.status).toBe(201);
    return sha256(data);
  };
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await blob(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await blob(layerBytes), size: layerBytes.length }],
  });
  const res = await fetch(`${emu.url}/v2/${name}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': MANIFEST }, body: manifest });
  expect(res.status).toBe(201);
  return `https://${L}-docker.pkg.dev/${name}@${sha256(manifest)}`;
}

interface Occ { kind: string; vulnerability?: { shortDescription: string; severity?: string; packageIssue: Array<{ affectedPackage: string; affectedVersion: { fullName: string }; fixedVersion: { fullName?: string }; fileLocation: Array<{ filePath: string }> }> }; discovery?: { analysisStatus: string; analysisStatusError?: unknown } }

async function occurrencesOf(uri: string): Promise<Occ[]> {
  for (let i = 0; i < 500; i++) {
    const res = await fetch(`${emu.url}/v1/projects/${P}/occurrences?pageSize=1000&filter=${encodeURIComponent(`resourceUrl = "${uri}"`)}`);
    const occs = (((await res.json()) as { occurrences?: Occ[] }).occurrences ?? []);
    if (occs.some((o) => o.kind === 'DISCOVERY' && o.discovery!.analysisStatus.startsWith('FINISHED'))) return occs;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no finished scan of ${uri}`);
}

const findings = (occs: Occ[]) =>
  occs.filter((o) => o.kind === 'VULNERABILITY').map((o) => {
    const p = o.vulnerability!.packageIssue[0]!;
    return `${o.vulnerability!.shortDescription} ${o.vulnerability!.severity ?? '-'} ${p.affectedPackage} ${p.affectedVersion.fullName} -> ${p.fixedVersion.fullName} ${p.fileLocation[0]!.filePath}`;
  }).sort();

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('real');
  await fetch(`${emu.url}/_emulator/vulndb`).then((r) => r.json());
});
afterAll(() => emu?.stop());

describe('scanning a real image layer', () => {
  it('finds exactly the seed advisories of the installed versions', async () => {
    const uri = await push('app', 'v1', await layer(files({ glibc: '2.36-9+deb12u1', openssl: '3.0.11-1~deb12u1', lodash: '4.17.20', requests: '2.30.0' })));
    const occs = await occurrencesOf(uri);
    const discovery = occs.find((o) => o.kind === 'DISCOVERY')!;
    expect(discovery.discovery).toMatchObject({ analysisStatus: 'FINISHED_SUCCESS' });
    expect(findings(occs)).toEqual([
      'DSA-5514-1 - glibc 2.36-9+deb12u1 -> 2.36-9+deb12u3 /var/lib/dpkg/status',
      'DSA-5532-1 - openssl 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2 /var/lib/dpkg/status',
      'GHSA-35jh-r3h4-6jhm HIGH lodash 4.17.20 -> 4.17.21 /app/package-lock.json',
      'GHSA-j8r2-6x86-q33q MEDIUM requests 2.30.0 -> 2.31.0 /usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA',
    ]);
  });

  it('finds nothing with the fixed versions', async () => {
    const uri = await push('app', 'v2', await layer(files({ glibc: '2.36-9+deb12u3', openssl: '3.0.11-1~deb12u2', lodash: '4.17.21', requests: '2.31.0' })));
    const occs = await occurrencesOf(uri);
    expect(occs.find((o) => o.kind === 'DISCOVERY')!.discovery).toMatchObject({ analysisStatus: 'FINISHED_SUCCESS' });
    expect(findings(occs)).toEqual([]);
  });

  it('fails the scan, not the push, for a layer that is not a gzip tar', async () => {
    const uri = await push('broken', 'v1', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not really gzip')]));
    const d = (await occurrencesOf(uri)).find((o) => o.kind === 'DISCOVERY')!;
    expect(d.discovery).toMatchObject({ analysisStatus: 'FINISHED_FAILED' });
    expect(d.discovery!.analysisStatusError).toBeDefined();
  });

  it('`ar-emulator scan IMAGE:TAG` prints the findings table', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'scan', `${new URL(emu.url).host}/${P}/real/app:v1`, '--endpoint', new URL(emu.url).host], { env: { ...process.env, ARTIFACT_REGISTRY_EMULATOR_HOST: '' } });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^https:\/\/us-central1-docker\.pkg\.dev\/test-project\/real\/app@sha256:[a-f0-9]{64}: FINISHED_SUCCESS, 4 findings \(1 HIGH, 1 MEDIUM, 2 unspecified\), 4 fixable$/);
    expect(lines[1]).toMatch(/^SEVERITY\s+ADVISORY\s+PACKAGE\s+INSTALLED\s+FIXED\s+TYPE\s+FILE$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 5).join(' '))).toEqual([
      'HIGH GHSA-35jh-r3h4-6jhm lodash 4.17.20 4.17.21',
      'MEDIUM GHSA-j8r2-6x86-q33q requests 2.30.0 2.31.0',
      'UNSPECIFIED DSA-5514-1 glibc 2.36-9+deb12u1 2.36-9+deb12u3',
      'UNSPECIFIED DSA-5532-1 openssl 3.0.11-1~deb12u1 3.0.11-1~deb12u2',
    ]);
  });
});
