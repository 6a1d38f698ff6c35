// A port of the OCI distribution-spec conformance checks (commit b5f09ebe541c65857e8721d51a7a3d0e2f1d8749
// for the v1.1 suite's 01_pull_test.go, 4fc4ecbefaaa6e4e1682f59f5ac445d076cf642d for the main-branch
// rewrite), so CI checks them on every run; the official Go suite is run separately (see docs).
//
// Workflow "Pull": the v1.1 specs in their order, then the rewrite's pull-side checks (ping, range
// requests in sha256 and sha512, the image/index data sets with their HEAD/GET/delete checks, and
// the missing-manifest errors).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Algo, check, type Client, type Ctx, digestOf, ERROR_CODES, errorCodes, expectStatus, is2xx, MT, NAMESPACE,
  pushBlob, putManifest, startConformanceEmulator, suiteData,
} from './support.js';
import { deleteAtomic, pushAny, runDataSet, TestData } from './support-v2.js';

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

describe('Pull (v1.1 01_pull_test.go)', () => {
  const tag = 'tagtest0';
  const manifestAccept = { accept: MT.manifest };

  describe('Setup', () => {
    it('Populate registry with test blob (configs[0])', async () => {
      await pushBlob(c, name, d.configs(0));
    });
    it('Populate registry with test blob (configs[1])', async () => {
      await pushBlob(c, name, d.configs(1));
    });
    it('Populate registry with test layer', async () => {
      await pushBlob(c, name, d.layer);
    });
    it('Populate registry with test manifest (manifests[0] as tag tagtest0)', async () => {
      expectStatus(await putManifest(c, name, tag, d.manifests(0)), is2xx);
    });
    it('Populate registry with test manifest (manifests[1] by digest)', async () => {
      expectStatus(await putManifest(c, name, d.manifests(1).digest, d.manifests(1)), is2xx);
    });
  });

  describe('Pull blobs', () => {
    it('HEAD request to nonexistent blob should result in 404 response', async () => {
      expectStatus(await c.do('HEAD', `/v2/${name}/blobs/${d.dummyDigest}`), [404]);
    });
    it('HEAD request to existing blob should yield 200', async () => {
      const res = await c.do('HEAD', `/v2/${name}/blobs/${d.configs(0).digest}`);
      expectStatus(res, [200]);
      const h = res.header('docker-content-digest');
      check(!h || h === d.configs(0).digest, 'Docker-Content-Digest mismatch', res);
    });
    it('GET nonexistent blob should result in 404 response', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/blobs/${d.dummyDigest}`), [404]);
    });
    it('GET request to existing blob URL should yield 200', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/blobs/${d.configs(0).digest}`), [200]);
    });
  });

  describe('Pull manifests', () => {
    const headOk = async (ref: string, digest: string) => {
      const res = await c.do('HEAD', `/v2/${name}/manifests/${ref}`, { headers: manifestAccept });
      expectStatus(res, [200]);
      const h = res.header('docker-content-digest');
      check(!h || h === digest, `Docker-Content-Digest expected ${digest}`, res);
    };
    it('HEAD request to nonexistent manifest should return 404', async () => {
      expectStatus(await c.do('HEAD', `/v2/${name}/manifests/${d.nonexistentManifest}`), [404]);
    });
    it('HEAD request to manifest[0] path (digest) should yield 200 response', () => headOk(d.manifests(0).digest, d.manifests(0).digest));
    it('HEAD request to manifest[1] path (digest) should yield 200 response', () => headOk(d.manifests(1).digest, d.manifests(1).digest));
    it('HEAD request to manifest path (tag) should yield 200 response', () => headOk(tag, d.manifests(0).digest));
    it('GET nonexistent manifest should return 404', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/manifests/${d.nonexistentManifest}`), [404]);
    });
    it('GET request to manifest[0] path (digest) should yield 200 response', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/manifests/${d.manifests(0).digest}`, { headers: manifestAccept }), [200]);
    });
    it('GET request to manifest[1] path (digest) should yield 200 response', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/manifests/${d.manifests(1).digest}`, { headers: manifestAccept }), [200]);
    });
    it('GET request to manifest path (tag) should yield 200 response', async () => {
      expectStatus(await c.do('GET', `/v2/${name}/manifests/${tag}`, { headers: manifestAccept }), [200]);
    });
  });

  describe('Error codes', () => {
    it('400 response body should contain OCI-conforming JSON message', async () => {
      const res = await c.do('GET', `/v2/${name}/manifests/sha256:totallywrong`, {
        headers: { 'content-type': MT.manifest },
        body: d.invalidManifestContent,
      });
      expectStatus(res, [400, 404]);
      if (res.status === 400) {
        const codes = errorCodes(res);
        check(ERROR_CODES.includes(codes[0]!), `unknown error code ${codes[0]}`, res);
      }
    });
  });

  describe('Teardown', () => {
    const okOr405 = (s: number) => is2xx(s) || s === 405;
    const okOr404Or405 = (s: number) => is2xx(s) || s === 404 || s === 405;
    it('Delete manifest[0] created in setup', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/manifests/${d.manifests(0).digest}`), okOr405);
    });
    it('Delete manifest[1] created in setup', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/manifests/${d.manifests(1).digest}`), okOr405);
    });
    it('Delete config[0] blob created in setup', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/blobs/${d.configs(0).digest}`), okOr404Or405);
    });
    it('Delete config[1] blob created in setup', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/blobs/${d.configs(1).digest}`), okOr404Or405);
    });
    it('Delete layer blob created in setup', async () => {
      expectStatus(await c.do('DELETE', `/v2/${name}/blobs/${d.layer.digest}`), okOr404Or405);
    });
  });
});

describe('Pull (main-branch rewrite run.go)', () => {
  it('ping: GET /v2/ answers without demanding auth', async () => {
    const res = await c.do('GET', '/v2/');
    check(res.status !== 401, 'GET /v2/ demanded authentication', res);
  });

  it('missing-manifest: GET by unknown digest and by unknown tag are 404', async () => {
    const headers = { accept: [MT.index, MT.manifest] };
    expectStatus(await c.do('GET', `/v2/${name}/manifests/${digestOf(randomBytes(1024))}`, { headers }), [404], 'by-digest');
    expectStatus(await c.do('GET', `/v2/${name}/manifests/missing-${randomBytes(8).toString('hex')}`, { headers }), [404], 'by-tag');
  });

  for (const algo of ['sha256', 'sha512'] as Algo[]) {
    describe(`${algo} blobs: range requests`, () => {
      const body = randomBytes(2048);
      const dig = digestOf(body, algo);
      const cases: [string, number, Buffer | null, string?][] = [
        ['bytes=500-1499', 206, body.subarray(500, 1500), 'bytes 500-1499/'],
        ['bytes=500-', 206, body.subarray(500), 'bytes 500-2047/'],
        ['bytes=-500', 206, body.subarray(1548), 'bytes 1548-2047/'],
        ['bytes=2000-5000', 206, body.subarray(2000), 'bytes 2000-2047/'],
        ['bytes=500-0', 416, null],
        ['bytes=5000-10000', 416, null],
      ];
      it('setup: push a 2048-byte blob', async () => {
        await pushAny(c, name, dig, body);
      });
      for (const [range, status, slice, contentRange] of cases) {
        it(`Range: ${range} -> ${status} (a plain 200 means range requests are unsupported)`, async () => {
          const res = await c.do('GET', `/v2/${name}/blobs/${dig}`, { headers: { range } });
          expectStatus(res, [status]);
          if (slice) {
            check(res.body.equals(slice), 'range body mismatch', res);
            check(res.header('content-length') === String(slice.length), `Content-Length expected ${slice.length}`, res);
            const cr = res.header('content-range');
            check(cr === `${contentRange}2048` || cr === `${contentRange}*`, `Content-Range expected ${contentRange}2048`, res);
          }
        });
      }
      it('cleanup: DELETE blob then HEAD is 404', async () => {
        expect(await deleteAtomic(c, `/v2/${name}/blobs/${dig}`, 'blob')).toBe('ok');
      });
    });
  }

  const dataSets: [string, () => TestData][] = [
    ['image', () => withTd('Image', (td) => td.manifest({ tag: 'image' }))],
    ['image-uncompressed', () => withTd('Image Uncompressed', (td) => td.manifest({ tag: 'image-uncompressed', gzip: false }))],
    ['large-manifest (~3.9 MB of annotations)', () => withTd('Image with Large Manifest', (td) => {
      const annotations: Record<string, string> = {};
      for (let i = 0; i < 390; i++) annotations[`large-annotation-${i}`] = 'A'.repeat(10000);
      td.manifest({ tag: 'large-manifest', annotations });
    })],
    ['index', () => withTd('Index', (td) => td.index({ tag: 'index' }))],
    ['nested-index', () => withTd('Nested Index', (td) => {
      const a = td.index();
      const b = td.index();
      td.index({ tag: 'index-of-index' }, [{ digest: a }, { digest: b }]);
    })],
    ['empty-index', () => withTd('Empty Index', (td) => td.index({ tag: 'index', platforms: [] }))],
    ['data-field', () => withTd('Data Field', (td) => td.manifest({ tag: 'data-field', dataField: true }))],
    ['custom-fields', () => withTd('Custom Fields', (td) => td.index({ tag: 'custom-fields', extraField: true }))],
    ['no-layers', () => withTd('No Layers', (td) => td.manifest({ tag: 'no-layers', layerCount: 0 }))],
    ['non-distributable-layers (layer blobs never uploaded)', () => withTd('Non-distributable Layers', (td) => {
      const nd = (mediaType: string, size: number) => {
        const digest = digestOf(randomBytes(256));
        return { mediaType, digest, size, urls: [`https://store.example.com/blobs/sha256/${digest.slice(7)}`] };
      };
      td.manifest({
        tag: 'non-distributable-image', layerCount: 1,
        foreignLayers: [nd('application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 123456), nd('application/vnd.oci.image.layer.nondistributable.v1.tar', 12345)],
      });
    })],
    ['sha512 (index and images, every digest sha512, no tags)', () => withTd('Digest Algorithm sha512', (td) => td.index({ algo: 'sha512' }))],
  ];
  for (const [label, make] of dataSets) {
    it(`data set ${label}: push, tag list, HEAD, GET, delete (+ HEAD 404)`, async () => {
      const errs = await runDataSet(c, name, make());
      expect(errs).toEqual([]);
    });
  }
});

function withTd(label: string, fill: (td: TestData) => unknown): TestData {
  const td = new TestData(label);
  fill(td);
  return td;
}
