// A port of the OCI distribution-spec conformance checks (main-branch rewrite, run.go/api.go at
// commit 4fc4ecbefaaa6e4e1682f59f5ac445d076cf642d), so CI checks them on every run; the official Go
// suite is run separately (see docs/conformance.md).
//
// This file mirrors conformance/api.go (the request/response expectations of every API call) and
// conformance/testdata.go (random images, indexes and artifacts, in sha256 or sha512).
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  type Algo, check, type Client, type Descriptor, digestOf, expectStatus, type IndexBody, MT, type Res, show,
  tar, type TagList,
} from './support.js';

export const CHUNK_MIN = 1024;
export const MT_EXAMPLE_1 = 'application/vnd.example.oci.conformance.v1';
export const MT_EXAMPLE_2 = 'application/vnd.example.oci.conformance.v2';

const resolve = (res: Res, loc: string): string => new URL(loc, res.url).toString();
function location(res: Res, what: string): string {
  const loc = res.header('location');
  check(loc, `${what}: no Location header`, res);
  return resolve(res, loc);
}
const withDigest = (url: string, digest: string): string => {
  const u = new URL(url);
  u.searchParams.set('digest', digest);
  return u.toString();
};

/** Docker-Content-Digest is optional but must match when present (api.go VerifyDigest). */
export function verifyDigestHeader(res: Res, digest: string): void {
  const h = res.header('docker-content-digest');
  check(!h || h === digest, `Docker-Content-Digest expected ${digest}`, res);
}

/** GET of a blob Location must return the exact bytes (api.go BlobVerifyLocation). */
async function verifyBlobLocation(c: Client, res: Res, bytes: Buffer): Promise<void> {
  const get = await c.do('GET', location(res, 'blob push'));
  expectStatus(get, [200], 'GET returned blob Location');
  check(get.body.equals(bytes), 'GET returned blob Location: body mismatch', get);
}

export interface PushOpts {
  expectBadDigest?: boolean;
}
/** Result "unsupported" means the suite would record a Skip (fallback path taken), not a failure. */
export type PushResult = 'ok' | 'unsupported';

export async function blobPostOnly(c: Client, repo: string, dig: string, bytes: Buffer, o: PushOpts = {}): Promise<PushResult> {
  const post = await c.do('POST', `/v2/${repo}/blobs/uploads/`, {
    query: { digest: dig }, headers: { 'content-type': MT.octet }, body: bytes,
  });
  expectStatus(post, o.expectBadDigest ? [400, 202] : [201, 202], 'POST with digest and body');
  if (post.status === 202) {
    const put = await c.do('PUT', withDigest(location(post, 'POST'), dig), { headers: { 'content-type': MT.octet }, body: bytes });
    expectStatus(put, o.expectBadDigest ? [400] : [201], 'PUT after 202 to POST with body');
    return 'unsupported';
  }
  if (o.expectBadDigest) return 'ok';
  verifyDigestHeader(post, dig);
  await verifyBlobLocation(c, post, bytes);
  return 'ok';
}

export async function blobPostPut(c: Client, repo: string, dig: string, bytes: Buffer, o: PushOpts = {}): Promise<PushResult> {
  const post = await c.do('POST', `/v2/${repo}/blobs/uploads/`);
  expectStatus(post, [202], 'POST /blobs/uploads/');
  const put = await c.do('PUT', withDigest(location(post, 'POST'), dig), { headers: { 'content-type': MT.octet }, body: bytes });
  expectStatus(put, o.expectBadDigest ? [400] : [201], 'PUT ?digest with body');
  if (o.expectBadDigest) return 'ok';
  verifyDigestHeader(put, dig);
  await verifyBlobLocation(c, put, bytes);
  return 'ok';
}

