// A port of the OCI distribution-spec conformance checks (suite commits: v1.1 Ginkgo suite setup.go
// b5f09ebe541c65857e8721d51a7a3d0e2f1d8749 and friends, main-branch rewrite run.go
// 4fc4ecbefaaa6e4e1682f59f5ac445d076cf642d), so CI checks them on every run; the official Go suite
// is run separately (see docs/conformance.md and docs/notes/oci-conformance-checklist.md).
//
// Shared pieces: a small HTTP client with reggie-like Location handling, the v1.1 suite's test
// data (setup.go init()) and assertion helpers whose messages carry the exact status, headers and
// body of the offending response.
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../support/emulator.js';

export const REPOSITORY = 'conformance';
export const NAMESPACE = `${TEST_PROJECT}/${REPOSITORY}/app`;
export const CROSSMOUNT_NAMESPACE = `${TEST_PROJECT}/${REPOSITORY}/other`;

export const MT = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  empty: 'application/vnd.oci.empty.v1+json',
  octet: 'application/octet-stream',
} as const;

export const ERROR_CODES = [
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'MANIFEST_UNVERIFIED', 'NAME_INVALID', 'NAME_UNKNOWN',
  'SIZE_INVALID', 'TAG_INVALID', 'UNAUTHORIZED', 'DENIED', 'UNSUPPORTED',
];

export type Algo = 'sha256' | 'sha512';
export const digestOf = (data: Uint8Array | string, algo: Algo = 'sha256'): string =>
  `${algo}:${createHash(algo).update(data).digest('hex')}`;

// ---------------------------------------------------------------------------------------------
// HTTP

export interface Res {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
  header(name: string): string;
  json<T = unknown>(): T;
}

export interface ReqOptions {
  query?: Record<string, string>;
  headers?: Record<string, string | string[]>;
  body?: Uint8Array | string | ReadableStream<Uint8Array>;
}

export class Client {
  constructor(readonly base: string) {}

  /** `pathOrUrl` is a path (`/v2/...`, may carry a query) or an absolute URL. */
  async do(method: string, pathOrUrl: string, opts: ReqOptions = {}): Promise<Res> {
    const url = new URL(pathOrUrl, this.base);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const headers = new Headers();
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, redirect: 'follow' };
    // fetch cannot send a body with GET/HEAD (the Go suite does once, on a GET it expects 400/404)
    if (opts.body !== undefined && method !== 'GET' && method !== 'HEAD') {
      init.body = opts.body as RequestInit['body'];
      if (opts.body instanceof ReadableStream) init.duplex = 'half';
    }
    const r = await fetch(url, init);
    const body = Buffer.from(await r.arrayBuffer());
    const text = body.toString('utf8');
    return {
      method,
      url: url.toString(),
      status: r.status,
      headers: r.headers,
      body,
      text,
      header: (name) => r.headers.get(name) ?? '',
      json<T>() {
        return JSON.parse(text) as T;
      },
    };
  }
}

/** reggie's GetRelativeLocation: Go's url.Path (percent-decoded) + '?' + raw query ('' when absent). */
export function relLocation(res: Res): string {
  const loc = res.header('location');
  if (!loc) return '';
  const u = new URL(loc, res.url);
  return decodeURIComponent(u.pathname) + u.search;
}

// ---------------------------------------------------------------------------------------------
// Assertions with full response detail

export function show(res: Res): string {
  const hdrs = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('; ');
  const body = res.text.length > 600 ? `${res.text.slice(0, 600)}…(${res.body.length} bytes)` : res.text;
  return `${res.method} ${res.url} -> ${res.status} [${hdrs}] body=${JSON.stringify(body)}`;
}

export function expectStatus(res: Res, allowed: number[] | ((s: number) => boolean), what = ''): void {
  const ok = typeof allowed === 'function' ? allowed(res.status) : allowed.includes(res.status);
  if (!ok) {
    const want = typeof allowed === 'function' ? 'a matching status' : allowed.join('/');
    throw new Error(`${what ? `${what}: ` : ''}expected ${want}, got ${show(res)}`);
  }
}
export const is2xx = (s: number): boolean => s >= 200 && s < 300;

export function check(cond: unknown, message: string, res?: Res): asserts cond {
  if (!cond) throw new Error(res ? `${message}; ${show(res)}` : message);
}

/** Parses an OCI error body; returns the codes (throws when the body is no error list). */
export function errorCodes(res: Res): string[] {
  let parsed: { errors?: { code?: string }[] };
  try {
    parsed = res.json();
  } catch {
    throw new Error(`error body is not JSON; ${show(res)}`);
  }
  check(Array.isArray(parsed.errors) && parsed.errors.length > 0, 'error body has no "errors" list', res);
  return parsed.errors.map((e) => e.code ?? '');
}

