// A port of the OCI distribution-spec conformance checks (commit b5f09ebe541c65857e8721d51a7a3d0e2f1d8749
// and the later stored revision of the v1.1 suite's 03_discovery_test.go, 4fc4ecbefaaa6e4e1682f59f5ac445d076cf642d
// for the main-branch rewrite), so CI checks them on every run; the official Go suite is run separately
// (see docs).
//
// Workflow "Content Discovery": the rewrite's "empty" checks first (they run before anything is
// pushed), then the v1.1 specs (tag listing with n/last, referrers with artifactType filter), then
// the rewrite's artifact and referrers data sets.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  check, type Client, type Ctx, digestOf, expectStatus, type IndexBody, is2xx, MT, NAMESPACE, pushBlob, putManifest,
  REF_TYPE_A, type Res, startConformanceEmulator, suiteData, TEST_ANNOTATION, type TestBlob, tagsOf,
} from './support.js';
import { MT_EXAMPLE_1, MT_EXAMPLE_2, referrersList, runDataSet, TestData } from './support-v2.js';

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

describe('Content Discovery (main-branch rewrite: empty repository)', () => {
  it('tag list of an image that does not exist yet: 200 with JSON or 404', async () => {
    const res = await c.do('GET', `/v2/${name}/tags/list`);
    expectStatus(res, [200, 404]);
    if (res.status === 200) res.json();
  });
  it('referrers of a random digest in an image that does not exist yet: 200 + empty OCI index', async () => {
    const { index } = await referrersList(c, name, digestOf(randomBytes(32)));
    expect(index.manifests ?? []).toEqual([]);
  });
});

describe('Content Discovery (v1.1 03_discovery_test.go)', () => {
  let tagList: string[] = [];
  let numTags = 4;

  describe('Setup', () => {
    it('Populate registry with test blob', async () => {
      await pushBlob(c, name, d.configs(2));
    });
    it('Populate registry with test layer', async () => {
      await pushBlob(c, name, d.layer);
    });
    it('Populate registry with test tags', async () => {
      for (let i = 0; i < numTags; i++) {
        for (const tag of [`test${i}`, `TEST${i}`]) expectStatus(await putManifest(c, name, tag, d.manifests(2)), is2xx, `PUT tag ${tag}`);
      }
      tagList = tagsOf(await c.do('GET', `/v2/${name}/tags/list`));
    });
    it('References setup (every manifest PUT with a subject must answer OCI-Subject: <subject digest>)', async () => {
      const withSubject = async (m: TestBlob, subject: string, mediaType: string = MT.manifest) => {
        const res = await putManifest(c, name, m.digest, m, mediaType);
        expectStatus(res, is2xx, `PUT ${m.digest}`);
        check(res.header('oci-subject') === subject, `OCI-Subject expected ${subject}`, res);
      };
      const subject = d.manifests(4).digest;
      await pushBlob(c, name, d.emptyJSON);
      await pushBlob(c, name, d.refBlobA);
      await withSubject(d.refsAConfig, subject);
      await withSubject(d.refsALayer, subject);
      await withSubject(d.refsIndex, subject, MT.index);
      await pushBlob(c, name, d.configs(4));
      await pushBlob(c, name, d.layer);
      expectStatus(await putManifest(c, name, 'tagtest0', d.manifests(4)), is2xx, 'PUT manifests[4] as tagtest0');
      await pushBlob(c, name, d.refBlobB);
      await withSubject(d.refsBConfig, subject);
      await withSubject(d.refsBLayer, subject);
      await withSubject(d.refsCLayer, d.manifests(3).digest);
    });
  });

  describe('Test content discovery endpoints (listing tags)', () => {
    it('GET request to list tags should yield 200 response and be in sorted order', async () => {
      const res = await c.do('GET', `/v2/${name}/tags/list`);
      expectStatus(res, [200]);
      tagList = tagsOf(res);
      numTags = tagList.length;
      const lexical = [...tagList].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
      const ascii = [...tagList].sort();
      check(JSON.stringify(tagList) === JSON.stringify(lexical) || JSON.stringify(tagList) === JSON.stringify(ascii), 'tags not sorted', res);
    });
    it('GET number of tags should be limitable by `n` query parameter', async () => {
      const n = Math.floor(numTags / 2);
      const res = await c.do('GET', `/v2/${name}/tags/list`, { query: { n: String(n) } });
      expectStatus(res, [200]);
      check(tagsOf(res).length === n, `expected exactly ${n} tags`, res);
    });
    it('GET start of tag is set by `last` query parameter', async () => {
      const n = Math.floor(numTags / 2);
      const first = await c.do('GET', `/v2/${name}/tags/list`, { query: { n: String(n) } });
      expectStatus(first, [200]);
      const last = tagsOf(first)[n - 1];
      check(last !== undefined, `no tag at position ${n - 1}`, first);
      const res = await c.do('GET', `/v2/${name}/tags/list`, { query: { n: String(n), last } });
      expectStatus(res, [200]);
      check(tagsOf(res).length <= n, `expected at most ${n} tags`, res);
      check(!tagsOf(res).includes(last), `tag list after last=${last} still contains it`, res);
    });
    it('n=0 returns an empty list (the Go suite asks for n=numTags/2, which is 0 with one tag)', async () => {
      const res = await c.do('GET', `/v2/${name}/tags/list`, { query: { n: '0' } });
      expectStatus(res, [200]);
      check(tagsOf(res).length === 0, 'n=0 must return no tags', res);
    });
  });

  describe('Test content discovery endpoints (listing references)', () => {
    const referrers = async (digest: string, query: Record<string, string> = {}): Promise<{ res: Res; index: IndexBody }> => {
      const res = await c.do('GET', `/v2/${name}/referrers/${digest}`, { query });
      expectStatus(res, [200]);
      check(res.header('content-type') === MT.index, `Content-Type must be exactly ${MT.index}`, res);
      return { res, index: res.json<IndexBody>() };
    };
    const annotationsOk = (res: Res, index: IndexBody) => {
      for (const m of index.manifests ?? []) {
        check(Object.keys(m.annotations ?? {}).length === 1, `descriptor ${m.digest} must carry exactly its 1 annotation`, res);
        check(m.annotations?.[TEST_ANNOTATION] === d.annotations.get(m.digest), `annotation of ${m.digest}`, res);
      }
    };
    it('GET request to nonexistent blob should result in empty 200 response', async () => {
      const { res, index } = await referrers(d.dummyDigest);
      check((index.manifests ?? []).length === 0, 'expected no referrers', res);
    });
    it('GET request to existing blob should yield 200', async () => {
      const { res, index } = await referrers(d.manifests(4).digest);
      const list = index.manifests ?? [];
      check(list.length === 5, 'expected exactly 5 referrers (AConfig, ALayer, index, BConfig, BLayer)', res);
      check(list[0]?.digest !== list[1]?.digest, 'duplicate referrers', res);
      annotationsOk(res, index);
    });
    it('GET request to existing blob with filter should yield 200', async () => {
      const { res, index } = await referrers(d.manifests(4).digest, { artifactType: REF_TYPE_A });
      const applied = res.header('oci-filters-applied');
      check(applied, 'OCI-Filters-Applied missing (the Go suite then wants all 5 and warns)', res);
      check(applied === 'artifactType', 'OCI-Filters-Applied must be exactly "artifactType"', res);
      check((index.manifests ?? []).length === 2, 'expected exactly 2 referrers of type A (AConfig via config.mediaType, ALayer)', res);
      annotationsOk(res, index);
    });
    it('GET request to missing manifest should yield 200', async () => {
      const { res, index } = await referrers(d.manifests(3).digest);
      check((index.manifests ?? []).length === 1 && index.manifests?.[0]?.digest === d.refsCLayer.digest, `expected only ${d.refsCLayer.digest}`, res);
    });
  });

  describe('Teardown', () => {
    it('Delete created manifest & associated tags', async () => {
      for (const m of [d.refsCLayer, d.refsBLayer, d.refsBConfig, d.refsIndex, d.refsALayer, d.refsAConfig, d.manifests(4), d.manifests(2)]) {
        expectStatus(await c.do('DELETE', `/v2/${name}/manifests/${m.digest}`), (s) => is2xx(s) || s === 404 || s === 405);
      }
    });
    it('Delete blobs created in tests', async () => {
      for (const b of [d.configs(2), d.configs(4), d.layer, d.emptyJSON, d.refBlobA, d.refBlobB]) {
        expectStatus(await c.do('DELETE', `/v2/${name}/blobs/${b.digest}`), (s) => is2xx(s) || s === 404 || s === 405);
      }
    });
  });
});

