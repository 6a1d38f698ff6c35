// A port of the OCI distribution-spec conformance checks (commit 3c7a4ac8186fe1307bac6857bfdb48fc190ed57f
// of the v1.1 suite's 04_management_test.go, 4fc4ecbefaaa6e4e1682f59f5ac445d076cf642d for the
// main-branch rewrite), so CI checks them on every run; the official Go suite is run separately
// (see docs).
//
// Workflow "Content Management": the v1.1 specs (tag delete, manifest delete, tag list after delete,
// blob delete), then the rewrite's delete rules (DELETE 202, then HEAD 404 at once: tags, manifests,
// blobs; unknown ones 404).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  check, type Client, type Ctx, digestOf, errorCodes, expectStatus, is2xx, MT, NAMESPACE, pushBlob, putManifest,
  relLocation, startConformanceEmulator, suiteData, tagsOf,
} from './support.js';
import { deleteAtomic, manifestExists, runDataSet, TestData } from './support-v2.js';

const name = NAMESPACE;
const d = suiteData();
let ctx: Ctx | undefined;
let c: Client;

beforeAll(async () => {
  ctx = await startConformanceEmulator();
  c = ctx.client;
});
afterAll(async () => {
  await ctx?.emulator.stop();
});

describe('Content Management (v1.1 04_management_test.go)', () => {
  const tagToDelete = 'tagtest0';
  let numTags = 0;
  let blobDeleteAllowed = true;

  describe('Setup', () => {
    it('Populate registry with test config blob', async () => {
      await pushBlob(c, name, d.configs(3));
    });
    it('Populate registry with test layer', async () => {
      await pushBlob(c, name, d.layer);
    });
    it('Populate registry with test tag', async () => {
      expectStatus(await putManifest(c, name, tagToDelete, d.manifests(3)), is2xx);
    });
    it('Check how many tags there are before anything gets deleted', async () => {
      const res = await c.do('GET', `/v2/${name}/tags/list`);
      expectStatus(res, [200]);
      res.json();
      numTags = tagsOf(res).length;
    });
  });

  describe('Manifest delete', () => {
    it('DELETE request to manifest tag should return 202, unless tag deletion is disallowed (400/405)', async () => {
      const res = await c.do('DELETE', `/v2/${name}/manifests/${tagToDelete}`);
      expectStatus(res, [400, 202, 405]);
      if (res.status === 400) check(errorCodes(res)[0] === 'UNSUPPORTED', 'a 400 here must carry code UNSUPPORTED', res);
    });
    it('DELETE request to manifest (digest) should yield 202 response unless already deleted', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/manifests/${d.manifests(3).digest}`), [202, 404]);
    });
    it('GET request to deleted manifest URL should yield 404 response, unless delete is disallowed', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/manifests/${d.manifests(3).digest}`), [404, 200]);
    });
    it('GET request to tags list should reflect manifest deletion (200 even when no tag is left)', async () => {
      const res = await c.do('GET', `/v2/${name}/tags/list`);
      expectStatus(res, [200]);
      res.json();
      check(tagsOf(res).length < numTags, `expected fewer than ${numTags} tags`, res);
    });
  });

  describe('Blob delete', () => {
    it('DELETE request to blob URL should yield 202 response', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/blobs/${d.configs(3).digest}`), [202, 404, 405], 'config blob');
      const res = await c.do('DELETE', `/v2/${name}/blobs/${d.layer.digest}`);
      expectStatus(res, [202, 404, 405], 'layer blob');
      if (res.status === 405) blobDeleteAllowed = false;
    });
    it('GET request to deleted blob URL should yield 404 response', async () => {
      if (!blobDeleteAllowed) return;
      expectStatus(await c.do('GET', `/v2/${name}/blobs/${d.configs(3).digest}`), [404]);
    });
  });
});

describe('Content Management (main-branch rewrite TestDelete*)', () => {
  const accept = { accept: [MT.index, MT.manifest] };

  it('tag delete: DELETE tag -> 202, HEAD tag -> 404 at once, manifest still there by digest', async () => {
    const td = new TestData('tag delete');
    const dig = td.manifest({ tag: 'keep-manifest' });
    const body = td.manifests.get(dig)!;
    for (const [b, bytes] of td.blobs) await pushBlob(c, name, { digest: b, content: bytes, length: bytes.length });
    expectStatus(await putManifest(c, name, 'keep-manifest', { digest: dig, content: body, length: body.length }), [201]);
    expect(await deleteAtomic(c, `/v2/${name}/manifests/keep-manifest`, 'tag keep-manifest')).toBe('ok');
    await manifestExists(c, 'HEAD', name, dig, dig, body);
    check(!tagsOf(await c.do('GET', `/v2/${name}/tags/list`)).includes('keep-manifest'), 'deleted tag still listed');
    expect(await deleteAtomic(c, `/v2/${name}/manifests/${dig}`, 'manifest')).toBe('ok');
    for (const b of td.blobs.keys()) expect(await deleteAtomic(c, `/v2/${name}/blobs/${b}`, 'blob')).toBe('ok');
  });

  it('manifest delete by digest removes its tags: HEAD tag -> 404', async () => {
    const td = new TestData('manifest delete');
    const dig = td.manifest({ tag: 'gone-with-manifest' });
    const body = td.manifests.get(dig)!;
    for (const [b, bytes] of td.blobs) await pushBlob(c, name, { digest: b, content: bytes, length: bytes.length });
    expectStatus(await putManifest(c, name, 'gone-with-manifest', { digest: dig, content: body, length: body.length }), [201]);
    const del = await c.do('DELETE', `/v2/${name}/manifests/${dig}`);
    expectStatus(del, [202]);
    expectStatus(await c.do('HEAD', `/v2/${name}/manifests/${dig}`, { headers: accept }), [404], 'HEAD digest after delete');
    expectStatus(await c.do('HEAD', `/v2/${name}/manifests/gone-with-manifest`, { headers: accept }), [404], 'HEAD tag after manifest delete');
    for (const b of td.blobs.keys()) await deleteAtomic(c, `/v2/${name}/blobs/${b}`, 'blob');
  });

  it('deletes of unknown content: manifest digest, tag and blob -> 404 (202 also accepted by the suite)', async () => {
    const unknown = digestOf(randomBytes(64));
    for (const path of [`manifests/${unknown}`, 'manifests/never-pushed-tag', `blobs/${unknown}`]) {
      expectStatus(await c.do('DELETE', `/v2/${name}/${path}`), [404, 202], `DELETE ${path}`);
    }
  });

  it('data set image with two tags: full lifecycle including atomic deletes', async () => {
    const td = new TestData('Image two tags');
    const dig = td.manifest({ tag: 'one' });
    td.tags.set('two', dig);
    expect(await runDataSet(c, name, td)).toEqual([]);
  });

  it('blob delete then GET is 404 for sha512 blobs too', async () => {
    const bytes = randomBytes(100);
    const dig = digestOf(bytes, 'sha512');
    const post = await c.do('POST', `/v2/${name}/blobs/uploads/`);
    expectStatus(post, [202]);
    const put = await c.do('PUT', relLocation(post), { query: { digest: dig }, headers: { 'content-type': MT.octet }, body: bytes });
    expectStatus(put, [201]);
    expect(await deleteAtomic(c, `/v2/${name}/blobs/${dig}`, 'sha512 blob')).toBe('ok');
    expectStatus(await c.do('GET', `/v2/${name}/blobs/${dig}`), [404]);
  });
});