export interface ChunkOpts extends PushOpts {
  putLastChunk?: boolean;
  outOfOrder?: boolean;
}
export async function blobChunked(c: Client, repo: string, dig: string, bytes: Buffer, o: ChunkOpts = {}): Promise<{ minLength: string }> {
  const post = await c.do('POST', `/v2/${repo}/blobs/uploads/`, { body: Buffer.alloc(0) });
  expectStatus(post, [202], 'POST (Content-Length: 0) for chunked upload');
  const minLength = post.header('oci-chunk-min-length');
  let loc = location(post, 'POST');
  let chunk = Math.floor(bytes.length / 3) + 1;
  if (minLength && Number(minLength) > chunk) chunk = Number(minLength);
  chunk = Math.min(Math.max(chunk, CHUNK_MIN), bytes.length);
  let last = -1;
  let final: Res | undefined;
  const send = (method: string, url: string, start: number, end: number) =>
    c.do(method, url, {
      headers: { 'content-type': MT.octet, 'content-range': `${start}-${end}` },
      body: bytes.subarray(start, end + 1),
    });
  while (last < bytes.length - 1) {
    if (o.outOfOrder) {
      let badStart = last + 1 + chunk;
      if (badStart >= bytes.length) badStart = 0;
      const badEnd = Math.min(badStart + chunk - 1, bytes.length - 1);
      const put = o.putLastChunk && badEnd === bytes.length - 1;
      const bad = await send(put ? 'PUT' : 'PATCH', put ? withDigest(loc, dig) : loc, badStart, badEnd);
      expectStatus(bad, [416], `out-of-order ${put ? 'PUT' : 'PATCH'} ${badStart}-${badEnd} after 0-${last}`);
      if (bad.header('location')) loc = resolve(bad, bad.header('location'));
      const status = await c.do('GET', loc);
      expectStatus(status, [204], 'GET upload status after 416');
      if (status.header('location')) loc = resolve(status, status.header('location'));
      const range = status.header('range');
      check(range.startsWith('0-') && Number.isInteger(Number(range.slice(2))) && range.length > 2,
        `upload status Range must be "0-<n>", got "${range}"`, status);
      check(last < 0 || Number(range.slice(2)) === last, `upload status Range expected 0-${last}`, status);
    }
    const start = last + 1;
    last = Math.min(start + chunk - 1, bytes.length - 1);
    if (o.putLastChunk && last === bytes.length - 1) {
      final = await send('PUT', withDigest(loc, dig), start, last);
      expectStatus(final, o.expectBadDigest ? [400] : [201], `final PUT with chunk ${start}-${last}`);
    } else {
      const patch = await send('PATCH', loc, start, last);
      expectStatus(patch, [202], `PATCH chunk ${start}-${last}`);
      loc = location(patch, 'PATCH');
    }
  }
  if (!o.putLastChunk) {
    final = await c.do('PUT', withDigest(loc, dig), { headers: { 'content-type': MT.octet }, body: Buffer.alloc(0) });
    expectStatus(final, o.expectBadDigest ? [400] : [201], 'closing PUT ?digest (Content-Length: 0)');
  }
  if (!o.expectBadDigest && final) {
    verifyDigestHeader(final, dig);
    await verifyBlobLocation(c, final, bytes);
  }
  return { minLength };
}

export async function blobStream(c: Client, repo: string, dig: string, bytes: Buffer, o: PushOpts = {}): Promise<PushResult> {
  const post = await c.do('POST', `/v2/${repo}/blobs/uploads/`, { body: Buffer.alloc(0) });
  expectStatus(post, [202], 'POST for streamed upload');
  // chunked transfer-encoding, no Content-Length and no Content-Range, as Go sends it
  const stream = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(new Uint8Array(bytes));
      ctl.close();
    },
  });
  const patch = await c.do('PATCH', location(post, 'POST'), { headers: { 'content-type': MT.octet }, body: stream });
  expectStatus(patch, [202], 'streamed PATCH');
  const put = await c.do('PUT', withDigest(location(patch, 'PATCH'), dig), { headers: { 'content-type': MT.octet }, body: Buffer.alloc(0) });
  expectStatus(put, o.expectBadDigest ? [400] : [201], 'closing PUT ?digest after streamed PATCH');
  if (o.expectBadDigest) return 'ok';
  check(put.header('location'), 'closing PUT: no Location', put);
  verifyDigestHeader(put, dig);
  await verifyBlobLocation(c, put, bytes);
  return 'ok';
}