// ---------------------------------------------------------------------------------------------
// Emulator per test file

export interface Ctx {
  emulator: TestEmulator;
  client: Client;
}

export async function startConformanceEmulator(): Promise<Ctx> {
  const emulator = await startEmulator();
  await emulator.createRepository(REPOSITORY);
  return { emulator, client: new Client(emulator.url) };
}

// ---------------------------------------------------------------------------------------------
// v1.1 suite test data (setup.go init()); JSON is produced like Go's json.MarshalIndent(v, "", "\t")

export interface TestBlob {
  content: Buffer;
  digest: string;
  length: number;
}
const blob = (content: Buffer, algo: Algo = 'sha256'): TestBlob => ({
  content,
  digest: digestOf(content, algo),
  length: content.length,
});
const marshal = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, null, '\t'));
const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64');

/** A descriptor as conformance/image.go marshals it (newUnspecifiedField has no omitempty). */
export function goDescriptor(
  mediaType: string,
  b: { digest: string; length: number },
  extra: { data?: Buffer; newField?: string; annotations?: Record<string, string> } = {},
): Record<string, unknown> {
  return {
    mediaType,
    digest: b.digest,
    size: b.length,
    annotations: extra.annotations,
    data: extra.data ? b64(extra.data) : undefined,
    newUnspecifiedField: extra.newField === undefined ? null : b64(extra.newField),
  };
}