describe('Content Discovery (main-branch rewrite: artifacts and referrers data sets)', () => {
  const artifactOpts = { artifactType: MT_EXAMPLE_1, configMediaType: MT.empty, configBytes: Buffer.from('{}'), layerCount: 1, layerMediaType: MT_EXAMPLE_1 };
  const annotated = { annotations: { 'org.opencontainers.conformance': 'hello conformance test' }, uniqueAnnotation: true };
  const sets: [string, (td: TestData) => void][] = [
    ['artifact', (td) => td.manifest({ ...artifactOpts, tag: 'artifact' })],
    ['artifact-index', (td) => td.index({ ...artifactOpts, tag: 'artifact-index' })],
    ['artifact-without-layers', (td) => td.manifest({ ...artifactOpts, tag: 'artifact-without-layers', layerBytes: Buffer.from('{}'), layerMediaType: MT.empty })],
    ['artifacts-with-subject (artifactType from config.mediaType, annotations, ?artifactType= filter)', (td) => {
      const subj = td.manifest({ tag: 'image' });
      const subject = td.desc.get(subj)!;
      td.manifest({ subject });
      td.manifest({ ...artifactOpts, ...annotated, subject, tag: 'tagged-artifact1' });
      td.manifest({ ...artifactOpts, ...annotated, artifactType: MT_EXAMPLE_2, layerMediaType: MT.octet, subject, tag: 'tagged-artifact2' });
    }],
    ['index-with-subject (subject and referrer are indexes)', (td) => {
      const subj = td.index({ tag: 'index' });
      td.index({ ...artifactOpts, ...annotated, subject: td.desc.get(subj)!, tag: 'tagged-artifact' });
    }],
    ['missing-subject (subject never pushed)', (td) => {
      const subject = { mediaType: MT.manifest, size: 123, digest: digestOf('missing content') };
      td.manifest({ ...artifactOpts, ...annotated, subject, tag: 'tagged-artifact' });
    }],
  ];
  for (const [label, fill] of sets) {
    it(`data set ${label}`, async () => {
      const td = new TestData(label);
      fill(td);
      expect(await runDataSet(c, name, td)).toEqual([]);
    });
  }
});
