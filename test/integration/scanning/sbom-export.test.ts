// SBOM export (containeranalysis projects.resources.exportSBOM, `gcloud artifacts sbom export`): the image's SPDX 2.3
// document built from its layers' inventory, stored as an OCI referrer of the image and so listed as its attachment
// (type application/spdx+json, namespace artifactanalysis.googleapis.com) with `/v2/…/referrers/` agreeing; the
// answer names the image's DISCOVERY occurrence. A fake layer inventory extractor (each layer a JSON package list).
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractInventory, InventoryPackage } from '../../../emulator/scanning/inventory/types.js';
import { startEmulator, TEST_LOCATION as L, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { Registry, sha256 } from '../../support/registry.js';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}
const fakeExtract: ExtractInventory = async (layers) => {
  const packages: InventoryPackage[] = [];
  for (const layer of layers) packages.push(...(JSON.parse(await text(await layer.open())) as { packages: InventoryPackage[] }).packages);
  return { os: { id: 'debian', versionId: '12' }, packages, warnings: [] };
};
const LAYER = JSON.stringify({
  packages: [
    { ecosystem: 'Debian', name: 'libssl3', version: '3.0.11-1~deb12u1', packageType: 'OS', filePath: '/var/lib/dpkg/status' },
    { ecosystem: 'npm', name: '@acme/widget', version: '1.2.0', packageType: 'NPM', filePath: '/app/package-lock.json' },
    { ecosystem: 'PyPI', name: 'Requests', version: '2.30.0', packageType: 'PYPI', filePath: '/usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA' },
  ],
});

describe('SBOM export', () => {
  let emu: TestEmulator;
  let reg: Registry;
  let digest = '';
  const REPO = `projects/${P}/locations/${L}/repositories/sbom`;
  const resource = () => `https://${L}-docker.pkg.dev/${P}/sbom/app@${digest}`;
  const exportSbom = (path: string, body: unknown = {}) =>
    fetch(`${emu.url}/v1/projects/${P}/resources/${path}:exportSBOM`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    emu = await startEmulator({ extractInventory: fakeExtract });
    await emu.createRepository('sbom');
    reg = new Registry(emu.url);
    const m = await reg.imageManifest(`${P}/sbom/app`, LAYER);
    expect((await reg.putManifest(`${P}/sbom/app`, 'v1', m)).status).toBe(201);
    digest = sha256(JSON.stringify(m));
  });
  afterAll(() => emu?.stop());

  it('attaches an SPDX 2.3 document of the image\'s packages and answers its DISCOVERY occurrence', async () => {
    const res = await exportSbom(resource(), { cloudStorageLocation: {} });
    const body = (await res.json()) as { discoveryOccurrence?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    if (body.discoveryOccurrence !== undefined) expect(body.discoveryOccurrence).toMatch(new RegExp(`^projects/${P}/occurrences/`));
    const referrers = (await (await reg.fetch(`/v2/${P}/sbom/app/referrers/${digest}`)).json()) as { manifests: Array<{ digest: string; artifactType: string }> };
    expect(referrers.manifests.map((m) => m.artifactType)).toEqual(['application/spdx+json']);
    const manifest = (await (await reg.fetch(`/v2/${P}/sbom/app/manifests/${referrers.manifests[0]!.digest}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).json()) as { layers: Array<{ digest: string }> };
    const doc = (await (await reg.fetch(`/v2/${P}/sbom/app/blobs/${manifest.layers[0]!.digest}`)).json()) as { spdxVersion: string; packages: Array<{ name: string; versionInfo: string; externalRefs?: Array<{ referenceLocator: string }> }>; relationships: unknown[] };
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(doc.packages.map((p) => [p.name, p.versionInfo, p.externalRefs?.[0]?.referenceLocator])).toEqual([
      [`${L}-docker.pkg.dev/${P}/sbom/app`, digest, undefined],
      ['libssl3', '3.0.11-1~deb12u1', 'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12'],
      ['@acme/widget', '1.2.0', 'pkg:npm/%40acme/widget@1.2.0'],
      ['Requests', '2.30.0', 'pkg:pypi/requests@2.30.0'],
    ]);
    expect(doc.relationships).toHaveLength(4);
    const attachments = ((await (await fetch(`${emu.url}/v1/${REPO}/attachments`)).json()) as { attachments: Array<Record<string, unknown>> }).attachments;
    expect(attachments).toEqual([expect.objectContaining({
      target: `${REPO}/packages/app/versions/${digest}`, type: 'application/spdx+json', attachmentNamespace: 'artifactanalysis.googleapis.com',
      ociVersionName: `${REPO}/packages/app/versions/${referrers.manifests[0]!.digest}`,
    })]);
    expect(attachments[0]!.annotations).toEqual({ 'org.opencontainers.image.created': expect.any(String) });
  });

  it('accepts the resource without https://, and refuses another project\'s image, a malformed resource and a missing image', async () => {
    expect((await exportSbom(resource().slice('https://'.length))).status).toBe(200);
    const other = await exportSbom(`https://${L}-docker.pkg.dev/other-project/sbom/app@${digest}`);
    expect(other.status).toBe(400);
    expect((await exportSbom('https://example.com/not-an-image')).status).toBe(400);
    const missing = await exportSbom(`https://${L}-docker.pkg.dev/${P}/sbom/app@${sha256('nothing')}`);
    expect([missing.status, ((await missing.json()) as { error: { status: string } }).error.status]).toEqual([404, 'NOT_FOUND']);
    expect((await exportSbom(resource(), { bucket: 'x' })).status).toBe(400);
  });
});
