// Start and stop of the gRPC transport: ephemeral ports, a clear failure on a taken port, and a stop() that
// ends calls still running after the grace period so test runs never hang (STYLE §E rule 1).
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../../emulator/control/api.js';
import { startGrpcServer, type GrpcServer } from '../../../emulator/control/grpc/server.js';
import { silentLogger } from '../../../emulator/core/logger.js';

const servers: GrpcServer[] = [];
const clients: ArtifactRegistryClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) await s.stop(0);
});

async function start(api: Partial<ControlApi>, port = 0): Promise<GrpcServer> {
  const server = await startGrpcServer({ api: api as ControlApi, host: '127.0.0.1', port, logger: silentLogger });
  servers.push(server);
  return server;
}

function connect(port: number): ArtifactRegistryClient {
  const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
  clients.push(client);
  return client;
}

describe('gRPC server lifecycle', () => {
  it('listens on a free port when asked for port 0', async () => {
    const a = await start({});
    const b = await start({});
    expect(a.port).toBeGreaterThan(0);
    expect(b.port).not.toBe(a.port);
  });

  it('rejects when the port is already taken', async () => {
    const first = await start({});
    await expect(start({}, first.port)).rejects.toThrow();
  });

  it('ends a call still running after the grace period and resolves stop()', async () => {
    let entered!: () => void;
    const called = new Promise<void>((resolve) => (entered = resolve));
    const server = await start({
      getRepository: () => {
        entered();
        return new Promise(() => {});
      },
    });
    const client = connect(server.port);
    const pending = client.getRepository({ name: 'projects/p/locations/l/repositories/r' }).catch((e: unknown) => e);
    await called;
    await server.stop(50);
    const err = (await pending) as { code?: number };
    expect([1, 13, 14]).toContain(err.code); // CANCELLED, INTERNAL or UNAVAILABLE, depending on timing
  });

  it('returns the same promise from repeated stop() calls', async () => {
    const server = await start({});
    const first = server.stop();
    expect(server.stop()).toBe(first);
    await first;
  });
});
