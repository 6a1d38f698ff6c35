// Cleanup and multi-platform images: the platform manifests of an image index are untagged versions, but
// "delete untagged older than 30 days" must not delete them while a tagged index still lists them (the real
// registry refuses to delete a manifest a parent references; pulls of the tagged index would break). An
// untagged old index goes, with its own platform manifests, parents first.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPO = 'multi';
const REPOSITORY = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPO}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const NAME = `${TEST_PROJECT}/${REPO}/app`;

let emu: TestEmulator;
const d: Record<string, string> = {};
const sha = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function put(reference: string, body: string, type: string): Promise<void> {
  const res = await fetch(`${emu.url}/v2/${NAME}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': type }, body });
  if (res.status !== 201) throw new Error(`PUT ${reference}: ${res.status} ${await res.text()}`);
}
async function platformImage(arch: string, layer: string): Promise<{ digest: string; size: number; arch: string }> {
  const config = JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  for (const blob of [config, layer]) {
    const res = await fetch(`${emu.url}/v2/${NAME}/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', body: blob });
    if (res.status !== 201) throw new Error(`blob ${res.status}`);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  });
  await put(sha(manifest), manifest, MANIFEST);
  return { digest: sha(manifest), size: manifest.length, arch };
}
async function index(reference: string | undefined, children: Array<{ digest: string; size: number; arch: string }>): Promise<string> {
  const body = JSON.stringify({
    schemaVersion: 2, mediaType: INDEX,
    manifests: children.map((c) => ({ mediaType: MANIFEST, digest: c.digest, size: c.size, platform: { architecture: c.arch, os: 'linux' } })),
  });
  await put(reference ?? sha(body), body, INDEX);
  if (reference) await put(sha(body), body, INDEX);
  return sha(body);
}
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const versions = async () =>
  (((await call('GET', `/v1/${REPOSITORY}/packages/app/versions?pageSize=100`)).body.versions ?? []) as Array<{ name: string }>).map((v) => decodeURIComponent(v.name.split('/versions/')[1]!)).sort();

beforeAll(async () => {
  emu = await startEmulator({ cleanupIntervalMs: 1000 * 86_400_000 });
  await emu.createRepository(REPO);
  const keptAmd = await platformImage('amd64', 'kept amd64');
  const shared = await platformImage('arm64', 'shared arm64');
  const oldAmd = await platformImage('amd64', 'old amd64');
  d.keptAmd = keptAmd.digest;
  d.shared = shared.digest;
  d.oldAmd = oldAmd.digest;
  d.tagged = await index('v1', [keptAmd, shared]);
  d.untagged = await index(undefined, [oldAmd, shared]);
  d.loose = (await platformImage('s390x', 'loose')).digest;
  await call('POST', '/_emulator/clock', { advance: '31d' });
  await call('PATCH', `/v1/${REPOSITORY}?updateMask=cleanupPolicies`, {
    cleanupPolicies: { 'delete-untagged-30d': { id: 'delete-untagged-30d', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '2592000s' } } },
  });
});
afterAll(() => emu?.stop());

it('a dry run names the untagged index, then its own platform manifest and the loose one, but not what the tagged index lists', async () => {
  const r = await call('POST', '/_emulator/cleanup:run', { repository: REPOSITORY, dryRun: true });
  const deleted = (r.body.deleted as Array<{ version: string }>).map((x) => x.version);
  expect(new Set(deleted)).toEqual(new Set([d.untagged, d.oldAmd, d.loose]));
  // the index comes before the manifest it lists
  expect(deleted.indexOf(d.untagged!)).toBeLessThan(deleted.indexOf(d.oldAmd!));
  expect(r.body.keptCount).toBe(3);
});

it('the real run deletes exactly that, and the tagged index still resolves on every platform', async () => {
  const r = await call('POST', '/_emulator/cleanup:run', { repository: REPOSITORY, dryRun: false });
  expect(r.body.failed).toBeUndefined();
  expect((r.body.deleted as unknown[]).length).toBe(3);
  expect(await versions()).toEqual([d.keptAmd, d.shared, d.tagged].sort());
  for (const digest of [d.tagged, d.keptAmd, d.shared]) {
    const res = await fetch(`${emu.url}/v2/${NAME}/manifests/${digest}`, { headers: { accept: `${INDEX}, ${MANIFEST}` } });
    expect(res.status).toBe(200);
  }
  const gone = await fetch(`${emu.url}/v2/${NAME}/manifests/${d.oldAmd}`, { headers: { accept: MANIFEST } });
  expect(gone.status).toBe(404);
});