/** POST ?mount=&from= ; 201 passes, 202 falls back to a PUT and counts as unsupported. */
export async function blobMount(c: Client, repo: string, from: string | undefined, dig: string, bytes: Buffer): Promise<{ result: PushResult; post: Res }> {
  const post = await c.do('POST', `/v2/${repo}/blobs/uploads/`, { query: from ? { mount: dig, from } : { mount: dig } });
  expectStatus(post, [201, 202], `POST ?mount=${dig}${from ? `&from=${from}` : ''}`);
  const loc = location(post, 'mount POST');
  if (post.status === 202) {
    const put = await c.do('PUT', withDigest(loc, dig), { headers: { 'content-type': MT.octet }, body: bytes });
    expectStatus(put, [201], 'PUT after mount fell back to an upload');
    return { result: 'unsupported', post };
  }
  verifyDigestHeader(post, dig);
  await verifyBlobLocation(c, post, bytes);
  return { result: 'ok', post };
}

/** Push by whichever method (the suite's TestPushBlobAny): POST+PUT here. */
export const pushAny = (c: Client, repo: string, dig: string, bytes: Buffer): Promise<PushResult> => blobPostPut(c, repo, dig, bytes);

export async function blobHeadExists(c: Client, repo: string, dig: string, bytes: Buffer): Promise<void> {
  const res = await c.do('HEAD', `/v2/${repo}/blobs/${dig}`);
  expectStatus(res, [200], 'HEAD blob');
  check(res.body.length === 0, 'HEAD blob returned a body', res);
  check(res.header('content-length') === String(bytes.length), `HEAD blob Content-Length expected ${bytes.length}`, res);
  verifyDigestHeader(res, dig);
}

export async function blobGetExists(c: Client, repo: string, dig: string, bytes: Buffer): Promise<void> {
  const res = await c.do('GET', `/v2/${repo}/blobs/${dig}`);
  expectStatus(res, [200], 'GET blob');
  check(res.body.equals(bytes), 'GET blob body mismatch', res);
  check(res.header('content-length') === String(bytes.length), `GET blob Content-Length expected ${bytes.length}`, res);
  verifyDigestHeader(res, dig);
}

/** DELETE (202/404; 405 = unsupported) then HEAD must be 404 at once ("atomic"). */
export async function deleteAtomic(c: Client, path: string, what: string): Promise<PushResult> {
  const del = await c.do('DELETE', path);
  expectStatus(del, [202, 404, 405], `DELETE ${what}`);
  if (del.status === 405) return 'unsupported';
  const head = await c.do('HEAD', path, { headers: { accept: [MT.index, MT.manifest] } });
  expectStatus(head, [404], `HEAD after DELETE ${what}`);
  return 'ok';
}

export const mediaTypeOf = (body: Buffer): string => {
  try {
    return (JSON.parse(body.toString()) as { mediaType?: string }).mediaType ?? MT.manifest;
  } catch {
    return MT.manifest;
  }
};
export const subjectOf = (body: Buffer): Descriptor | undefined => {
  try {
    return (JSON.parse(body.toString()) as { subject?: Descriptor }).subject;
  } catch {
    return undefined;
  }
};

const ACCEPT = { accept: [MT.index, MT.manifest] };

