// DockerImage and Docker version metadata as the unmodified Node client (@google-cloud/artifact-registry) reads
// them over REST and gRPC: buildTime from the image config's `created` (an index: its newest child's), a uri this
// emulator serves the image at (`gcr.io:PORT/PROJECT/IMAGE@…` for a gcr.io-domain repository), and the FULL view's
// version metadata (name, imageSizeBytes, mediaType, buildTime, artifactType). Issue 17 item 9; spec §1.4.
import { createHash } from 'node:crypto';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeClientFor } from '../../support/node-client.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';

const PROJECT = 'test-project';
const L = 'us-central1';
const REPO = `projects/${PROJECT}/locations/${L}/repositories/meta`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;



async function upload(base: string, name: string, blob: Buffer): Promise<void> {
  const res = await fetch(`${base}/v2/${name}/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(blob) });
  if (res.status !== 201) throw new Error(`blob upload: ${res.status} ${await res.text()}`);
}

async function putManifest(base: string, name: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
  const res = await fetch(`${base}/v2/${name}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': mediaType }, body: new Uint8Array(body) });
  if (res.status !== 201) throw new Error(`manifest PUT: ${res.status} ${await res.text()}`);
  return res.headers.get('docker-content-digest')!;
}

/** An image whose config says `created` (or none), pushed under `tag`; returns its digest and manifest size. */
async function pushImage(base: string, name: string, tag: string, created: string | undefined, arch = 'amd64'): Promise<{ digest: string; size: number; imageSizeBytes: number }> {
  const layer = Buffer.from(`layer of ${name}:${tag} ${arch}\n`);
  const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', ...(created ? { created } : {}), rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  await upload(base, name, layer);
  await upload(base, name, config);
  const body = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  }));
  return { digest: await putManifest(base, name, tag, body, OCI_MANIFEST), size: body.length, imageSizeBytes: config.length + layer.length };
}

const seconds = (t: unknown) => Number((t as { seconds?: unknown })?.seconds ?? Number.NaN);

describe('DockerImage buildTime, uri and FULL version metadata through the Node client', () => {
  let emu: TestEmulator;
  let port: string;
  let plain: { digest: string; size: number; imageSizeBytes: number };
  let noCreated: { digest: string };
  let index: string;
  let gcr: { digest: string };

  beforeAll(async () => {
    emu = await startEmulator();
    port = new URL(emu.url).port;
    await emu.createRepository('meta');
    plain = await pushImage(emu.url, `${PROJECT}/meta/app`, 'v1', '2024-05-06T07:08:09.123456789Z');
    noCreated = await pushImage(emu.url, `${PROJECT}/meta/bare`, 'v1', undefined);
    const amd = await pushImage(emu.url, `${PROJECT}/meta/multi`, 'amd64', '2023-01-01T00:00:00Z', 'amd64');
    const arm = await pushImage(emu.url, `${PROJECT}/meta/multi`, 'arm64', '2023-06-01T12:00:00+02:00', 'arm64');
    const idx = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: amd.digest, size: amd.size, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: OCI_MANIFEST, digest: arm.digest, size: arm.size, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    }));
    index = await putManifest(emu.url, `${PROJECT}/meta/multi`, 'latest', idx, OCI_INDEX);
    await emu.createRepository('gcr.io', { location: 'us' });
    gcr = await pushImage(emu.url, `${PROJECT}/gcr.io/web`, 'v1', '2022-02-02T02:02:02Z');
  }, 60_000);
  afterAll(async () => {
    await emu?.stop();
  });

  for (const transport of ['rest', 'grpc'] as const) {
    describe(transport, () => {
      let client: ArtifactRegistryClient;
      beforeAll(() => {
        client = nodeClientFor(emu, transport);
      });
      afterAll(async () => {
        await client?.close();
      });

      it('gives a DockerImage the config\'s created time as buildTime and a uri this emulator serves', async () => {
        const [img] = await client.getDockerImage({ name: `${REPO}/dockerImages/app@${plain.digest}` });
        expect(seconds(img.buildTime)).toBe(Date.parse('2024-05-06T07:08:09.123Z') / 1000 | 0);
        expect(img.uri).toBe(`localhost:${port}/${PROJECT}/meta/app@${plain.digest}`);
        expect(img.mediaType).toBe(OCI_MANIFEST);
        expect(Number(img.imageSizeBytes)).toBe(plain.imageSizeBytes);
        // the uri pulls: the same digest comes back
        const [, ...path] = String(img.uri).replace(/@.*/, '').split('/');
        const pulled = await fetch(`${emu.url}/v2/${path.join('/')}/manifests/${plain.digest}`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } });
        expect(pulled.headers.get('docker-content-digest')).toBe(plain.digest);
      });

      it('leaves buildTime out when the config has no created time, and gives an index its newest child\'s', async () => {
        const [bare] = await client.getDockerImage({ name: `${REPO}/dockerImages/bare@${noCreated.digest}` });
        expect(bare.buildTime ?? null).toBeNull();
        const [multi] = await client.getDockerImage({ name: `${REPO}/dockerImages/multi@${index}` });
        expect(seconds(multi.buildTime)).toBe(Date.parse('2023-06-01T10:00:00Z') / 1000);
      });

      it('names a gcr.io-domain repository\'s images gcr.io:PORT/PROJECT/IMAGE@digest', async () => {
        const [img] = await client.getDockerImage({ name: `projects/${PROJECT}/locations/us/repositories/gcr.io/dockerImages/web@${gcr.digest}` });
        expect(img.uri).toBe(`gcr.io:${port}/${PROJECT}/web@${gcr.digest}`);
      });

      it('fills the FULL view version metadata as the real service does', async () => {
        const [v] = await client.getVersion({ name: `${REPO}/packages/app/versions/${plain.digest}`, view: 'FULL' });
        const fields = (v.metadata?.fields ?? {}) as Record<string, { stringValue?: string }>;
        expect(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.stringValue]))).toEqual({
          name: `${REPO}/dockerImages/app@${plain.digest}`,
          imageSizeBytes: String(plain.imageSizeBytes),
          mediaType: OCI_MANIFEST,
          buildTime: '2024-05-06T07:08:09.123Z',
        });
        expect((v.relatedTags ?? []).map((t) => t.name)).toEqual([`${REPO}/packages/app/tags/v1`]);
      });
    });
  }
});
