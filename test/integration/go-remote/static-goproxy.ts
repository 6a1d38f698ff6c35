// A GOPROXY upstream on loopback for the Go remote tests: a static module proxy (`MODULE/@v/list`, `.info`,
// `.mod`, `.zip`, `@latest`, case-encoded paths) served from memory, as a GOPROXY directory served over http would.
// Every request is recorded, so tests assert "no upstream request", never timings; `down` answers 503 to all.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../../support/loopback-server.js';
import { moduleZip } from '../go/go-client.js';

const escape = (s: string) => s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

export class StaticGoProxy extends LoopbackServer {
  private readonly files = new Map<string, Buffer>();
  private readonly versions = new Map<string, string[]>();
  readonly requests: string[] = [];
  down = false;
  /** paths whose body is cut in half */
  readonly truncate = new Set<string>();

  /** Publishes `module@version` with `files` (go.mod among them) and the given `.info` Time. */
  async publish(module: string, version: string, files: Record<string, string>, time = '2024-01-02T03:04:05Z'): Promise<void> {
    const base = `/${escape(module)}/@v/${escape(version)}`;
    this.files.set(`${base}.info`, Buffer.from(JSON.stringify({ Version: version, Time: time })));
    this.files.set(`${base}.mod`, Buffer.from(files['go.mod'] ?? `module ${module}\n`));
    this.files.set(`${base}.zip`, await moduleZip(module, version, files));
    const list = [...(this.versions.get(module) ?? []), version];
    this.versions.set(module, list);
    this.files.set(`/${escape(module)}/@v/list`, Buffer.from(list.map((v) => `${v}\n`).join('')));
    this.files.set(`/${escape(module)}/@latest`, Buffer.from(JSON.stringify({ Version: version, Time: time })));
  }

  count(fragment: string): number {
    return this.requests.filter((r) => r.includes(fragment)).length;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push(path);
    if (this.down) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream down\n');
      return;
    }
    const body = this.files.get(path);
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, { 'content-length': body.length, 'content-type': path.endsWith('.zip') ? 'application/zip' : 'text/plain' });
    if (this.truncate.has(path)) this.sendTruncated(res, body);
    else res.end(body);
  }
}
