// One gRPC service (definition + implementation) per protobufjs Service: each unary RPC `FooBar` calls
// `api.fooBar(json)` with the request in proto3 JSON and encodes the JSON it returns. RPCs the API lacks
// answer UNIMPLEMENTED. No per-message code lives here.
import { Metadata, type MethodDefinition, type ServiceDefinition, type UntypedServiceImplementation, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import type { Logger } from '../../core/logger.js';
import type { ControlApi } from '../api.js';
import type { ProtoJson, ProtoObject } from './proto-json.js';
import { toGrpcError, unimplemented } from './status.js';

type Decoded = Record<string, unknown>;
/** RPCs whose API method takes a `warn` callback (ControlApi) */
const WARNING_RPCS = new Set(['CreateRepository', 'UpdateRepository']);
type ApiMethod = (req: unknown) => Promise<unknown>;

/**
 * Authentication and authorisation of a call (IAM): gets the RPC name, the request in proto3 JSON and the
 * `authorization` metadata; throws to refuse, or returns the request to pass on (possibly with the caller).
 */
export type GrpcAuthorizer = (rpc: string, request: Record<string, unknown>, authorization: string | undefined) => Promise<Record<string, unknown>>;

export type GrpcErrorListener = (err: unknown, authorization: string | undefined) => void;

export interface GrpcService {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/** `GetVPCSCConfig` → [`getVPCSCConfig`, `getVpcscConfig`]: the API method names an RPC may map to. */
export function apiMethodNames(rpc: string): string[] {
  const lower = rpc.charAt(0).toLowerCase() + rpc.slice(1);
  const acronyms = lower.replace(/[A-Z]{2,}(?=[A-Z][a-z]|$)/g, (run) => run.charAt(0) + run.slice(1).toLowerCase());
  return lower === acronyms ? [lower] : [lower, acronyms];
}

function findApiMethod(api: ControlApi, rpc: string): ApiMethod | undefined {
  const methods = api as unknown as Record<string, unknown>;
  for (const name of apiMethodNames(rpc)) {
    const fn = methods[name];
    if (typeof fn === 'function' && !(name in Object.prototype)) return (req) => Promise.resolve(fn.call(api, req));
  }
  return undefined;
}

export function buildService(service: protobuf.Service, api: ControlApi, codec: ProtoJson, logger: Logger, authorize?: GrpcAuthorizer, onError?: GrpcErrorListener): GrpcService {
  const serviceName = service.fullName.replace(/^\./, '');
  const definition: Record<string, MethodDefinition<Decoded, ProtoObject>> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const method of service.methodsArray) {
    // No RPC of the three services streams; a streaming one would stay unregistered (grpc-js: UNIMPLEMENTED).
    if (method.requestStream || method.responseStream) continue;
    method.resolve();
    const requestType = method.resolvedRequestType!;
    const responseType = method.resolvedResponseType!;
    const path = `/${serviceName}/${method.name}`;
    const methodDefinition: MethodDefinition<Decoded, ProtoObject> = {
      path,
      originalName: apiMethodNames(method.name)[0],
      requestStream: false,
      responseStream: false,
      requestSerialize: (value) => Buffer.from(requestType.encode(value).finish()),
      requestDeserialize: (bytes) => requestType.decode(bytes) as unknown as Decoded,
      responseSerialize: (value) => Buffer.from(responseType.encode(value).finish()),
      responseDeserialize: (bytes) => responseType.decode(bytes) as unknown as ProtoObject,
    };
    definition[method.name] = methodDefinition;
    const apiMethod = findApiMethod(api, method.name);
    implementation[method.name] = apiMethod
      ? unaryHandler(path, method.name, apiMethod, requestType, responseType, codec, logger, authorize, onError)
      : (_call: ServerUnaryCall<Decoded, ProtoObject>, callback: sendUnaryData<ProtoObject>) => {
          logger.debug('unimplemented gRPC method', { method: path });
          callback(unimplemented(`${serviceName}.${method.name}`));
        };
  }
  return { definition, implementation };
}

function unaryHandler(
  path: string,
  rpc: string,
  apiMethod: ApiMethod,
  requestType: protobuf.Type,
  responseType: protobuf.Type,
  codec: ProtoJson,
  logger: Logger,
  authorize: GrpcAuthorizer | undefined,
  onError: GrpcErrorListener | undefined,
) {
  return (call: ServerUnaryCall<Decoded, ProtoObject>, callback: sendUnaryData<ProtoObject>): void => {
    const started = Date.now();
    void (async () => {
      const authorization = call.metadata.get('authorization')[0];
      try {
        const json = codec.toJson(requestType, call.request) as Record<string, unknown>;
        const request = authorize ? await authorize(rpc, json, typeof authorization === 'string' ? authorization : undefined) : json;
        // warnings about a request that succeeded (ControlApi `warn`) go out as trailing metadata; not enumerable:
        // the request stays the proto3 JSON the client sent
        const warnings: string[] = [];
        const withWarn = WARNING_RPCS.has(rpc) ? Object.defineProperty({ ...request }, 'warn', { value: (m: string) => void warnings.push(m), enumerable: false }) : request;
        const response = await apiMethod(withWarn);
        const message = codec.fromJson(responseType, response ?? {});
        logger.debug('gRPC call', { method: path, code: 0, ms: Date.now() - started });
        if (!warnings.length) return callback(null, message);
        const trailer = new Metadata();
        for (const w of warnings) trailer.add('x-emulator-warning', w.replace(/[^\x20-\x7e]/g, '?'));
        callback(null, message, trailer);
      } catch (err) {
        onError?.(err, typeof authorization === 'string' ? authorization : undefined);
        const error = toGrpcError(err, path, codec, logger);
        logger.debug('gRPC call', { method: path, code: error.code, ms: Date.now() - started });
        callback(error);
      }
    })();
  };
}
