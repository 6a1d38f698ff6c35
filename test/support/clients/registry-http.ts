// Reads a manifest straight from a registry over plain HTTP, to check what a client actually stored.
// Anonymous only; the Accept list mirrors what docker and containers/image send (REPORT.md gotcha 5).
import { sha256Digest } from './oci-layout.js';

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface FetchedManifest {
  status: number;
  contentType: string | null;
  /** Docker-Content-Digest header as sent by the registry. */
  headerDigest: string | null;
  /** sha256 of the body bytes. */
  bodyDigest: string;
  body: string;
}

/** GET /v2/<name>/manifests/<reference> where name is "test-project/REPO/IMAGE". */
export async function fetchManifest(registryHost: string, name: string, reference: string): Promise<FetchedManifest> {
  const res = await fetch(`http://${registryHost}/v2/${name}/manifests/${reference}`, {
    headers: { accept: MANIFEST_ACCEPT },
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    headerDigest: res.headers.get('docker-content-digest'),
    bodyDigest: sha256Digest(bytes),
    body: bytes.toString('utf8'),
  };
}
