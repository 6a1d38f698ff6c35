// A tiny hand-written OCI upstream on node:http for remote-repository tests: serves the manifests and blobs a
// test puts in it, counts every request, and misbehaves on demand (wrong bytes, truncated or endless bodies,
// redirect loops). Loopback only.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../../support/loopback-server.js';

export const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export type Misbehaviour = 'wrong-bytes' | 'truncated' | 'endless' | 'redirect-loop';

export class FakeUpstream extends LoopbackServer {
  readonly requests: string[] = [];
  private readonly manifests = new Map<string, { body: Buffer; mediaType: string }>();
  private readonly blobs = new Map<string, Buffer>();
  /** path → what goes wrong when it is requested */
  readonly misbehave = new Map<string, Misbehaviour>();
  count(fragment: string): number {
    return this.requests.filter((r) => r.includes(fragment)).length;
  }

  addBlob(data: Buffer | string): string {
    const b = Buffer.from(data);
    const d = sha256(b);
    this.blobs.set(d, b);
    return d;
  }

  /** An image (config + one layer) under `name:tag`; returns the manifest digest and the layer digest. */
  addImage(name: string, tag: string, layer: string): { digest: string; layer: string; config: string; manifest: Buffer } {
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const cd = this.addBlob(config);
    const ld = this.addBlob(layer);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: Buffer.byteLength(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: ld, size: Buffer.byteLength(layer) }],
    }));
    const digest = sha256(manifest);
    const entry = { body: manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json' };
    this.manifests.set(`${name}@${digest}`, entry);
    this.manifests.set(`${name}:${tag}`, entry);
    return { digest, layer: ld, config: cd, manifest };
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push(`${req.method} ${path}`);
    const bad = this.misbehave.get(path);
    if (bad === 'redirect-loop') {
      res.writeHead(302, { location: path }).end();
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (!m) {
      res.writeHead(path === '/v2/' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const [, name, kind, ref] = m as unknown as [string, string, string, string];
    let body: Buffer | undefined;
    let type = 'application/octet-stream';
    if (kind === 'manifests') {
      const e = this.manifests.get(ref.startsWith('sha256:') ? `${name}@${ref}` : `${name}:${ref}`);
      body = e?.body;
      if (e) type = e.mediaType;
    } else {
      body = this.blobs.get(ref);
    }
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
      return;
    }
    if (bad === 'wrong-bytes') body = Buffer.from(`not the right bytes ${body.toString('hex')}`);
    const headers: Record<string, string> = { 'content-type': type, 'content-length': String(body.length) };
    if (kind === 'manifests' && bad !== 'wrong-bytes') headers['docker-content-digest'] = sha256(body);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (bad === 'truncated') return this.sendTruncated(res, body);
    if (bad === 'endless') return this.sendEndless(res);
    res.end(body);
  }
}
