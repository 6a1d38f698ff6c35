// OCI distribution-spec v1.1 "Pushing Manifests with Tags": PUT /v2/<name>/manifests/<digest>?tag=a&tag=b stores
// the manifest under the digest as given (a sha512 digest stays sha512), points every tag at it and answers one
// OCI-Tag header per tag; each tag is validated and checked (immutable tags, the tag-move permission) exactly as
// a push by that tag. skopeo then reads a tag back as a client would. None of the installed clients sends ?tag=
// (regclient does; it is not installed), so the pushes are plain HTTP.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainersEnv, type ContainersEnv } from '../../support/clients/containers.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const digestOf = (b: Buffer, alg: 'sha256' | 'sha512') => `${alg}:${createHash(alg).update(b).digest('hex')}`;

interface Pushed {
  body: Buffer;
  sha512: string;
  sha256: string;
}

/** Uploads a config and a layer (sha256, as clients do) and returns a manifest referencing them, not yet pushed. */
async function prepareImage(base: string, name: string, marker: string, headers: Record<string, string> = {}): Promise<Pushed> {
  const layer = Buffer.from(`layer ${marker}\n`);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2024-05-06T07:08:09.123456789Z', rootfs: { type: 'layers', diff_ids: [digestOf(layer, 'sha256')] } }));
  for (const blob of [layer, config]) {
    const res = await fetch(`${base}/v2/${name}/blobs/uploads/?digest=${digestOf(blob, 'sha256')}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: new Uint8Array(blob) });
    expect(res.status, await res.text()).toBe(201);
  }
  const body = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config, 'sha256'), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(layer, 'sha256'), size: layer.length }],
  }));
  return { body, sha512: digestOf(body, 'sha512'), sha256: digestOf(body, 'sha256') };
}

describeWithClients(['skopeo'], 'manifest PUT by digest with ?tag= parameters', () => {
  let emu: TestEmulator;
  let containers: ContainersEnv;
  const name = `${TEST_PROJECT}/tagparams/app`;
  const put = (path: string, body: Buffer, headers: Record<string, string> = {}) =>
    fetch(`${emu.url}/v2/${path}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST, ...headers }, body: new Uint8Array(body) });
  const head = (path: string) => fetch(`${emu.url}/v2/${path}`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } });

  beforeAll(async () => {
    emu = await startEmulator();
    await emu.createRepository('tagparams');
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=frozen`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'DOCKER', dockerConfig: { immutableTags: true } }),
    });
    expect(res.status).toBe(200);
    containers = await createContainersEnv();
  });
  afterAll(async () => {
    await containers?.cleanup();
    await emu?.stop();
  });

  it('tags a sha512 manifest two ways: OCI-Tag per tag, and a GET by either tag answers the sha512 digest', async () => {
    const img = await prepareImage(emu.url, name, 'sha512');
    const res = await put(`${name}/manifests/${img.sha512}?tag=v1&tag=stable`, img.body);
    expect(res.status, await res.text()).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(img.sha512);
    expect(res.headers.get('location')).toBe(`/v2/${name}/manifests/${img.sha512}`);
    // Node's fetch joins repeated headers with ", "; the server sends one OCI-Tag line per tag
    expect(res.headers.get('oci-tag')).toBe('v1, stable');
    for (const tag of ['v1', 'stable']) {
      const got = await fetch(`${emu.url}/v2/${name}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } });
      expect(got.status).toBe(200);
      expect(got.headers.get('docker-content-digest')).toBe(img.sha512);
      expect(Buffer.from(await got.arrayBuffer()).equals(img.body)).toBe(true);
    }
    const tags = (await (await fetch(`${emu.url}/v2/${name}/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags).toEqual(['stable', 'v1']);
    // the sha256 form of the same bytes was never stored
    expect((await head(`${name}/manifests/${img.sha256}`)).status).toBe(404);
  });

  it('is read back by tag by skopeo with the manifest bytes as pushed', async () => {
    const out = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${emu.registryHost}/${name}:stable`], { env: containers.env });
    expect(JSON.parse(out.stdout).mediaType).toBe(OCI_MANIFEST);
    expect(digestOf(Buffer.from(out.stdout), 'sha512')).toBe(
      (await fetch(`${emu.url}/v2/${name}/manifests/stable`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } })).headers.get('docker-content-digest'),
    );
  });

  it('refuses the whole push when one tag is malformed (TAG_INVALID), leaving the other tag unset', async () => {
    const img = await prepareImage(emu.url, name, 'bad-tag');
    const res = await put(`${name}/manifests/${img.sha256}?tag=good&tag=${encodeURIComponent('-bad')}`, img.body);
    expect(res.status).toBe(400);
    // TAG_INVALID renders as the registry's MANIFEST_INVALID (formats/docker/errors.ts), as for a PUT by that tag
    expect(((await res.json()) as { errors: Array<{ code: string; message: string }> }).errors[0]).toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringContaining('invalid tag "-bad"') });
    expect((await head(`${name}/manifests/good`)).status).toBe(404);
    expect((await head(`${name}/manifests/${img.sha256}`)).status).toBe(404);
  });

  it('applies immutable tags per tag: a new tag is added, moving an existing one is refused', async () => {
    const frozen = `${TEST_PROJECT}/frozen/app`;
    const a = await prepareImage(emu.url, frozen, 'a');
    expect((await put(`${frozen}/manifests/${a.sha256}?tag=release`, a.body)).status).toBe(201);
    // a second, new tag on the same digest is allowed in an immutable repository (spec §4.1)
    const again = await put(`${frozen}/manifests/${a.sha256}?tag=release&tag=extra`, a.body);
    expect(again.status).toBe(201);
    expect(again.headers.get('oci-tag')).toBe('release, extra');
    const b = await prepareImage(emu.url, frozen, 'b');
    const moved = await put(`${frozen}/manifests/${b.sha256}?tag=fresh&tag=release`, b.body);
    expect(moved.status).toBe(400);
    expect(JSON.stringify(await moved.json())).toMatch(/immutable/i);
    expect((await head(`${frozen}/manifests/fresh`)).status).toBe(404);
    expect((await head(`${frozen}/manifests/release`)).headers.get('docker-content-digest')).toBe(a.sha256);
  });
});

