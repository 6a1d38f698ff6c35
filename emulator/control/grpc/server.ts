// The control plane over plaintext gRPC: google.devtools.artifactregistry.v1.ArtifactRegistry with its
// google.longrunning.Operations and google.cloud.location.Locations mixins (spec ar-fidelity §1.1, §7.2),
// as an adapter over ControlApi. Owns the grpc-js server only; semantics live behind ControlApi.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from '../../core/logger.js';
import type { ControlApi } from '../api.js';
import { ProtoJson } from './proto-json.js';
import { ARTIFACT_REGISTRY_SERVICE, LOCATIONS_SERVICE, OPERATIONS_SERVICE, loadProtos } from './protos.js';
import { buildService, type GrpcAuthorizer, type GrpcErrorListener } from './service.js';

export interface GrpcServerOptions {
  api: ControlApi;
  /** interface to listen on, e.g. 127.0.0.1 or ::1 */
  host: string;
  /** 0 picks a free port */
  port: number;
  logger: Logger;
  /** IAM check of every call (absent: every call is allowed) */
  authorize?: GrpcAuthorizer;
  /** hears every failed call with its Authorization metadata (policy refusals become policy.violated) */
  onError?: GrpcErrorListener;
}

export interface GrpcServer {
  readonly port: number;
  /** Lets in-flight calls finish for up to graceMs (default 2 s), then closes every connection. */
  stop(graceMs?: number): Promise<void>;
}

const DEFAULT_GRACE_MS = 2_000;

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const { api, host, logger } = options;
  const root = await loadProtos();
  const codec = new ProtoJson(root);
  // Generous limits like Google's own front ends; the client sets -1 (unlimited) on its side.
  const server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  for (const name of [ARTIFACT_REGISTRY_SERVICE, OPERATIONS_SERVICE, LOCATIONS_SERVICE]) {
    const { definition, implementation } = buildService(root.lookupService(name), api, codec, logger, options.authorize, options.onError);
    server.addService(definition, implementation);
  }

  const address = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => {
      if (!err) return resolve(bound);
      server.forceShutdown();
      reject(new Error(`gRPC server cannot listen on ${address}: ${err.message}`, { cause: err }));
    });
  });
  logger.info('gRPC control plane listening', { address: `${host}:${port}` });

  let stopping: Promise<void> | undefined;
  return {
    port,
    stop(graceMs = DEFAULT_GRACE_MS) {
      stopping ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn('gRPC calls still running at shutdown; closing them', { graceMs });
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return stopping;
    },
  };
}