/** api.go ManifestPut: 201 + Location (GET-able with exact body/type/length), OCI-Subject when subject. */
export async function manifestPut(c: Client, repo: string, ref: string, dig: string, body: Buffer, o: PushOpts = {}): Promise<void> {
  const mediaType = mediaTypeOf(body);
  const put = await c.do('PUT', `/v2/${repo}/manifests/${ref}`, { headers: { 'content-type': mediaType }, body });
  expectStatus(put, o.expectBadDigest ? [400] : [201], `PUT manifest ${ref}`);
  if (o.expectBadDigest) return;
  const subject = subjectOf(body);
  if (subject) check(put.header('oci-subject') === subject.digest, `OCI-Subject expected ${subject.digest}`, put);
  const h = put.header('docker-content-digest');
  check(!h || h === dig, `Docker-Content-Digest expected ${dig}`, put);
  const get = await c.do('GET', location(put, 'manifest PUT'), { headers: ACCEPT });
  expectStatus(get, [200], 'GET returned manifest Location');
  check(get.header('content-type') === mediaType, `Content-Type expected exactly ${mediaType}`, get);
  check(get.header('content-length') === String(body.length), `Content-Length expected ${body.length}`, get);
  check(get.body.equals(body), 'manifest body mismatch', get);
}

export async function manifestExists(c: Client, method: 'GET' | 'HEAD', repo: string, ref: string, dig: string, body: Buffer): Promise<void> {
  const res = await c.do(method, `/v2/${repo}/manifests/${ref}`, { headers: ACCEPT });
  expectStatus(res, [200], `${method} manifest ${ref}`);
  check(res.header('content-type') === mediaTypeOf(body), `Content-Type expected exactly ${mediaTypeOf(body)}`, res);
  check(res.header('content-length') === String(body.length), `Content-Length expected ${body.length}`, res);
  check(method === 'HEAD' ? res.body.length === 0 : res.body.equals(body), `${method} manifest body mismatch`, res);
  verifyDigestHeader(res, dig);
}

export async function referrersList(c: Client, repo: string, subject: string, artifactType?: string): Promise<{ res: Res; index: IndexBody }> {
  const res = await c.do('GET', `/v2/${repo}/referrers/${subject}`, { query: artifactType ? { artifactType } : {} });
  expectStatus(res, [200], 'GET referrers');
  check(res.header('content-type') === MT.index, `referrers Content-Type must be exactly ${MT.index}`, res);
  const index = res.json<IndexBody>();
  check(index.mediaType === MT.index && index.schemaVersion === 2, 'referrers response is not an OCI index', res);
  return { res, index };
}

export async function tagList(c: Client, repo: string, query: Record<string, string> = {}): Promise<string[]> {
  const res = await c.do('GET', `/v2/${repo}/tags/list`, { query });
  expectStatus(res, [200, 404], 'GET tags/list');
  return res.status === 404 ? [] : (res.json<TagList>().tags ?? []);
}

// ---------------------------------------------------------------------------------------------
// testdata.go: generated images, indexes and artifacts

export interface GenOpts {
  algo?: Algo;
  tag?: string;
  layerCount?: number;
  layerMediaType?: string;
  layerBytes?: Buffer;
  configMediaType?: string;
  configBytes?: Buffer;
  artifactType?: string;
  annotations?: Record<string, string>;
  uniqueAnnotation?: boolean;
  subject?: Descriptor;
  platform?: { os: string; architecture: string };
  platforms?: { os: string; architecture: string }[];
  gzip?: boolean;
  extraField?: boolean;
  dataField?: boolean;
  /** descriptors appended to the layers without their blobs (non-distributable layers) */
  foreignLayers?: Descriptor[];
}

export class TestData {
  tags = new Map<string, string>();
  blobs = new Map<string, Buffer>();
  desc = new Map<string, Descriptor & { data?: string; platform?: unknown; urls?: string[] }>();
  manifests = new Map<string, Buffer>();
  manOrder: string[] = [];
  referrers = new Map<string, Descriptor[]>();
  constructor(readonly name: string) {}

