// packages, versions, tags, files and dockerImages over REST, on images pushed through the registry API;
// deletes through either side are seen by the other.
import { describe, expect, it, beforeAll } from 'vitest';
import { useRegistry } from '../../../test/support/registry.js';

const t = useRegistry(['repo']);
const REPO = '/v1/projects/test-project/locations/us-central1/repositories/repo';
const IMAGE = 'team/app';
const PKG = `${REPO}/packages/team%2Fapp`;
let v1 = '';
let v2 = '';

const get = async (path: string) => {
  const res = await fetch(`${t.emu.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { status: string } } };
};
const send = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${t.emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { status: string; message: string } } };
};

beforeAll(async () => {
  const name = `test-project/repo/${IMAGE}`;
  v1 = (await t.reg.putManifest(name, 'v1', await t.reg.imageManifest(name, 'one'))).headers.get('docker-content-digest')!;
  await t.reg.putManifest(name, 'latest', JSON.parse(await (await t.reg.fetch(`/v2/${name}/manifests/v1`)).text()));
  v2 = (await t.reg.putManifest(name, 'v2', await t.reg.imageManifest(name, 'two'))).headers.get('docker-content-digest')!;
});

describe('listPackages', () => {
  it('lists one package per image, with the slash escaped', async () => {
    const { body } = await get(`${REPO}/packages`);
    expect(body.packages).toEqual([expect.objectContaining({ name: `projects/test-project/locations/us-central1/repositories/repo/packages/team%2Fapp` })]);
  });
});

describe('getPackage', () => {
  it('gets a package, and NOT_FOUND for an unknown one', async () => {
    expect((await get(PKG)).body).toMatchObject({ createTime: expect.any(String), updateTime: expect.any(String) });
    expect((await get(`${REPO}/packages/nope`)).status).toBe(404);
  });
});

describe('listVersions', () => {
  it('lists one version per manifest digest with Docker metadata, tags only in the FULL view', async () => {
    const basic = await get(`${PKG}/versions`);
    const versions = basic.body.versions as Array<{ name: string; metadata: Record<string, string>; relatedTags?: unknown[] }>;
    expect(versions.map((v) => v.name.split('/').pop())).toEqual(expect.arrayContaining([v1, v2]));
    expect(versions[0]!.metadata).toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json', imageSizeBytes: expect.stringMatching(/^\d+$/) });
    expect(versions[0]!.relatedTags).toBeUndefined();
    const full = await get(`${PKG}/versions?view=FULL&orderBy=create_time`);
    const first = (full.body.versions as Array<{ relatedTags: Array<{ name: string }> }>)[0]!;
    expect(first.relatedTags.map((tg) => tg.name.split('/').pop()).sort()).toEqual(['latest', 'v1']);
  });
});

describe('getVersion', () => {
  it('gets a version by digest', async () => {
    const { body } = await get(`${PKG}/versions/${v2}?view=FULL`);
    expect(body.name).toBe(`projects/test-project/locations/us-central1/repositories/repo/packages/team%2Fapp/versions/${v2}`);
  });
});

describe('listTags', () => {
  it('lists tags with their version names, filtered by version', async () => {
    const { body } = await get(`${PKG}/tags`);
    expect((body.tags as Array<{ name: string }>).map((x) => x.name.split('/').pop())).toEqual(['latest', 'v1', 'v2']);
    const filtered = await get(`${PKG}/tags?filter=${encodeURIComponent(`version="*${v2}"`)}`);
    expect((filtered.body.tags as unknown[]).length).toBe(1);
  });
});

describe('createTag', () => {
  it('creates a tag the registry serves, and refuses a duplicate', async () => {
    const created = await send('POST', `${PKG}/tags?tagId=stable`, { version: `projects/test-project/locations/us-central1/repositories/repo/packages/team%2Fapp/versions/${v1}` });
    expect(created.status).toBe(200);
    expect((await t.reg.fetch(`/v2/test-project/repo/${IMAGE}/manifests/stable`, { method: 'HEAD' })).headers.get('docker-content-digest')).toBe(v1);
    expect((await send('POST', `${PKG}/tags?tag_id=stable`, { version: v1 })).status).toBe(409);
  });
});

describe('getTag', () => {
  it('gets a tag', async () => {
    expect((await get(`${PKG}/tags/v1`)).body.version).toMatch(new RegExp(`${v1}$`));
  });
});

describe('updateTag', () => {
  it('moves a tag to another version', async () => {
    const moved = await send('PATCH', `${PKG}/tags/stable?updateMask=version`, { version: v2 });
    expect(moved.body.version).toMatch(new RegExp(`${v2}$`));
    expect((await t.reg.fetch(`/v2/test-project/repo/${IMAGE}/manifests/stable`, { method: 'HEAD' })).headers.get('docker-content-digest')).toBe(v2);
  });
});

describe('deleteTag', () => {
  it('deletes a tag, which the registry then does not know', async () => {
    expect(await send('DELETE', `${PKG}/tags/stable`)).toEqual({ status: 200, body: {} });
    expect((await t.reg.fetch(`/v2/test-project/repo/${IMAGE}/manifests/stable`, { method: 'HEAD' })).status).toBe(404);
  });
});

describe('listFiles', () => {
  it('lists manifests and blobs as files with sha256 hashes and owners', async () => {
    const { body } = await get(`${REPO}/files`);
    const files = body.files as Array<{ name: string; sizeBytes: string; hashes: Array<{ type: string; value: string }>; owner: string }>;
    const manifest = files.find((f) => f.name.endsWith(v1))!;
    expect(manifest.hashes[0]).toEqual({ type: 'SHA256', value: Buffer.from(v1.slice(7), 'hex').toString('base64') });
    expect(manifest.owner).toMatch(/packages\/team%2Fapp\/versions\//);
  });
});

describe('getFile', () => {
  it('gets a file by digest', async () => {
    expect((await get(`${REPO}/files/${v1}`)).body.sizeBytes).toMatch(/^\d+$/);
  });
});

describe('downloadFile', () => {
  it('downloads the bytes with alt=media', async () => {
    const res = await fetch(`${t.emu.url}${REPO}/files/${v1}:download?alt=media`);
    const registry = await t.reg.fetch(`/v2/test-project/repo/${IMAGE}/manifests/${v1}`);
    expect(await res.text()).toBe(await registry.text());
  });
});

describe('deleteFile', () => {
  it('refuses to delete a file outside generic repositories', async () => {
    expect((await send('DELETE', `${REPO}/files/${v1}`)).body.error?.status).toBe('FAILED_PRECONDITION');
  });
});

describe('listDockerImages', () => {
  it('lists images with their uri and tags', async () => {
    const { body } = await get(`${REPO}/dockerImages`);
    const img = (body.dockerImages as Array<{ name: string; uri: string; tags?: string[] }>).find((d) => d.name.endsWith(v1))!;
    expect(img.uri).toBe(`localhost:${t.emu.emulator.port}/test-project/repo/${IMAGE}@${v1}`);
    expect(img.tags?.sort()).toEqual(['latest', 'v1']);
  });
});

describe('getDockerImage', () => {
  it('gets an image by IMAGE@DIGEST', async () => {
    expect((await get(`${REPO}/dockerImages/team%2Fapp@${v2}`)).body.tags).toEqual(['v2']);
  });
});

describe('deleteVersion', () => {
  it('refuses a tagged version without force, deletes it with force, after which the registry 404s', async () => {
    const refused = await send('DELETE', `${PKG}/versions/${v1}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error?.status).toBe('FAILED_PRECONDITION');
    const done = await send('DELETE', `${PKG}/versions/${v1}?force=true`);
    expect(done.body).toMatchObject({ done: true });
    expect((await t.reg.fetch(`/v2/test-project/repo/${IMAGE}/manifests/v1`, { method: 'HEAD' })).status).toBe(404);
    expect((await t.reg.fetch(`/v2/test-project/repo/${IMAGE}/manifests/latest`, { method: 'HEAD' })).status).toBe(404);
  });

  it('sees a version deleted through the registry as gone', async () => {
    const name = `test-project/repo/${IMAGE}`;
    const d = (await t.reg.putManifest(name, 'tmp', await t.reg.imageManifest(name, 'tmp'))).headers.get('docker-content-digest')!;
    await t.reg.fetch(`/v2/${name}/manifests/${d}`, { method: 'DELETE' });
    expect((await get(`${PKG}/versions/${d}`)).status).toBe(404);
  });
});

