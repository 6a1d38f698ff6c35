// PUT /v2/<name>/manifests/<reference>: what a pushed manifest leaves in the repository's metadata. Issue 8:
// annotations copied into metadata made a journal the emulator could not read back; the manifest blob already
// holds them. Any valid manifest up to 4 MiB must make a record well under the metadata store's record cap.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256, useRegistry } from '../../../../test/support/registry.js';
import { MAX_MANIFEST_BYTES } from '../media-types.js';

const t = useRegistry(['repo']);
const NAME = 'test-project/repo/app';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const journal = () => join(t.emu.dataDir, 'meta', 'repos', 'test-project', 'us-central1', 'repo.journal');
let base: Record<string, unknown> = {};

/** `manifest` with one annotation padded so that the whole body is `bytes` long. */
function padded(manifest: Record<string, unknown>, bytes: number, extra: Record<string, string> = {}): Buffer {
  const withEmpty = JSON.stringify({ ...manifest, annotations: { ...extra, 'org.example.big': '' } });
  return Buffer.from(JSON.stringify({ ...manifest, annotations: { ...extra, 'org.example.big': 'a'.repeat(bytes - Buffer.byteLength(withEmpty)) } }));
}

beforeAll(async () => {
  base = await t.reg.imageManifest(NAME);
});

describe('putManifest metadata', () => {
  it('accepts a manifest with 3.9 MiB of annotations without copying them into the repository metadata', async () => {
    const before = (await stat(journal())).size;
    const body = padded(base, Math.floor(3.9 * 1024 * 1024), { 'org.example.kind': 'big' });
    const res = await t.reg.putManifest(NAME, 'big', body.toString());
    expect(res.status, await res.text()).toBe(201);
    expect((await stat(journal())).size - before).toBeLessThan(4096);
    const got = await t.reg.fetch(`/v2/${NAME}/manifests/big`, { headers: { accept: OCI_MANIFEST } });
    expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true);
  });

  it('still lists each referrer with its annotations, read from the manifest blob', async () => {
    const subject = (await t.reg.putManifest(NAME, 'subject', base)).headers.get('docker-content-digest')!;
    const referrer = { ...base, subject: { mediaType: OCI_MANIFEST, digest: subject, size: 1 }, artifactType: 'application/vnd.example.big' };
    const body = padded(referrer, 3 * 1024 * 1024, { 'org.example.kind': 'referrer' });
    expect((await t.reg.putManifest(NAME, sha256(body), body.toString())).status).toBe(201);
    const res = await t.reg.fetch(`/v2/${NAME}/referrers/${subject}`);
    const list = (await res.json()) as { manifests: Array<{ digest: string; artifactType: string; annotations: Record<string, string> }> };
    expect(list.manifests).toHaveLength(1);
    expect(list.manifests[0]!.digest).toBe(sha256(body));
    expect(list.manifests[0]!.artifactType).toBe('application/vnd.example.big');
    expect(list.manifests[0]!.annotations['org.example.kind']).toBe('referrer');
    expect(list.manifests[0]!.annotations['org.example.big']!.length).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('keeps the record small for a 4 MiB manifest of tiny descriptors, and a type string as long as the manifest allows', async () => {
    // Non-distributable layers are not pushed (their bytes come from `urls`), so a valid manifest can list
    // tens of thousands; and artifactType is a free string.
    const layer = (i: number) => ({ mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar', digest: sha256(`layer ${i}`), size: i });
    const layers = Array.from({ length: 24_000 }, (_, i) => layer(i));
    const manifest = { ...(base as object), layers, artifactType: `application/vnd.example.${'x'.repeat(100_000)}` };
    const body = Buffer.from(JSON.stringify(manifest));
    expect(body.length).toBeGreaterThan(3.5 * 1024 * 1024);
    expect(body.length).toBeLessThanOrEqual(MAX_MANIFEST_BYTES);
    const before = (await stat(journal())).size;
    const res = await t.reg.putManifest(NAME, 'many-layers', body.toString());
    expect(res.status, await res.text()).toBe(201);
    expect((await stat(journal())).size - before).toBeLessThan(300 * 1024);
    const got = await t.reg.fetch(`/v2/${NAME}/manifests/many-layers`, { headers: { accept: OCI_MANIFEST } });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true);
  });

  it('shows no manifest annotations on the control-plane version (those are set with versions.patch)', async () => {
    const body = padded(base, 64 * 1024, { 'org.example.kind': 'version' });
    const digest = (await t.reg.putManifest(NAME, 'annotated', body.toString())).headers.get('docker-content-digest')!;
    const res = await fetch(`${t.emu.url}/v1/projects/test-project/locations/us-central1/repositories/repo/packages/app/versions?pageSize=1000`);
    expect(res.status).toBe(200);
    const { versions } = (await res.json()) as { versions: Array<{ name: string; annotations?: Record<string, string> }> };
    const version = versions.find((v) => v.name.endsWith(`/${digest}`));
    expect(version, JSON.stringify(versions.map((v) => v.name))).toBeDefined();
    expect(version!.annotations).toBeUndefined();
  });
});
