// proto3 JSON ↔ protobuf conversion over the shipped Artifact Registry descriptors, including the
// well-known types' JSON forms (https://protobuf.dev/programming-guides/json/).
import type protobuf from 'protobufjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProtoJson } from './proto-json.js';
import { loadProtos } from './protos.js';

const AR = 'google.devtools.artifactregistry.v1.';
let root: protobuf.Root;
let codec: ProtoJson;

beforeAll(async () => {
  root = await loadProtos();
  codec = new ProtoJson(root);
});

/** JSON → wire bytes → decoded message → JSON. */
function roundTrip(typeName: string, json: unknown): unknown {
  const type = root.lookupType(typeName);
  return codec.toJson(type, type.decode(codec.encode(typeName, json)) as unknown as Record<string, unknown>);
}

function decoded(typeName: string, json: unknown): Record<string, unknown> {
  const type = root.lookupType(typeName);
  return type.toObject(type.decode(codec.encode(typeName, json)), { longs: String, defaults: false });
}

describe('ProtoJson', () => {
  it('prints Timestamps in UTC with 0, 3, 6 or 9 fractional digits', () => {
    for (const t of ['2023-05-30T17:24:37Z', '2023-05-30T17:24:37.100Z', '2023-05-30T17:24:37.757487Z', '2023-05-30T17:24:37.000000001Z']) {
      expect(roundTrip('google.protobuf.Timestamp', t)).toBe(t);
    }
    expect(roundTrip('google.protobuf.Timestamp', '2023-05-30T19:24:37.5+02:00')).toBe('2023-05-30T17:24:37.500Z');
    expect(decoded('google.protobuf.Timestamp', '1970-01-01T00:00:01.25Z')).toEqual({ seconds: '1', nanos: 250_000_000 });
  });

  it('rejects a Timestamp that is not RFC 3339', () => {
    expect(() => codec.encode('google.protobuf.Timestamp', '30/05/2023')).toThrow(/RFC 3339/);
  });

  it('maps Durations to "<seconds>s" strings, keeping the sign on both parts', () => {
    expect(roundTrip('google.protobuf.Duration', '3s')).toBe('3s');
    expect(roundTrip('google.protobuf.Duration', '-1.5s')).toBe('-1.500s');
    expect(decoded('google.protobuf.Duration', '-1.5s')).toEqual({ seconds: '-1', nanos: -500_000_000 });
    expect(roundTrip('google.protobuf.Duration', '-0.000001s')).toBe('-0.000001s');
  });

  it('maps FieldMask to a list of paths, accepting the comma-joined string form too', () => {
    expect(roundTrip('google.protobuf.FieldMask', ['description', 'docker_config.immutable_tags'])).toEqual(['description', 'docker_config.immutable_tags']);
    expect(roundTrip('google.protobuf.FieldMask', 'labels,cleanupPolicies')).toEqual(['labels', 'cleanupPolicies']);
  });

  it('maps Struct, Value and ListValue to plain JSON', () => {
    const struct = { imageSizeBytes: '12', n: 1.5, ok: true, none: null, list: [1, 'a', { deep: [] }], empty: {} };
    expect(roundTrip('google.protobuf.Struct', struct)).toEqual(struct);
    expect(roundTrip('google.protobuf.Value', null)).toBeNull();
    expect(roundTrip('google.protobuf.ListValue', [])).toEqual([]);
  });

  it('keeps int64 values beyond 2^53 exact as decimal strings', () => {
    expect(roundTrip(`${AR}Repository`, { sizeBytes: '9007199254740993' })).toEqual({ sizeBytes: '9007199254740993' });
    expect(roundTrip(`${AR}Repository`, { sizeBytes: 42 })).toEqual({ sizeBytes: '42' });
  });

  it('emits enum names, accepts names in any case or numbers, and rejects unknown names', () => {
    expect(roundTrip(`${AR}Repository`, { format: 'docker', mode: 3 })).toEqual({ format: 'DOCKER', mode: 'REMOTE_REPOSITORY' });
    expect(() => codec.encode(`${AR}Repository`, { format: 'COBOL' })).toThrow(/Repository\.format/);
  });

  it('omits default scalars and empty lists and maps, and keeps the set member of a oneof', () => {
    expect(roundTrip(`${AR}Repository`, { name: '', format: 'FORMAT_UNSPECIFIED', labels: {}, cleanupPolicyDryRun: false })).toEqual({});
    expect(roundTrip(`${AR}Repository`, { mavenConfig: {} })).toEqual({ mavenConfig: {} });
  });

  it('converts maps of messages and repeated messages with nested well-known types', () => {
    const repo = {
      labels: { env: 'dev' },
      cleanupPolicies: {
        keep: { id: 'keep', action: 'KEEP', mostRecentVersions: { packageNamePrefixes: ['a', 'b'], keepCount: 5 } },
        old: { id: 'old', action: 'DELETE', condition: { tagState: 'ANY', olderThan: '2592000s' } },
      },
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'u', repository: 'projects/p/locations/l/repositories/x', priority: 1 }] },
      vulnerabilityScanningConfig: { enablementConfig: 'INHERITED', lastEnableTime: '2024-01-02T03:04:05Z' },
    };
    expect(roundTrip(`${AR}Repository`, repo)).toEqual(repo);
  });

  it('carries bytes as base64', () => {
    const file = { name: 'f', hashes: [{ type: 'SHA256', value: Buffer.alloc(32, 7).toString('base64') }] };
    expect(roundTrip(`${AR}File`, file)).toEqual(file);
  });

  it('packs "@type" objects as Any with the named message, and unpacks them the same way', () => {
    const op = {
      name: 'projects/p/locations/l/operations/1',
      metadata: { '@type': `type.googleapis.com/${AR}OperationMetadata` },
      done: true,
      response: { '@type': `type.googleapis.com/${AR}Repository`, name: 'projects/p/locations/l/repositories/r', format: 'NPM', createTime: '2024-01-02T03:04:05.120Z' },
    };
    expect(roundTrip('google.longrunning.Operation', op)).toEqual(op);
    const packed = decoded('google.longrunning.Operation', op).response as { type_url: string; value: Uint8Array };
    expect(packed.type_url).toBe(`type.googleapis.com/${AR}Repository`);
    expect(root.lookupType(`${AR}Repository`).decode(packed.value).toJSON().name).toBe('projects/p/locations/l/repositories/r');
  });

  it('wraps well-known types inside Any under "value", and Empty as a bare "@type"', () => {
    const struct = { '@type': 'type.googleapis.com/google.protobuf.Struct', value: { a: 1 } };
    const empty = { '@type': 'type.googleapis.com/google.protobuf.Empty' };
    expect(roundTrip('google.longrunning.Operation', { done: true, response: struct })).toEqual({ done: true, response: struct });
    expect(roundTrip('google.longrunning.Operation', { done: true, response: empty })).toEqual({ done: true, response: empty });
  });

  it('carries an operation error as google.rpc.Status', () => {
    const op = { name: 'o', done: true, error: { code: 5, message: 'Requested entity was not found.' } };
    expect(roundTrip('google.longrunning.Operation', op)).toEqual(op);
  });

  it('refuses an Any whose type it does not know, and shows one it cannot decode as base64', () => {
    expect(() => codec.encode('google.longrunning.Operation', { response: { '@type': 'type.googleapis.com/x.Unknown' } })).toThrow(/unknown Any type/);
    const type = root.lookupType('google.longrunning.Operation');
    const message = type.decode(type.encode({ done: true, response: { type_url: 'type.googleapis.com/x.Unknown', value: Buffer.from([1, 2]) } }).finish());
    expect(codec.toJson(type, message as unknown as Record<string, unknown>)).toEqual({ done: true, response: { '@type': 'type.googleapis.com/x.Unknown', value: 'AQI=' } });
  });

  it('reads snake_case JSON names as well as lowerCamelCase', () => {
    expect(roundTrip(`${AR}Repository`, { kms_key_name: 'k', cleanup_policy_dry_run: true })).toEqual({ kmsKeyName: 'k', cleanupPolicyDryRun: true });
  });
});
