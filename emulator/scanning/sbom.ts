// An image's SBOM as SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/), built from the inventory a scan reads
// (./inventory): the image as the described package, each installed package CONTAINED_BY it with its version and a
// package URL (purl, https://github.com/package-url/purl-spec) where its type has one. What `gcloud artifacts sbom
// export` asks of Artifact Analysis (containeranalysis `projects.resources.exportSBOM`); the emulator stores it
// as an OCI referrer of the image, so it is an attachment (docs/scanning.md "SBOM export").
import { createHash } from 'node:crypto';
import type { ImageInventory, InventoryPackage } from './inventory/types.js';

export const SPDX_MEDIA_TYPE = 'application/spdx+json';

/** purl types of OS packages by /etc/os-release ID. */
const OS_PURL: Record<string, string> = { debian: 'deb', ubuntu: 'deb', alpine: 'apk', rhel: 'rpm', rocky: 'rpm', almalinux: 'rpm', centos: 'rpm', fedora: 'rpm' };

export function purlOf(pkg: InventoryPackage, os: ImageInventory['os']): string | undefined {
  const v = `@${encodeURIComponent(pkg.version)}`;
  switch (pkg.packageType) {
    case 'NPM': {
      const at = pkg.name.startsWith('@') ? pkg.name.indexOf('/') : -1;
      return at > 0 ? `pkg:npm/${encodeURIComponent(pkg.name.slice(0, at))}/${encodeURIComponent(pkg.name.slice(at + 1))}${v}` : `pkg:npm/${encodeURIComponent(pkg.name)}${v}`;
    }
    case 'PYPI':
      return `pkg:pypi/${encodeURIComponent(pkg.name.toLowerCase().replace(/[-_.]+/g, '-'))}${v}`;
    case 'MAVEN': {
      const [group, artifact] = pkg.name.split(':');
      return group && artifact ? `pkg:maven/${encodeURIComponent(group)}/${encodeURIComponent(artifact)}${v}` : undefined;
    }
    case 'GO':
      return `pkg:golang/${pkg.name.split('/').map(encodeURIComponent).join('/')}${v}`;
    case 'OS': {
      const type = os ? OS_PURL[os.id] : undefined;
      return type && os ? `pkg:${type}/${encodeURIComponent(os.id)}/${encodeURIComponent(pkg.name)}${v}${os.versionId ? `?distro=${encodeURIComponent(`${os.id}-${os.versionId}`)}` : ''}` : undefined;
    }
    default:
      return undefined;
  }
}

/** The SPDX document of the image `resourceUri` (`https://LOCATION-docker.pkg.dev/P/R/IMAGE@sha256:…`). */
export function spdxDocument(resourceUri: string, inventory: ImageInventory, created: Date): Record<string, unknown> {
  const digest = resourceUri.slice(resourceUri.lastIndexOf('@') + 1);
  const imageName = resourceUri.replace(/^https:\/\//, '').replace(/@[^@]*$/, '');
  const root = 'SPDXRef-Image';
  const packages: Record<string, unknown>[] = [{
    SPDXID: root, name: imageName, versionInfo: digest, downloadLocation: 'NOASSERTION', filesAnalyzed: false,
    primaryPackagePurpose: 'CONTAINER', checksums: digest.startsWith('sha256:') ? [{ algorithm: 'SHA256', checksumValue: digest.slice(7) }] : [],
  }];
  const relationships: Record<string, unknown>[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: root }];
  const seen = new Set<string>();
  for (const pkg of inventory.packages) {
    const key = `${pkg.packageType}|${pkg.name}|${pkg.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const id = `SPDXRef-Package-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
    const purl = purlOf(pkg, inventory.os);
    packages.push({
      SPDXID: id, name: pkg.name, versionInfo: pkg.version, downloadLocation: 'NOASSERTION', filesAnalyzed: false,
      sourceInfo: `found in ${pkg.filePath}`,
      ...(purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] } : {}),
    });
    relationships.push({ spdxElementId: id, relationshipType: 'CONTAINED_BY', relatedSpdxElement: root });
  }
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `sbom-${imageName}@${digest}`,
    documentNamespace: `https://ar-emulator.local/spdx/${createHash('sha256').update(`${resourceUri}|${created.toISOString()}`).digest('hex')}`,
    creationInfo: { created: created.toISOString().replace(/\.\d{3}Z$/, 'Z'), creators: ['Tool: artifact-registry-emulator'] },
    packages,
    relationships,
  };
}
