// Every RPC of google.devtools.artifactregistry.v1.ArtifactRegistry, read from the protos the Node client ships
// (its google.api.http rules), answers over REST (plain fetch at the rule's path) and over gRPC (the unmodified
// Node client): no method is missing, none answers 404 "no route", 405 or 501. A call about a resource that does
// not exist may fail (NOT_FOUND, INVALID_ARGUMENT …): what is asserted is that the method is served.
import { createRequire } from 'node:module';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

interface ProtoMethod { options?: Record<string, string> }
const require = createRequire(import.meta.url);
const protos = require('@google-cloud/artifact-registry/build/protos/protos.json') as {
  nested: { google: { nested: { devtools: { nested: { artifactregistry: { nested: { v1: { nested: { ArtifactRegistry: { methods: Record<string, ProtoMethod> } } } } } } } } } };
};
const METHODS = protos.nested.google.nested.devtools.nested.artifactregistry.nested.v1.nested.ArtifactRegistry.methods;
const VERBS = ['get', 'post', 'patch', 'put', 'delete'] as const;

/** Sample ids for each collection of a path template (`projects/*` → the test project, …). */
const SAMPLE: Record<string, string> = {
  projects: TEST_PROJECT, locations: 'us-central1', repositories: 'r1', packages: 'p1', versions: 'v1', tags: 't1',
  files: 'f1', rules: 'rule1', attachments: 'a1', dockerImages: 'img1', mavenArtifacts: 'g:a:1', npmPackages: 'n:1',
  pythonPackages: 'py:1', operations: 'op1',
};

/** The HTTP rule of a method, with its template filled: [verb, path, the request field set, its resource name]. */
function ruleOf(rpc: string): { verb: string; path: string; field: string; value: string; body?: string } {
  const options = METHODS[rpc]!.options ?? {};
  const verb = VERBS.find((v) => options[`(google.api.http).${v}`] !== undefined);
  if (!verb) throw new Error(`${rpc} has no google.api.http rule`);
  const template = options[`(google.api.http).${verb}`]!;
  let field = '';
  let value = '';
  const path = template.replace(/\{([a-z_.]+)=([^}]+)\}/, (_m, f: string, pattern: string) => {
    field = f;
    const parts = pattern.split('/');
    value = parts.map((seg, i) => (seg === '*' || seg === '**' ? SAMPLE[parts[i - 1]!] ?? 'x' : seg)).join('/');
    return value;
  });
  const body = options['(google.api.http).body'];
  return { verb: verb.toUpperCase(), path, field, value, ...(body ? { body } : {}) };
}

/** The request a gRPC call carries: the rule's field (`rule.name` → {rule: {name}}) set to the filled name. */
function requestOf(rpc: string): Record<string, unknown> {
  const { field, value } = ruleOf(rpc);
  const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  const [head, ...rest] = field.split('.').map(camel);
  return rest.length ? { [head!]: { [rest.join('.')]: value } } : { [head!]: value };
}

let emu: TestEmulator;
let client: ArtifactRegistryClient;
beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('r1');
  client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
});
afterAll(async () => {
  await client.close();
  await emu.stop();
});

const RPCS = Object.keys(METHODS).sort();

describe('every v1 RPC', () => {
  it('is the whole service: 50 methods, each with an HTTP rule', () => {
    expect(RPCS).toHaveLength(50);
    for (const rpc of RPCS) expect(() => ruleOf(rpc)).not.toThrow();
  });

  it.each(RPCS)('%s is served over REST', async (rpc) => {
    const r = ruleOf(rpc);
    const res = await fetch(`${emu.url}${r.path}`, {
      method: r.verb,
      ...(r.verb === 'GET' || r.verb === 'DELETE' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    expect([405, 501], `${r.verb} ${r.path}: ${text}`).not.toContain(res.status);
    expect(text, `${r.verb} ${r.path}`).not.toMatch(/no route for/);
    // a Google JSON answer either way
    if (res.status >= 400) expect(JSON.parse(text)).toMatchObject({ error: { code: res.status, status: expect.any(String) } });
  });

  it.each(RPCS)('%s is served over gRPC', async (rpc) => {
    const method = rpc.charAt(0).toLowerCase() + rpc.slice(1);
    const call = (client as unknown as Record<string, (req: unknown) => Promise<unknown>>)[method];
    expect(typeof call, `the Node client has ${method}`).toBe('function');
    try {
      await call!.call(client, requestOf(rpc));
    } catch (err) {
      expect((err as { code?: number }).code, `${rpc}: ${(err as Error).message}`).not.toBe(12);
    }
  });
});
