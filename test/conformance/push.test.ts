// A port of the OCI distribution-spec conformance checks (commit 11b8e3fba7d2d7329513d0cff53058243c334858
// and the later stored revision of the v1.1 suite's 02_push_test.go, 4fc4ecbefaaa6e4e1682f59f5ac445d076cf642d
// for the main-branch rewrite), so CI checks them on every run; the official Go suite is run separately
// (see docs).
//
// Workflow "Push": the v1.1 specs in their order (streamed, monolithic, chunked, cross-mount, manifest
// upload, teardown), then the rewrite's blob-API matrix for sha256 and sha512 (post only, post+put,
// chunked, streamed, mounts, empty blobs, bad digests) and its manifest digest errors.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Algo, check, type Client, CROSSMOUNT_NAMESPACE, type Ctx, digestOf, expectStatus, is2xx, MT, NAMESPACE,
  pushBlob, putManifest, type Res, relLocation, startConformanceEmulator, suiteData,
} from './support.js';
import {
  blobChunked, blobGetExists, blobHeadExists, blobMount, blobPostOnly, blobPostPut, blobStream, CHUNK_MIN,
  deleteAtomic, manifestPut, pushAny, TestData,
} from './support-v2.js';

const name = NAMESPACE;
const cross = CROSSMOUNT_NAMESPACE;
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

