// A tiny hand-written npm registry on node:http for remote-repository tests: serves the packages a test puts in
// it (full and abbreviated packuments, tarballs at its own URL), counts every request, answers If-None-Match
// with 304, and misbehaves on demand (wrong bytes, truncated or endless bodies, redirect loops). Loopback only.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../../support/loopback-server.js';
import { gzipSync } from 'node:zlib';

export type Misbehaviour = 'wrong-bytes' | 'truncated' | 'endless' | 'redirect-loop' | 'status-500';

interface FakeVersion {
  manifest: Record<string, unknown>;
  tarball: Buffer;
}

/** A minimal valid npm tarball (gzip of a tar holding package/package.json). */
export function npmTarball(name: string, version: string, extra: Record<string, unknown> = {}): Buffer {
  const json = Buffer.from(JSON.stringify({ name, version, main: 'index.js', ...extra }));
  const js = Buffer.from(`module.exports = ${JSON.stringify(`${name}@${version}`)};\n`);
  const entry = (path: string, data: Buffer) => {
    const h = Buffer.alloc(512);
    h.write(path, 0);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
  };
  return gzipSync(Buffer.concat([entry('package/package.json', json), entry('package/index.js', js), Buffer.alloc(1024)]));
}

export class FakeNpmUpstream extends LoopbackServer {
  readonly requests: string[] = [];
  readonly packages = new Map<string, Map<string, FakeVersion>>();
  /** path → what goes wrong when it is requested */
  readonly misbehave = new Map<string, Misbehaviour>();
  /** Accept headers of packument requests, in order */
  readonly accepts: string[] = [];
  /** Authorization headers of every request ('' when none), in order */
  readonly authorizations: string[] = [];
  count(fragment: string): number {
    return this.requests.filter((r) => r.includes(fragment)).length;
  }

  /** Adds `name@version`; returns the tarball's path on this server. */
  add(name: string, version: string, manifest: Record<string, unknown> = {}): string {
    let versions = this.packages.get(name);
    if (!versions) this.packages.set(name, (versions = new Map()));
    versions.set(version, { manifest: { name, version, description: `fake ${name}`, ...manifest }, tarball: npmTarball(name, version, manifest) });
    return this.tarballPath(name, version);
  }

  tarballPath(name: string, version: string): string {
    const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
    return `/tarballs/${name}/-/${base}-${version}.tgz`;
  }

  tarballOf(name: string, version: string): Buffer {
    return this.packages.get(name)!.get(version)!.tarball;
  }

  packument(name: string, abbreviated: boolean): Record<string, unknown> {
    const versions: Record<string, unknown> = {};
    const time: Record<string, string> = { created: '2020-01-01T00:00:00.000Z', modified: '2020-01-02T00:00:00.000Z' };
    let latest = '';
    for (const [v, f] of this.packages.get(name) ?? []) {
      const dist = {
        integrity: `sha512-${createHash('sha512').update(f.tarball).digest('base64')}`,
        shasum: createHash('sha1').update(f.tarball).digest('hex'),
        tarball: `${this.url}${this.tarballPath(name, v)}`,
      };
      versions[v] = abbreviated ? { name, version: v, ...(f.manifest.dependencies ? { dependencies: f.manifest.dependencies } : {}), dist } : { ...f.manifest, _id: `${name}@${v}`, dist };
      time[v] = '2020-01-01T00:00:00.000Z';
      latest = v;
    }
    return abbreviated
      ? { name, modified: time.modified, 'dist-tags': { latest }, versions }
      : { _id: name, name, 'dist-tags': { latest }, versions, time };
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push(`${req.method} ${path}`);
    this.authorizations.push(req.headers.authorization ?? '');
    const bad = this.misbehave.get(path);
    if (bad === 'redirect-loop') {
      res.writeHead(302, { location: path }).end();
      return;
    }
    if (bad === 'status-500') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
      return;
    }
    const tm = /^\/tarballs\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path);
    if (tm) {
      const f = this.packages.get(tm[1]!)?.get(tm[2]!);
      if (!f) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      this.send(res, req, f.tarball, 'application/octet-stream', bad);
      return;
    }
    const name = decodeURIComponent(path.slice(1));
    if (!this.packages.has(name)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    const accept = req.headers.accept ?? '';
    this.accepts.push(accept);
    const abbreviated = accept.includes('application/vnd.npm.install-v1+json');
    const body = Buffer.from(JSON.stringify(this.packument(name, abbreviated)));
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.setHeader('etag', etag);
    this.send(res, req, body, abbreviated ? 'application/vnd.npm.install-v1+json' : 'application/json', bad);
  }

  private send(res: ServerResponse, req: IncomingMessage, body: Buffer, type: string, bad: Misbehaviour | undefined): void {
    if (bad === 'wrong-bytes') body = Buffer.concat([body.subarray(0, body.length - 1), Buffer.from([body[body.length - 1]! ^ 0xff])]);
    res.writeHead(200, { 'content-type': type, ...(bad === 'endless' ? {} : { 'content-length': String(body.length) }) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (bad === 'truncated') return this.sendTruncated(res, body);
    if (bad === 'endless') return this.sendEndless(res, 'x', body.subarray(0, 10));
    res.end(body);
  }
}
