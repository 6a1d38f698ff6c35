// A hand-written PEP 503/691 upstream on node:http for Python remote-repository tests: serves the project pages
// and files a test puts in it, counts every request (with its Authorization header), and misbehaves on demand:
// a file whose bytes do not match its page's sha256, a truncated body, an endless slow body, a redirect loop, a
// status. Loopback only.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../../support/loopback-server.js';

export const sha256hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export type Misbehaviour = 'wrong-bytes' | 'truncated' | 'endless' | 'redirect-loop' | 'redirect' | { status: number } | { delayMs: number };

interface FakeFile {
  filename: string;
  body: Buffer;
}

export class FakePypi extends LoopbackServer {
  readonly requests: Array<{ path: string; authorization?: string; accept?: string }> = [];
  private readonly projects = new Map<string, { files: FakeFile[]; json: boolean }>();
  /** path → what goes wrong when it is requested */
  readonly misbehave = new Map<string, Misbehaviour>();
  count(fragment: string): number {
    return this.requests.filter((r) => r.path.includes(fragment)).length;
  }

  /** Adds a file to project `name` (its page lists it with the sha256 of `body`); `json`: the page is PEP 691 JSON. */
  add(name: string, filename: string, body: Buffer | string, opts: { json?: boolean } = {}): { path: string; sha256: string } {
    const p = this.projects.get(name) ?? { files: [], json: opts.json ?? false };
    p.files.push({ filename, body: Buffer.from(body) });
    this.projects.set(name, p);
    return { path: `/files/${name}/${filename}`, sha256: sha256hex(body) };
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    this.requests.push({ path, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(req.headers.accept ? { accept: req.headers.accept } : {}) });
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const bad = this.misbehave.get(path);
    if (bad && typeof bad === 'object' && 'status' in bad) {
      res.writeHead(bad.status, { 'content-type': 'text/plain' }).end('no\n');
      return;
    }
    if (bad === 'redirect') {
      // a file host elsewhere (as PyPI's files are): the same bytes at /moved/…
      res.writeHead(302, { location: `/moved${path}` }).end();
      return;
    }
    if (bad === 'redirect-loop') {
      res.writeHead(302, { location: path }).end();
      return;
    }
    const serve = () => this.serve(path, res, bad);
    if (bad && typeof bad === 'object' && 'delayMs' in bad) setTimeout(serve, bad.delayMs);
    else serve();
  }

  private serve(path: string, res: ServerResponse, bad: Misbehaviour | undefined): void {
    const page = /^\/simple\/([^/]+)\/$/.exec(path);
    if (page) {
      const p = this.projects.get(page[1]!);
      if (!p) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      if (p.json) {
        const body = JSON.stringify({
          meta: { 'api-version': '1.1' }, name: page[1],
          files: p.files.map((f) => ({ filename: f.filename, url: `${this.url}/files/${page[1]}/${f.filename}`, hashes: { sha256: sha256hex(f.body) }, size: f.body.length, 'upload-time': '2024-01-01T00:00:00Z' })),
          versions: [],
        });
        res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json', 'content-length': Buffer.byteLength(body) }).end(body);
        return;
      }
      // relative links (to the page's URL), as many static indexes write them
      const links = p.files.map((f) => `<a href="../../files/${page[1]}/${f.filename}#sha256=${sha256hex(f.body)}" data-requires-python="&gt;=3.7">${f.filename}</a><br/>`).join('\n');
      const body = `<!DOCTYPE html><html><body>\n${links}\n</body></html>\n`;
      if (bad === 'truncated') {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) + 100 });
        res.write(body);
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    const file = /^(?:\/moved)?\/files\/([^/]+)\/([^/]+)$/.exec(path);
    const f = file ? this.projects.get(file[1]!)?.files.find((x) => x.filename === file[2]) : undefined;
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    if (bad === 'wrong-bytes') {
      const evil = Buffer.alloc(f.body.length, 0x41);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': evil.length }).end(evil);
      return;
    }
    if (bad === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.body.length });
      return this.sendTruncated(res, f.body);
    }
    if (bad === 'endless') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return this.sendEndless(res, Buffer.alloc(64, 0x42));
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.body.length }).end(f.body);
  }
}