/** A minimal ustar archive holding one file (the suite's layers are such files, gzip-compressed). */
export function tar(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  const field = (off: number, len: number, value: string): void => void header.write(value, off, len, 'ascii');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${data.length.toString(8).padStart(11, '0')}\0`);
  field(136, 12, `${Math.floor(Date.UTC(2020, 0, 1) / 1000).toString(8).padStart(11, '0')}\0`);
  header.fill(0x20, 148, 156);
  field(156, 1, '0');
  field(257, 8, 'ustar\x0000');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}
export const tarGz = (name: string, content: string): Buffer => gzipSync(tar(name, content));

export interface ChunkedBlob {
  blob: TestBlob;
  chunk1: Buffer;
  chunk2: Buffer;
  range1: string;
  range2: string;
}
export function chunkedBlob(size: number): ChunkedBlob {
  const b = blob(randomBytes(size));
  const cut = Math.floor(size / 2) + 1;
  return {
    blob: b,
    chunk1: b.content.subarray(0, cut),
    chunk2: b.content.subarray(cut),
    range1: `0-${cut - 1}`,
    range2: `${cut}-${size - 1}`,
  };
}

export const TEST_ANNOTATION = 'org.opencontainers.conformance.test';
export const REF_TYPE_A = 'application/vnd.nhl.peanut.butter.bagel';
export const REF_TYPE_B = 'application/vnd.nba.strawberry.jam.croissant';
export const REF_TYPE_INDEX = 'application/vnd.food.stand';

export function suiteData() {
  const configs: TestBlob[] = [];
  const manifests: TestBlob[] = [];
  // numWorkflows is 16 in setup.go (1<<4), so 16 configs and manifests exist
  for (let i = 0; i < 16; i++) {
    configs.push(blob(marshal({
      author: randomBytes(12).toString('base64url').slice(0, 16),
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    })));
  }
  const layer = blob(tarGz('test.txt', 'you bothered to find out what was in here. Congratulations!\n'));
  const layers = [goDescriptor(MT.layerGzip, layer)];
  const configDescriptor = (c: TestBlob) => goDescriptor(MT.config, c, { data: c.content, newField: 'hello world' });
  for (let i = 0; i < 16; i++) {
    manifests.push(blob(marshal({ schemaVersion: 2, mediaType: MT.manifest, config: configDescriptor(configs[i]!), layers })));
  }
  const configAt = (i: number): TestBlob => configs[i]!;
  const manifestAt = (i: number): TestBlob => manifests[i]!;
  const emptyLayerManifest = blob(marshal({ schemaVersion: 2, config: configDescriptor(configAt(1)), layers: [] }));

  const emptyJSON = blob(Buffer.from('{}'));
  const emptyJSONDesc = goDescriptor(MT.empty, emptyJSON);
  const refBlobA = blob(Buffer.from('NHL Peanut Butter on my NHL bagel'));
  const refBlobB = blob(Buffer.from('NBA Strawberry Jam on my NBA croissant'));
  const subjectOf = (m: TestBlob) => goDescriptor(MT.manifest, m);
  const annotations = new Map<string, string>();
  const artifact = (kind: 'config' | 'layer', type: string, b: TestBlob, subject: TestBlob, note?: string): TestBlob => {
    const m = blob(marshal({
      schemaVersion: 2,
      mediaType: MT.manifest,
      artifactType: kind === 'layer' ? type : undefined,
      config: kind === 'config' ? goDescriptor(type, b) : emptyJSONDesc,
      layers: kind === 'config' ? [emptyJSONDesc] : [goDescriptor(type, b)],
      subject: subjectOf(subject),
      annotations: note === undefined ? undefined : { [TEST_ANNOTATION]: note },
    }));
    if (note !== undefined) annotations.set(m.digest, note);
    return m;
  };
  const refsAConfig = artifact('config', REF_TYPE_A, refBlobA, manifestAt(4), 'test config a');
  const refsBConfig = artifact('config', REF_TYPE_B, refBlobB, manifestAt(4), 'test config b');
  const refsALayer = artifact('layer', REF_TYPE_A, refBlobA, manifestAt(4), 'test layer a');
  const refsBLayer = artifact('layer', REF_TYPE_B, refBlobB, manifestAt(4), 'test layer b');
  const refsCLayer = artifact('layer', REF_TYPE_B, refBlobB, manifestAt(3));
  // later setup.go revisions build the dangling-subject manifest from configs[0] and the layer,
  // which the push workflow has uploaded by then (the b5f09ebe one above uses refBlobB)
  const refsCLayerImage = blob(marshal({
    schemaVersion: 2, mediaType: MT.manifest, config: goDescriptor(MT.config, configAt(0)), layers, subject: subjectOf(manifestAt(3)),
  }));
  const refsIndex = blob(marshal({
    schemaVersion: 2,
    mediaType: MT.index,
    artifactType: REF_TYPE_INDEX,
    manifests: [goDescriptor(MT.manifest, refsAConfig), goDescriptor(MT.manifest, refsALayer)],
    subject: subjectOf(manifestAt(4)),
    annotations: { [TEST_ANNOTATION]: 'test index' },
  }));
  annotations.set(refsIndex.digest, 'test index');

  return {
    configs: configAt,
    manifests: manifestAt,
    layer,
    emptyLayerManifest,
    testBlobA: blob(randomBytes(42)),
    chunked: chunkedBlob(42),
    dummyDigest: digestOf('hello world'),
    nonexistentManifest: '.INVALID_MANIFEST_NAME',
    invalidManifestContent: Buffer.from('blablabla'),
    emptyJSON,
    refBlobA,
    refBlobB,
    refsAConfig,
    refsBConfig,
    refsALayer,
    refsBLayer,
    refsCLayer,
    refsCLayerImage,
    refsIndex,
    annotations,
    /** builds an index (v1.1 push test "image index" / "nested index") */
    index(entries: { mediaType: string; blob: TestBlob }[], artifactType = REF_TYPE_INDEX): TestBlob {
      return blob(marshal({
        schemaVersion: 2,
        mediaType: MT.index,
        artifactType,
        manifests: entries.map((e) => goDescriptor(e.mediaType, e.blob)),
        annotations: { [TEST_ANNOTATION]: 'test index' },
      }));
    },
    /** artifact manifests without a subject, for the v1.1 push test's OCI-Image-v1.1 uploads */
    configTypeManifest: blob(marshal({
      schemaVersion: 2, mediaType: MT.manifest, config: goDescriptor(REF_TYPE_A, refBlobA), layers: [emptyJSONDesc],
    })),
    artifactTypeManifest: blob(marshal({
      schemaVersion: 2, mediaType: MT.manifest, artifactType: REF_TYPE_A, config: emptyJSONDesc,
      layers: [goDescriptor(REF_TYPE_A, refBlobA)],
    })),
  };
}
export type SuiteData = ReturnType<typeof suiteData>;

// ---------------------------------------------------------------------------------------------
// v1.1-style pushes: POST /blobs/uploads/ then PUT <Location>?digest=… ; only the PUT is judged

export async function pushBlob(c: Client, name: string, b: TestBlob): Promise<Res> {
  const post = await c.do('POST', `/v2/${name}/blobs/uploads/`);
  const loc = relLocation(post);
  check(loc, 'POST /blobs/uploads/ returned no Location', post);
  const put = await c.do('PUT', loc, {
    query: { digest: b.digest },
    headers: { 'content-type': MT.octet },
    body: b.content,
  });
  expectStatus(put, is2xx, `PUT blob ${b.digest}`);
  return put;
}

export async function putManifest(c: Client, name: string, ref: string, b: TestBlob, mediaType: string = MT.manifest): Promise<Res> {
  return c.do('PUT', `/v2/${name}/manifests/${ref}`, { headers: { 'content-type': mediaType }, body: b.content });
}

export interface TagList {
  name?: string;
  tags?: string[] | null;
}
export const tagsOf = (res: Res): string[] => {
  try {
    return res.json<TagList>().tags ?? [];
  } catch {
    return [];
  }
};

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}
export interface IndexBody {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: Descriptor[];
}