  addBlob(bytes: Buffer, mediaType: string, o: GenOpts = {}): string {
    const dig = digestOf(bytes, o.algo);
    this.blobs.set(dig, bytes);
    this.desc.set(dig, { mediaType, digest: dig, size: bytes.length, ...(o.dataField ? { data: bytes.toString('base64') } : {}) });
    return dig;
  }
  private json(v: object, o: GenOpts): Buffer {
    return Buffer.from(JSON.stringify(o.extraField ? { ...v, [`x-${randomBytes(4).toString('hex')}`]: randomBytes(8).toString('hex') } : v));
  }
  private addManifest(m: Record<string, unknown>, o: GenOpts): string {
    if (o.uniqueAnnotation) {
      m.annotations = { ...(m.annotations as Record<string, string> | undefined), [`org.example.${randomBytes(8).toString('hex')}`]: randomBytes(8).toString('hex') };
    }
    const body = this.json(m, o);
    const dig = digestOf(body, o.algo);
    this.manifests.set(dig, body);
    this.manOrder.push(dig);
    this.desc.set(dig, { mediaType: m.mediaType as string, digest: dig, size: body.length });
    if (o.subject) {
      const config = m.config as Descriptor | undefined;
      const at = (m.artifactType as string | undefined) ?? (m.mediaType === MT.manifest ? config?.mediaType : undefined);
      const list = this.referrers.get(o.subject.digest) ?? [];
      list.push({ mediaType: m.mediaType as string, artifactType: at, digest: dig, size: body.length, annotations: m.annotations as Record<string, string> | undefined });
      this.referrers.set(o.subject.digest, list);
    }
    if (o.tag) this.tags.set(o.tag, dig);
    return dig;
  }
  manifest(o: GenOpts = {}): string {
    const layers: string[] = [];
    const diffIds: string[] = [];
    for (let i = 0; i < (o.layerCount ?? 2); i++) {
      if (!o.layerMediaType || o.layerMediaType.startsWith('application/vnd.oci.image.layer.v1.')) {
        const raw = tar(`./conformance-${i}.txt`, `Conformance test file ${i}, lucky number ${randomBytes(6).toString('hex')}\n`);
        const bytes = o.gzip === false ? raw : gzipSync(raw);
        layers.push(this.addBlob(bytes, o.gzip === false ? MT.layer : MT.layerGzip, o));
        diffIds.push(digestOf(raw, o.algo));
      } else {
        layers.push(this.addBlob(o.layerBytes ?? randomBytes(2048), o.layerMediaType, o));
      }
    }
    const confMt = o.configMediaType ?? MT.config;
    const config = confMt === MT.config
      ? this.addBlob(this.json({ author: 'OCI Conformance Test', architecture: o.platform?.architecture ?? 'amd64', os: o.platform?.os ?? 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }, o), MT.config, o)
      : this.addBlob(o.configBytes ?? Buffer.from('{}'), confMt, o);
    return this.addManifest({
      schemaVersion: 2, mediaType: MT.manifest, artifactType: o.artifactType, config: this.desc.get(config),
      layers: [...layers.map((l) => this.desc.get(l)), ...(o.foreignLayers ?? [])], subject: o.subject, annotations: o.annotations,
    }, o);
  }
  index(o: GenOpts = {}, children?: { digest: string; platform?: unknown }[]): string {
    const platforms = o.platforms ?? [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }];
    // like genIndexFull, every option (tag, subject, annotations…) is passed on to the child images too
    const entries = children ?? platforms.map((p) => ({ digest: this.manifest({ ...o, platform: p }), platform: p }));
    return this.addManifest({
      schemaVersion: 2, mediaType: MT.index, artifactType: o.artifactType,
      manifests: entries.map((e) => ({ ...this.desc.get(e.digest), platform: e.platform })),
      subject: o.subject, annotations: o.annotations,
    }, o);
  }
}

