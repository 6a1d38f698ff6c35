// The one OCI distribution client both servers are measured with: node:http over a keep-alive agent,
import { execFile } from 'node:child_process';
// 127.0.0.1 only. Bodies are streamed (never a whole blob in memory); blob downloads are counted and
// discarded. https://github.com/opencontainers/distribution-spec/blob/main/spec.md
import { once } from 'node:events';
import { Agent, request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** empty when the body was discarded */
  body: Buffer;
  /** body bytes received */
  bytes: number;
}

export interface RequestOptions {
  headers?: Record<string, string | number>;
  /** a small body, or chunks streamed with back-pressure */
  body?: Buffer | Iterable<Buffer>;
  /** count the response bytes but do not keep them */
  discardBody?: boolean;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export class RegistryClient {
  private readonly agent: Agent;

  /**
   * @param port where the server listens on 127.0.0.1
   * @param namePrefix prepended to every repository name (the emulator's `PROJECT/`)
   */
  constructor(
    readonly port: number,
    readonly namePrefix: string,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
  }

  name(repoAndImage: string): string {
    return `${this.namePrefix}${repoAndImage}`;
  }

  close(): void {
    this.agent.destroy();
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const req = request(
        { agent: this.agent, host: '127.0.0.1', port: this.port, method, path, headers: opts.headers },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (!opts.discardBody) chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), bytes }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      const body = opts.body;
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else writeAll(req, body).catch((err: unknown) => req.destroy(err as Error));
    });
  }

  /** `request`, failing unless the status is `expected`. */
  async expect(expected: number, method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    const reply = await this.request(method, path, opts);
    if (reply.status !== expected) {
      throw new Error(`${method} ${path.slice(0, 120)}: expected ${expected}, got ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`);
    }
    return reply;
  }

  /** POST /v2/<name>/blobs/uploads/ → the upload URL (path + query) to continue with. */
  async startUpload(name: string): Promise<string> {
    const reply = await this.expect(202, 'POST', `/v2/${name}/blobs/uploads/`, { headers: { 'Content-Length': 0 } });
    return this.location(reply);
  }

  /** Monolithic push: POST, then one PUT ?digest= carrying the whole body. */
  async pushBlobMonolithic(name: string, digest: string, size: number, chunks: Iterable<Buffer>): Promise<void> {
    const upload = await this.startUpload(name);
    await this.expect(201, 'PUT', withQuery(upload, 'digest', digest), {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': size },
      body: chunks,
    });
  }

  /** Chunked push: POST, one PATCH per part (Content-Range), then PUT ?digest= without a body. */
  async pushBlobChunked(name: string, digest: string, parts: Iterable<{ start: number; end: number; chunks: Iterable<Buffer> }>): Promise<void> {
    let upload = await this.startUpload(name);
    for (const part of parts) {
      const reply = await this.expect(202, 'PATCH', upload, {
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': part.end - part.start + 1,
          'Content-Range': `${part.start}-${part.end}`,
        },
        body: part.chunks,
      });
      upload = this.location(reply);
    }
    await this.expect(201, 'PUT', withQuery(upload, 'digest', digest), { headers: { 'Content-Length': 0 } });
  }

  /** A small blob in one POST + PUT (config and layer blobs for manifests). */
  async pushSmallBlob(name: string, digest: string, data: Buffer): Promise<void> {
    await this.pushBlobMonolithic(name, digest, data.length, [data]);
  }

  /** GET a blob, streamed and discarded; returns the byte count. */
  async pullBlob(name: string, digest: string): Promise<number> {
    const reply = await this.expect(200, 'GET', `/v2/${name}/blobs/${digest}`, { discardBody: true });
    return reply.bytes;
  }

  /**
   * The same GET through curl: a Node client saturates near 1.1 GB/s on this machine whatever the server,
   * so large pulls are measured with a C client that leaves the server as the bottleneck.
   */
  pullBlobWithCurl(name: string, digest: string): Promise<number> {
    return new Promise((resolve, reject) => {
      execFile('curl', ['-sf', '-o', '/dev/null', '-w', '%{size_download}', `http://127.0.0.1:${this.port}/v2/${name}/blobs/${digest}`], (err, stdout) => {
        if (err) reject(err);
        else resolve(Number(stdout));
      });
    });
  }

  async putManifest(name: string, reference: string, body: Buffer): Promise<void> {
    await this.expect(201, 'PUT', `/v2/${name}/manifests/${reference}`, {
      headers: { 'Content-Type': OCI_MANIFEST, 'Content-Length': body.length },
      body,
    });
  }

  async getManifest(name: string, reference: string): Promise<Buffer> {
    const reply = await this.expect(200, 'GET', `/v2/${name}/manifests/${reference}`, { headers: { Accept: OCI_MANIFEST } });
    return reply.body;
  }

  private location(reply: Reply): string {
    const loc = reply.headers.location;
    if (!loc) throw new Error(`no Location header (status ${reply.status})`);
    // distribution answers with an absolute URL, the emulator with a path: only path + query are used,
    // so every request goes to this client's 127.0.0.1 port.
    const url = new URL(loc, `http://127.0.0.1:${this.port}`);
    return url.pathname + url.search;
  }
}

function withQuery(pathAndQuery: string, key: string, value: string): string {
  const url = new URL(pathAndQuery, 'http://127.0.0.1');
  url.searchParams.set(key, value);
  return url.pathname + url.search;
}

async function writeAll(req: ClientRequest, chunks: Iterable<Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (!req.write(chunk)) await once(req, 'drain');
  }
  req.end();
}