describe('manifest PUT with ?tag= in enforce mode', () => {
  let emu: TestEmulator;
  const tokens: Record<string, string> = {};
  const name = `${TEST_PROJECT}/guarded/app`;
  const call = async (path: string, body: unknown, token = tokens.owner) => {
    const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    emu = await startEmulator({ iam: 'enforce' });
    tokens.owner = String((await call('/_emulator/iam/tokens', { principal: 'user:owner@ar-emulator.local' }, '')).accessToken);
    await call(`/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=guarded`, { format: 'DOCKER' });
    const sa = (id: string) => `serviceAccount:${id}@${TEST_PROJECT}.iam.gserviceaccount.com`;
    for (const id of ['writer', 'reader']) await call(`/v1/projects/${TEST_PROJECT}/serviceAccounts`, { accountId: id });
    await call(`/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/guarded:setIamPolicy`, {
      policy: { bindings: [{ role: 'roles/artifactregistry.writer', members: [sa('writer')] }, { role: 'roles/artifactregistry.reader', members: [sa('reader')] }] },
    });
    for (const id of ['writer', 'reader']) tokens[id] = String((await call('/_emulator/iam/tokens', { principal: sa(id) })).accessToken);
  }, 60_000);
  afterAll(async () => {
    await emu?.stop();
  });

  it('lets a writer (uploadArtifacts + tags.update) move tags through ?tag= and refuses a reader with the real text', async () => {
    const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
    const put = (img: Pushed, query: string, who: string) =>
      fetch(`${emu.url}/v2/${name}/manifests/${img.sha256}?${query}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST, ...as(who) }, body: new Uint8Array(img.body) });
    const a = await prepareImage(emu.url, name, 'a', as('writer'));
    expect((await put(a, 'tag=latest', 'writer')).status).toBe(201);
    const b = await prepareImage(emu.url, name, 'b', as('writer'));
    const denied = await put(b, 'tag=latest', 'reader');
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toBe(
      `Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/guarded" (or it may not exist)`,
    );
    const moved = await put(b, 'tag=latest&tag=b', 'writer');
    expect(moved.status).toBe(201);
    expect(moved.headers.get('oci-tag')).toBe('latest, b');
    const got = await fetch(`${emu.url}/v2/${name}/manifests/latest`, { method: 'HEAD', headers: { ...as('reader'), accept: OCI_MANIFEST } });
    expect(got.headers.get('docker-content-digest')).toBe(b.sha256);
  });
});
