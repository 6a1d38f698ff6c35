// The HTTP server: listens (port 0 = ephemeral), tracks connections, and stops gracefully — in-flight
// requests get `graceMs` to finish, then every socket is destroyed so nothing hangs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { RequestState } from './context.js';

export interface RunningServer {
  server: Server;
  host: string;
  port: number;
  stop(graceMs?: number): Promise<void>;
}

export async function listen(app: Koa<RequestState>, host: string, port: number): Promise<RunningServer> {
  const server = createServer(app.callback());
  server.requestTimeout = 0; // large blob uploads may take longer than Node's default 300 s
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    server,
    host,
    port: address.port,
    stop(graceMs = 5_000) {
      stopping ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}