/** run.go TestPush → TestList → TestHead → TestPull → TestReferrers → TestDelete for one data set. */
export async function runDataSet(c: Client, repo: string, td: TestData): Promise<string[]> {
  const errs: string[] = [];
  const step = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      errs.push(`${td.name} ${name}: ${(e as Error).message}`);
    }
  };
  for (const [dig, bytes] of td.blobs) await step(`push blob ${dig}`, () => pushAny(c, repo, dig, bytes));
  for (const dig of td.manOrder) await step(`push manifest ${dig}`, () => manifestPut(c, repo, dig, dig, td.manifests.get(dig)!));
  for (const [tag, dig] of td.tags) await step(`push tag ${tag}`, () => manifestPut(c, repo, tag, digestOf(td.manifests.get(dig)!), td.manifests.get(dig)!));
  await step('tag list', async () => {
    const tags = await tagList(c, repo);
    for (const t of td.tags.keys()) check(tags.includes(t), `tag ${t} missing from ${JSON.stringify(tags)}`);
    if (tags.length >= 2) {
      const sorted = [...tags].sort();
      const end = Math.floor(sorted.length / 2);
      const last = sorted[end - 1]!;
      const partial = await tagList(c, repo, { last });
      for (const t of sorted.slice(0, end)) check(!partial.includes(t), `tag ${t} returned with last=${last}: ${JSON.stringify(partial)}`);
      for (const t of sorted.slice(end)) check(partial.includes(t), `tag ${t} missing with last=${last}: ${JSON.stringify(partial)}`);
    }
  });
  for (const method of ['HEAD', 'GET'] as const) {
    for (const [tag, dig] of td.tags) await step(`${method} tag ${tag}`, () => manifestExists(c, method, repo, tag, dig, td.manifests.get(dig)!));
    for (const dig of td.manOrder) await step(`${method} manifest ${dig}`, () => manifestExists(c, method, repo, dig, dig, td.manifests.get(dig)!));
    for (const [dig, bytes] of td.blobs) {
      await step(`${method} blob ${dig}`, () => (method === 'HEAD' ? blobHeadExists : blobGetExists)(c, repo, dig, bytes));
    }
  }
  for (const [subject, goals] of td.referrers) {
    await step(`referrers of ${subject}`, async () => {
      const { index } = await referrersList(c, repo, subject);
      for (const g of goals) check(findDescriptor(index, g), `referrer ${JSON.stringify(g)} missing from ${JSON.stringify(index.manifests)}`);
      for (const at of new Set(goals.map((g) => g.artifactType ?? ''))) {
        const { res, index: filtered } = await referrersList(c, repo, subject, at);
        const applied = res.header('oci-filters-applied').split(',').some((f) => f.trim() === 'artifactType');
        check(applied, `OCI-Filters-Applied: artifactType missing for ?artifactType=${at} (suite: Skip)`, res);
        for (const g of goals.filter((x) => (x.artifactType ?? '') === at)) check(findDescriptor(filtered, g), `filtered referrer ${g.digest} missing`, res);
        for (const d of filtered.manifests ?? []) check((d.artifactType ?? '') === at, `filter ${at} returned ${JSON.stringify(d)}`, res);
      }
    });
  }
  for (const tag of td.tags.keys()) await step(`delete tag ${tag}`, () => deleteAtomic(c, `/v2/${repo}/manifests/${tag}`, `tag ${tag}`));
  for (const dig of [...td.manOrder].reverse()) await step(`delete manifest ${dig}`, () => deleteAtomic(c, `/v2/${repo}/manifests/${dig}`, `manifest ${dig}`));
  for (const dig of td.blobs.keys()) await step(`delete blob ${dig}`, () => deleteAtomic(c, `/v2/${repo}/blobs/${dig}`, `blob ${dig}`));
  return errs;
}

function findDescriptor(index: IndexBody, g: Descriptor): boolean {
  return (index.manifests ?? []).some((d) => d.digest === g.digest && d.mediaType === g.mediaType && d.size === g.size
    && (d.artifactType ?? '') === (g.artifactType ?? '')
    && Object.entries(g.annotations ?? {}).every(([k, v]) => d.annotations?.[k] === v));
}

export { show };