describe('batchDeleteVersions', () => {
  it('validates without deleting, then deletes', async () => {
    const name = `test-project/repo/${IMAGE}`;
    const d = (await t.reg.putManifest(name, 'batch', await t.reg.imageManifest(name, 'batch'))).headers.get('docker-content-digest')!;
    const version = `projects/test-project/locations/us-central1/repositories/repo/packages/team%2Fapp/versions/${d}`;
    await send('POST', `${PKG}/versions:batchDelete`, { names: [version], validateOnly: true });
    expect((await get(`${PKG}/versions/${d}`)).status).toBe(200);
    const op = await send('POST', `${PKG}/versions:batchDelete`, { names: [version] });
    expect(op.body).toMatchObject({ done: true, metadata: { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.BatchDeleteVersionsMetadata' } });
    expect((await get(`${PKG}/versions/${d}`)).status).toBe(404);
  });
});

describe('updateVersion', () => {
  it('sets annotations under updateMask=annotations, filterable, and refuses other fields', async () => {
    const res = await send('PATCH', `${PKG}/versions/${v2}?updateMask=annotations`, { annotations: { 'build.id': '42' } });
    expect(res.body.annotations).toEqual({ 'build.id': '42' });
    expect((await get(`${PKG}/versions/${v2}`)).body.annotations).toEqual({ 'build.id': '42' });
    const filtered = await get(`${PKG}/versions?filter=${encodeURIComponent('annotations="build.id:42"')}`);
    expect((filtered.body.versions as unknown[]).length).toBe(1);
    expect((await send('PATCH', `${PKG}/versions/${v2}?updateMask=description`, { description: 'x' })).status).toBe(400);
  });
});

describe('updatePackage', () => {
  it('sets annotations', async () => {
    expect((await send('PATCH', `${PKG}?updateMask=annotations`, { annotations: { team: 'web' } })).body.annotations).toEqual({ team: 'web' });
    expect((await get(PKG)).body.annotations).toEqual({ team: 'web' });
    expect((await send('PATCH', `${PKG}?updateMask=annotations`, { annotations: { team: 7 } })).status).toBe(400);
  });
});

describe('updateFile', () => {
  it('sets annotations and requires an update mask', async () => {
    expect((await send('PATCH', `${REPO}/files/${v2}?updateMask=annotations`, { annotations: { scanned: 'yes' } })).body.annotations).toEqual({ scanned: 'yes' });
    expect((await send('PATCH', `${REPO}/files/${v2}`, { annotations: { scanned: 'no' } })).status).toBe(400);
  });
});

describe('deletePackage', () => {
  it('deletes the image with every version and tag', async () => {
    expect((await send('DELETE', PKG)).body).toMatchObject({ done: true });
    expect((await get(PKG)).status).toBe(404);
    expect((await t.reg.fetch(`/v2/test-project/repo/${IMAGE}/manifests/v2`, { method: 'HEAD' })).status).toBe(404);
  });
});