describe('Push (v1.1 02_push_test.go)', () => {
  let last: Res | undefined;
  let prev: Res | undefined;
  const need = (r: Res | undefined): Res => {
    check(r, 'previous spec produced no response');
    return r;
  };
  const octet = { 'content-type': MT.octet };

  describe('Setup', () => {
    it('Upload empty JSON blob needed for further tests', async () => {
      expect(d.emptyJSON.digest).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
      await pushBlob(c, name, d.emptyJSON);
    });
    it('Upload blob needed for further tests', async () => {
      await pushBlob(c, name, d.refBlobA);
    });
  });

  describe('Blob Upload Streamed', () => {
    it('PATCH request with blob in body should yield 202 response', async () => {
      const post = await c.do('POST', `/v2/${name}/blobs/uploads/`);
      check(post.header('location'), 'POST returned no Location', post);
      last = await c.do('PATCH', relLocation(post), { headers: octet, body: d.testBlobA.content });
      expectStatus(last, [202]);
    });
    it('PUT request to session URL with digest should yield 201 response', async () => {
      // Go sets "Content-Length: 42" but sends no body, so the wire carries Content-Length: 0
      const res = await c.do('PUT', relLocation(need(last)), { query: { digest: d.testBlobA.digest }, headers: octet });
      expectStatus(res, [201]);
      check(res.header('location'), 'no Location', res);
    });
  });

  describe('Blob Upload Monolithic', () => {
    const cfg = d.configs(1);
    it('GET nonexistent blob should result in 404 response', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/blobs/${d.dummyDigest}`), [404]);
    });
    it('POST request with digest and blob should yield a 201 or 202', async () => {
      last = await c.do('POST', `/v2/${name}/blobs/uploads/`, { query: { digest: cfg.digest }, headers: octet, body: cfg.content });
      check(last.header('location'), 'no Location', last);
      expectStatus(last, [201, 202]);
    });
    it('GET request to blob URL from prior request should yield 200 or 404 based on response code', async () => {
      const res = await c.do('GET', `/v2/${name}/blobs/${cfg.digest}`);
      expectStatus(res, need(last).status === 202 ? [404] : [200]);
    });
    it('POST request should yield a session ID', async () => {
      last = await c.do('POST', `/v2/${name}/blobs/uploads/`);
      expectStatus(last, [202]);
    });
    it('PUT upload of a blob should yield a 201 Response', async () => {
      const res = await c.do('PUT', relLocation(need(last)), { query: { digest: cfg.digest }, headers: octet, body: cfg.content });
      check(res.header('location'), 'no Location', res);
      expectStatus(res, [201]);
    });
    it('GET request to existing blob should yield 200 response', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/blobs/${cfg.digest}`), [200]);
    });
    it('PUT upload of a layer blob should yield a 201 Response', async () => {
      const post = await c.do('POST', `/v2/${name}/blobs/uploads/`);
      const res = await c.do('PUT', relLocation(post), { query: { digest: d.layer.digest }, headers: octet, body: d.layer.content });
      check(res.header('location'), 'no Location', res);
      expectStatus(res, [201]);
    });
    it('GET request to existing layer should yield 200 response', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/blobs/${d.layer.digest}`), [200]);
    });
  });

  describe('Blob Upload Chunked', () => {
    const b = d.chunked;
    const patch = (loc: string, range: string, body: Buffer) =>
      c.do('PATCH', loc, { headers: { ...octet, 'content-range': range }, body });
    it('Out-of-order blob upload should return 416', async () => {
      const post = await c.do('POST', `/v2/${name}/blobs/uploads/`, { body: Buffer.alloc(0) });
      check(post.header('location'), 'no Location', post);
      const min = Number(post.header('oci-chunk-min-length') || 0);
      check(min <= b.chunk1.length, `OCI-Chunk-Min-Length ${min} > 22: the Go suite would regenerate a bigger blob`, post);
      expectStatus(await patch(relLocation(post), b.range2, b.chunk2), [416]);
    });
    it('PATCH request with first chunk should return 202', async () => {
      prev = await c.do('POST', `/v2/${name}/blobs/uploads/`, { body: Buffer.alloc(0) });
      check(prev.header('location'), 'no Location', prev);
      last = await patch(relLocation(prev), b.range1, b.chunk1);
      expectStatus(last, [202]);
      check(last.header('range') === b.range1, `Range expected ${b.range1}`, last);
    });
    it('Retry previous blob chunk should return 416', async () => {
      expectStatus(await patch(relLocation(need(prev)), b.range1, b.chunk1), [416]);
    });
    it('Get on stale blob upload should return 204 with a range and location', async () => {
      last = await c.do('GET', relLocation(need(prev)));
      expectStatus(last, [204]);
      check(last.header('location'), 'no Location', last);
      check(last.header('range') === b.range1, `Range expected ${b.range1}`, last);
    });
    it('PATCH request with second chunk should return 202', async () => {
      last = await patch(relLocation(need(last)), b.range2, b.chunk2);
      expectStatus(last, [202]);
      check(last.header('range') === `0-${b.blob.length - 1}`, `Range expected 0-${b.blob.length - 1}`, last);
      check(last.header('location'), 'no Location', last);
    });
    it('PUT request with digest should return 201', async () => {
      const res = await c.do('PUT', relLocation(need(last)), { query: { digest: b.blob.digest }, headers: octet, body: Buffer.alloc(0) });
      expectStatus(res, [201]);
      check(res.header('location'), 'no Location', res);
    });
  });

  describe('Cross-Repository Blob Mount', () => {
    it('Cross-mounting of a blob without the from argument should yield session id', async () => {
      const res = await c.do('POST', `/v2/${cross}/blobs/uploads/`, { query: { mount: d.dummyDigest } });
      expectStatus(res, [202]);
      check(res.header('location'), 'no Location', res);
    });
    it("POST request to mount another repository's blob should return 201 or 202", async () => {
      last = await c.do('POST', `/v2/${cross}/blobs/uploads/`, { query: { mount: d.testBlobA.digest, from: name } });
      expectStatus(last, [201, 202]);
    });
    it('GET request to test digest within cross-mount namespace should return 200 (when 201)', async () => {
      if (need(last).status !== 201) return;
      check(relLocation(need(last)) === `/v2/${cross}/blobs/${d.testBlobA.digest}`, 'mount Location must be exactly /v2/<cross>/blobs/<digest>', last);
      expectStatus(await c.do('GET', relLocation(need(last))), [200]);
    });
    it('Cross-mounting of nonexistent blob should yield session id (when 202)', () => {
      if (need(last).status !== 202) return;
      check(relLocation(need(last)).startsWith(`/v2/${cross}/blobs/uploads/`), 'Location must be an upload session', last);
    });
  });

  describe('Manifest Upload', () => {
    it('GET nonexistent manifest should return 404', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/manifests/${d.nonexistentManifest}`), [404]);
    });
    it('PUT should accept a manifest upload', async () => {
      for (let i = 0; i < 4; i++) {
        const res = await putManifest(c, name, `test${i}`, d.manifests(1));
        check(res.header('location'), 'no Location', res);
        expectStatus(res, [201]);
      }
    });
    it('Registry should accept a manifest upload with no layers', async () => {
      const res = await putManifest(c, name, 'emptylayer', d.emptyLayerManifest);
      expectStatus(res, [201], 'the Go suite only warns here');
      check(res.header('location'), 'no Location', res);
    });
    it('GET request to manifest URL (digest) should yield 200 response', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/manifests/${d.manifests(1).digest}`, { headers: { accept: MT.manifest } }), [200]);
    });
    it('Registry should accept a manifest upload with custom config/mediaType (as artifact type) [OCI-Image v1.1]', async () => {
      expectStatus(await putManifest(c, name, d.configTypeManifest.digest, d.configTypeManifest), is2xx);
    });
    it('Registry should accept a manifest upload with custom artifactType [OCI-Image v1.1]', async () => {
      expectStatus(await putManifest(c, name, d.artifactTypeManifest.digest, d.artifactTypeManifest), is2xx);
    });
    const index = d.index([{ mediaType: MT.manifest, blob: d.manifests(0) }]);
    it('Registry should accept a manifest upload with image index', async () => {
      await pushBlob(c, name, d.configs(0));
      expectStatus(await putManifest(c, name, 'tagtest0', d.manifests(0)), is2xx);
      expectStatus(await putManifest(c, name, index.digest, index, MT.index), is2xx);
    });
    it('Registry should accept a manifest upload with nested image index [OCI-Image v1.1]', async () => {
      const nested = d.index([{ mediaType: MT.index, blob: index }]);
      expectStatus(await putManifest(c, name, nested.digest, nested, MT.index), is2xx);
    });
    it('Dangling subject [OCI-Image v1.1]', async () => {
      const res = await putManifest(c, name, d.refsCLayerImage.digest, d.refsCLayerImage);
      expectStatus(res, is2xx);
      // the Go revision matches ^[a-f0-9]+:[a-f0-9]+$, which no "sha256:…" value can satisfy (its bug);
      // checked here with the algorithm part widened, and against the real subject digest
      check(/^[a-z0-9]+:[a-f0-9]+$/.test(res.header('oci-subject')), 'PUT manifest with subject must return OCI-Subject', res);
      check(res.header('oci-subject') === d.manifests(3).digest, `OCI-Subject expected ${d.manifests(3).digest}`, res);
    });
  });

  describe('Teardown', () => {
    const okOr405 = (s: number) => is2xx(s) || s === 405;
    const okOr404Or405 = (s: number) => is2xx(s) || s === 404 || s === 405;
    it('Delete manifest created in tests', async () => {
      for (const m of [d.manifests(1), d.configTypeManifest, d.artifactTypeManifest, d.emptyLayerManifest]) {
        expectStatus(await c.do('DELETE', `/v2/${name}/manifests/${m.digest}`), okOr405);
      }
    });
    it('Delete config blob created in tests', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/blobs/${d.configs(1).digest}`), okOr404Or405);
    });
    it('Delete layer blob created in setup', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/blobs/${d.layer.digest}`), okOr404Or405);
      expectStatus(await c.do('DELETE', `/v2/${name}/blobs/${d.emptyJSON.digest}`), okOr404Or405);
    });
  });
});

describe('Push (main-branch rewrite run.go TestBlobAPIs)', () => {
  for (const algo of ['sha256', 'sha512'] as Algo[]) {
    describe(`${algo} blobs`, () => {
      const gen = (size: number) => {
        const bytes = randomBytes(size);
        return { bytes, dig: digestOf(bytes, algo) };
      };
      const afterPush = async (dig: string, bytes: Buffer, repos: string[] = [name]) => {
        await blobHeadExists(c, name, dig, bytes);
        await blobGetExists(c, name, dig, bytes);
        for (const repo of repos) expect(await deleteAtomic(c, `/v2/${repo}/blobs/${dig}`, `blob in ${repo}`)).toBe('ok');
      };
      it('get-missing: GET never pushed blob is 404', async () => {
        expectStatus(await c.do('GET', `/v2/${name}/blobs/${gen(512).dig}`), [404]);
      });
      it('post only: POST ?digest with body -> 201 (202+PUT fallback = unsupported)', async () => {
        const { bytes, dig } = gen(512);
        expect(await blobPostOnly(c, name, dig, bytes)).toBe('ok');
        await afterPush(dig, bytes);
      });
      it('post+put: POST -> 202, PUT ?digest with body -> 201', async () => {
        const { bytes, dig } = gen(512);
        await blobPostPut(c, name, dig, bytes);
        await afterPush(dig, bytes);
      });
      it('chunked single: one PATCH with Content-Range, PUT ?digest', async () => {
        const { bytes, dig } = gen(512);
        await blobChunked(c, name, dig, bytes);
        await afterPush(dig, bytes);
      });
      it('stream: PATCH without Content-Range or Content-Length (chunked encoding)', async () => {
        const { bytes, dig } = gen(512);
        await blobStream(c, name, dig, bytes);
        await afterPush(dig, bytes);
      });
      it('mount: POST ?mount&from from the second repository -> 201', async () => {
        const { bytes, dig } = gen(512);
        await pushAny(c, cross, dig, bytes);
        const { result, post } = await blobMount(c, name, cross, dig, bytes);
        check(result === 'ok', 'mount from a repository holding the blob should be 201 (202 = Skip in the Go suite)', post);
        await afterPush(dig, bytes, [name, cross]);
      });
      it('mount anonymous: POST ?mount without from -> 201', async () => {
        const { bytes, dig } = gen(512);
        await pushAny(c, cross, dig, bytes);
        const { result, post } = await blobMount(c, name, undefined, dig, bytes);
        check(result === 'ok', 'anonymous mount of a blob known to the registry should be 201 (202 = Skip in the Go suite)', post);
        await afterPush(dig, bytes, [name, cross]);
      });
      it('mount missing: POST ?mount&from of a blob that exists nowhere must not be 201', async () => {
        const { bytes, dig } = gen(512);
        const { result, post } = await blobMount(c, name, cross, dig, bytes);
        check(result === 'unsupported', 'blob mount of a missing blob incorrectly succeeded (201)', post);
        await deleteAtomic(c, `/v2/${name}/blobs/${dig}`, 'blob');
      });
      const big = CHUNK_MIN * 3 - 5;
      for (const [label, opts] of [
        ['chunked multi', {}],
        ['chunked multi and put chunk', { putLastChunk: true }],
        ['chunked out-of-order (416, then GET 204 + Range, then resume)', { outOfOrder: true }],
        ['chunked out-of-order and put chunk', { outOfOrder: true, putLastChunk: true }],
      ] as const) {
        it(`${label}: ${big}-byte blob in 1024-byte chunks`, async () => {
          const { bytes, dig } = gen(big);
          await blobChunked(c, name, dig, bytes, opts);
          await afterPush(dig, bytes);
        });
      }
      for (const [label, content] of [['empty', Buffer.alloc(0)], ['emptyJSON', Buffer.from('{}')]] as const) {
        it(`${label} blob: push, HEAD, GET, delete`, async () => {
          const dig = digestOf(content, algo);
          await pushAny(c, name, dig, content);
          await afterPush(dig, content);
        });
      }
      const bad = () => {
        const { bytes, dig } = gen(big);
        return { dig, bytes: Buffer.concat([bytes, Buffer.from('oh no')]) };
      };
      it('bad digest post only -> 400', async () => {
        const b = bad();
        await blobPostOnly(c, name, b.dig, b.bytes, { expectBadDigest: true });
      });
      it('bad digest post+put -> 400', async () => {
        const b = bad();
        await blobPostPut(c, name, b.dig, b.bytes, { expectBadDigest: true });
      });
      it('bad digest chunked -> 400', async () => {
        const b = bad();
        await blobChunked(c, name, b.dig, b.bytes, { expectBadDigest: true });
      });
      it('bad digest chunked and put chunk -> 400', async () => {
        const b = bad();
        await blobChunked(c, name, b.dig, b.bytes, { expectBadDigest: true, putLastChunk: true });
      });
      it('bad digest stream -> 400', async () => {
        const b = bad();
        await blobStream(c, name, b.dig, b.bytes, { expectBadDigest: true });
      });
    });
  }

  it('bad-digest-image: manifest PUT by digest with two trailing spaces -> 400', async () => {
    const td = new TestData('Bad Digest Image');
    const dig = td.manifest();
    for (const [b, bytes] of td.blobs) await pushAny(c, name, b, bytes);
    await manifestPut(c, name, dig, dig, Buffer.concat([td.manifests.get(dig)!, Buffer.from('  ')]), { expectBadDigest: true });
    await deleteAtomic(c, `/v2/${name}/manifests/${dig}`, 'manifest');
  });

  it('invalid-digest-format: PUT manifests/sha256:baddigeststring -> 400, GET -> 404 or 400', async () => {
    const td = new TestData('Invalid Manifest Digest');
    const dig = td.manifest({ layerCount: 1 });
    for (const [b, bytes] of td.blobs) await pushAny(c, name, b, bytes);
    await manifestPut(c, name, 'sha256:baddigeststring', dig, td.manifests.get(dig)!, { expectBadDigest: true });
    const get = await c.do('GET', `/v2/${name}/manifests/sha256:baddigeststring`, { headers: { accept: [MT.index, MT.manifest] } });
    expectStatus(get, [404, 400]);
    await deleteAtomic(c, `/v2/${name}/manifests/${dig}`, 'manifest');
    for (const b of td.blobs.keys()) await deleteAtomic(c, `/v2/${name}/blobs/${b}`, 'blob');
  });
});
