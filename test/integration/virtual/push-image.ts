// A tiny OCI image pushed over the registry API (monolithic blob uploads + a manifest PUT), for tests that
// need content in a repository without a container client. `marker` makes the layer, hence the digest, unique.
import { createHash } from 'node:crypto';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface PushedImage {
  manifest: string;
  layer: string;
  config: string;
}

/** `layerBytes`: the layer itself (a real tar, for clients that unpack it), else a line naming `marker`. */
export async function pushImage(base: string, name: string, tag: string, marker = `${name}:${tag}`, headers: Record<string, string> = {}, layerBytes?: Buffer): Promise<PushedImage> {
  const layer = layerBytes ?? Buffer.from(`layer of ${marker}\n`);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] }, marker }));
  for (const blob of [layer, config]) {
    const res = await fetch(`${base}/v2/${name}/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: new Uint8Array(blob) });
    if (res.status !== 201) throw new Error(`blob upload to ${name}: ${res.status} ${await res.text()}`);
  }
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  }));
  const res = await fetch(`${base}/v2/${name}/manifests/${tag}`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
  if (res.status !== 201) throw new Error(`manifest PUT to ${name}: ${res.status} ${await res.text()}`);
  return { manifest: sha(manifest), layer: sha(layer), config: sha(config) };
}
