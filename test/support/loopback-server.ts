// The skeleton every hand-written upstream of the remote-repository tests shares (OCI, npm, PEP 503): a node:http
// server on 127.0.0.1 and port 0, stopped with every response still open (endless bodies) destroyed, and the two
// broken bodies each test needs: a truncated one and one that trickles forever.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export abstract class LoopbackServer {
  private server!: Server;
  /** responses stop() must destroy (endless bodies) */
  protected readonly open = new Set<ServerResponse>();
  url = '';

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.open) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Half of `body`, then the connection is cut (headers already sent, announcing the whole length). */
  protected sendTruncated(res: ServerResponse, body: Buffer): void {
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    setTimeout(() => res.destroy(), 20);
  }

  /** A trickle that never ends: never silent long enough for a read timeout, ended only by the client or stop(). */
  protected sendEndless(res: ServerResponse, chunk: string | Buffer = 'x', first?: Buffer): void {
    this.open.add(res);
    if (first) res.write(first);
    const timer = setInterval(() => res.write(chunk), 50);
    res.on('close', () => clearInterval(timer));
  }
}
