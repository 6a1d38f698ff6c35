// Loads the descriptors the gRPC transport serves from the protos Google ships with the Node client:
// @google-cloud/artifact-registry's protos.json (AR v1, longrunning, iam, rpc, protobuf, type) plus
// google.cloud.location and google.rpc.BadRequest and ErrorInfo (the error details we send) from its google-gax. No hand-written protos, no cache.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';

export const ARTIFACT_REGISTRY_SERVICE = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
export const OPERATIONS_SERVICE = 'google.longrunning.Operations';
export const LOCATIONS_SERVICE = 'google.cloud.location.Locations';

const CLIENT_PACKAGE = '@google-cloud/artifact-registry';

interface ProtoJsonFile {
  nested: { google: { nested: Record<string, { nested: Record<string, protobuf.AnyNestedObject & { nested?: Record<string, unknown> }> }> } };
}

/** The resolved protobufjs root holding the three services and every type they reference. */
export async function loadProtos(): Promise<protobuf.Root> {
  const require = createRequire(import.meta.url);
  let arJsonPath: string;
  try {
    arJsonPath = require.resolve(`${CLIENT_PACKAGE}/build/protos/protos.json`);
  } catch (cause) {
    throw new Error(`the gRPC transport needs the protos bundled in ${CLIENT_PACKAGE}; install it`, { cause });
  }
  // google-gax keeps its protos outside its package "exports", so locate them from its entry point.
  const gaxProtos = path.join(path.dirname(createRequire(arJsonPath).resolve('google-gax')), '..', 'protos');
  const [arJson, locationsJson, statusJson] = await Promise.all([
    readJson(arJsonPath),
    readJson(path.join(gaxProtos, 'locations.json')),
    readJson(path.join(gaxProtos, 'status.json')),
  ]);

  // Only v1 is served: the client's v1beta2 protos (a fifth of the file) would cost memory and startup time.
  delete arJson.nested.google.nested.devtools?.nested.artifactregistry?.nested?.v1beta2;
  const root = protobuf.Root.fromJSON(arJson);
  const cloud = locationsJson.nested.google.nested.cloud;
  const rpc = statusJson.nested.google.nested.rpc?.nested;
  const badRequest = rpc?.BadRequest;
  const errorInfo = rpc?.ErrorInfo;
  if (!cloud || !badRequest || !errorInfo) throw new Error('google-gax protos lack google.cloud.location, google.rpc.BadRequest or google.rpc.ErrorInfo');
  root.addJSON({ google: { nested: { cloud, rpc: { nested: { BadRequest: badRequest, ErrorInfo: errorInfo } } } } });
  root.resolveAll();
  return root;
}

async function readJson(file: string): Promise<ProtoJsonFile> {
  return JSON.parse(await readFile(file, 'utf8')) as ProtoJsonFile;
}
