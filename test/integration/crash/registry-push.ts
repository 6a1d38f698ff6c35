// A minimal OCI push over node:http for crash tests: a chunked layer upload whose PATCH bodies are
// streamed in small pieces (so a kill can land mid-request), a config blob, then a manifest PUT by tag.
// Each push records which steps were sent and which got their 201, so the test knows what was acknowledged.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs-in-chunks
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** One HTTP exchange. A streamed `body` is piped as it comes (see `pieces`). */
export function request(
  agent: http.Agent,
  method: string,
  url: string,
  opts: { headers?: Record<string, string | number>; body?: Buffer | AsyncIterable<Buffer>; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise<HttpReply>((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: opts.headers, timeout: opts.timeoutMs ?? 20_000 });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete) reject(new Error(`${method} ${url}: response cut off`));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    const body = opts.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      const stream = Readable.from(body);
      stream.on('error', (err) => req.destroy(err));
      stream.pipe(req);
    }
  });
}

/**
 * `data` in pieces of `size` bytes with a turn of the event loop between them, so many requests interleave
 * and a server crash interrupts them mid-body. With `hold`, the body stops half-way until `hold` settles.
 */
export async function* pieces(data: Buffer, size: number, hold?: Promise<void>): AsyncGenerator<Buffer> {
  const half = Math.max(1, Math.floor(data.length / size / 2)) * size;
  for (let p = 0; p < data.length; p += size) {
    if (hold && p === half) await hold;
    yield data.subarray(p, p + size);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface ImagePush {
  index: number;
  tag: string;
  layer: Buffer;
  layerDigest: string;
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestDigest: string;
  /** where the push is (updated as it goes; read when the emulator is killed) */
  phase: 'not-started' | 'layer' | 'layer-put' | 'config' | 'manifest' | 'done' | 'failed';
  /** bytes of the layer acknowledged by a 202 to a PATCH */
  layerAcked: number;
  /** bytes of the layer sent (including a PATCH that was cut off) */
  layerSent: number;
  /** upload URL of the layer, once the session was started */
  layerUploadUrl?: string;
  layerPutSent: boolean;
  layerPut201: boolean;
  configPutSent: boolean;
  configPut201: boolean;
  manifestPutSent: boolean;
  manifestPut201: boolean;
  error?: string;
}

/** Builds the bytes of one image: a random layer of `layerSize` bytes, a config, a manifest. */
export function buildImagePush(index: number, layerSize: number): ImagePush {
  const layer = randomBytes(layerSize);
  const layerDigest = sha256(layer);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { push: String(index) } }, rootfs: { type: 'layers', diff_ids: [layerDigest] } }),
  );
  const configDigest = sha256(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: layerDigest, size: layer.length }],
      annotations: { 'org.example.push': String(index) },
    }),
  );
  return {
    index,
    tag: `push-${String(index).padStart(2, '0')}`,
    layer,
    layerDigest,
    config,
    configDigest,
    manifest,
    manifestDigest: sha256(manifest),
    phase: 'not-started',
    layerAcked: 0,
    layerSent: 0,
    layerPutSent: false,
    layerPut201: false,
    configPutSent: false,
    configPut201: false,
    manifestPutSent: false,
    manifestPut201: false,
  };
}

export interface PushOptions {
  agent: http.Agent;
  /** http://HOST:PORT */
  base: string;
  /** PROJECT/REPO/IMAGE */
  name: string;
  /** bytes per PATCH */
  chunkSize: number;
  /** bytes per write within a PATCH body */
  pieceSize: number;
  /** called when the manifest PUT got its 201 */
  onManifestCreated?: (push: ImagePush) => void;
  /** stop half-way through the body of this layer chunk (0-based) until `until` settles */
  holdLayer?: { chunk: number; until: Promise<void> };
}

/** Runs the push; never throws (a failure is recorded in `push.error` and `push.phase`). */
export async function runImagePush(push: ImagePush, o: PushOptions): Promise<void> {
  try {
    push.phase = 'layer';
    let uploadUrl = await startUpload(o);
    push.layerUploadUrl = uploadUrl;
    for (let start = 0, n = 0; start < push.layer.length; start += o.chunkSize, n++) {
      const chunk = push.layer.subarray(start, Math.min(start + o.chunkSize, push.layer.length));
      const hold = o.holdLayer?.chunk === n ? o.holdLayer.until : undefined;
      push.layerSent = start + chunk.length;
      const res = await request(o.agent, 'PATCH', uploadUrl, {
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': chunk.length,
          'content-range': `${start}-${start + chunk.length - 1}`,
        },
        body: pieces(chunk, o.pieceSize, hold),
      });
      expectStatus(res, 202, `PATCH layer ${start}`);
      push.layerAcked = start + chunk.length;
      uploadUrl = absolute(o.base, res.headers.location);
      push.layerUploadUrl = uploadUrl;
    }
    push.phase = 'layer-put';
    push.layerPutSent = true;
    const layerPut = await request(o.agent, 'PUT', withDigest(uploadUrl, push.layerDigest), { headers: { 'content-length': 0 } });
    expectStatus(layerPut, 201, 'PUT layer');
    push.layerPut201 = true;

    push.phase = 'config';
    const configUrl = await startUpload(o);
    push.configPutSent = true;
    const configPut = await request(o.agent, 'PUT', withDigest(configUrl, push.configDigest), {
      headers: { 'content-type': 'application/octet-stream', 'content-length': push.config.length },
      body: push.config,
    });
    expectStatus(configPut, 201, 'PUT config');
    push.configPut201 = true;

    push.phase = 'manifest';
    push.manifestPutSent = true;
    const manifestPut = await request(o.agent, 'PUT', `${o.base}/v2/${o.name}/manifests/${push.tag}`, {
      headers: { 'content-type': OCI_MANIFEST, 'content-length': push.manifest.length },
      body: push.manifest,
    });
    expectStatus(manifestPut, 201, 'PUT manifest');
    if (manifestPut.headers['docker-content-digest'] !== push.manifestDigest) {
      throw new Error(`PUT manifest answered digest ${manifestPut.headers['docker-content-digest']}, expected ${push.manifestDigest}`);
    }
    push.manifestPut201 = true;
    push.phase = 'done';
    o.onManifestCreated?.(push);
  } catch (err) {
    push.error = (err as Error).message;
    push.phase = 'failed';
  }
}

async function startUpload(o: PushOptions): Promise<string> {
  const res = await request(o.agent, 'POST', `${o.base}/v2/${o.name}/blobs/uploads/`, { headers: { 'content-length': 0 } });
  expectStatus(res, 202, 'POST upload');
  return absolute(o.base, res.headers.location);
}

function expectStatus(res: HttpReply, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
}

function absolute(base: string, location: string | undefined): string {
  if (!location) throw new Error('reply without a Location header');
  return new URL(location, base).href;
}

export function withDigest(url: string, digest: string): string {
  const u = new URL(url);
  u.searchParams.set('digest', digest);
  return u.href;
}
