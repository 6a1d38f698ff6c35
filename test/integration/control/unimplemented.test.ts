// What the control plane answers for what it does not serve: a real Artifact Registry v1 method the emulator
// does not implement yet → 501 UNIMPLEMENTED naming the method (REST and gRPC); a wrong HTTP method → 405 with
// Allow; an unknown path → the protocol's own 404 (Google JSON under /v1/, OCI under /v2/).
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNIMPLEMENTED_METHODS } from '../../../emulator/control/routes.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const PARENT = `projects/${TEST_PROJECT}/locations/us-central1`;
const SERVICE = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
let emu: TestEmulator;
let client: ArtifactRegistryClient;

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('r1');
  client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure() });
});
afterAll(async () => {
  await client.close();
  await emu.stop();
});

/** A concrete request path for a route pattern. */
function concrete(pattern: string): string {
  const values: Record<string, string> = { project: TEST_PROJECT, location: 'us-central1', repository: 'r1' };
  return pattern.replace(/(?<!\\):([a-z]+)/gi, (_m, p: string) => values[p] ?? 'x').replaceAll('\\:', ':');
}

describe('unimplemented', () => {
  it.each(UNIMPLEMENTED_METHODS.map(([rpc, method, path]) => [rpc, method, concrete(path)] as const))(
    'REST %s (%s %s) answers 501 UNIMPLEMENTED naming the method',
    async (rpc, method, path) => {
      const res = await fetch(`${emu.url}${path}`, { method, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }) });
      expect(res.status).toBe(501);
      expect(await res.json()).toEqual({ error: { code: 501, status: 'UNIMPLEMENTED', message: `Method ${SERVICE}.${rpc} is not implemented by the emulator.` } });
    },
  );

  it('answers gRPC UNIMPLEMENTED (12) naming the method', async () => {
    await expect(client.listRules({ parent: `${PARENT}/repositories/r1` })).rejects.toMatchObject({ code: 12, details: `Method ${SERVICE}.ListRules is not implemented by the emulator.` });
    await expect(client.getVPCSCConfig({ name: `${PARENT}/vpcscConfig` })).rejects.toMatchObject({ code: 12, details: expect.stringContaining('GetVPCSCConfig') });
  });
});

describe('wrong method and unknown path', () => {
  it('answers 405 with Allow in the Google dialect for a wrong method on a REST path', async () => {
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(await res.json()).toMatchObject({ error: { code: 405, status: 'UNIMPLEMENTED', message: expect.stringContaining('method PUT') } });
  });

  it('answers 405 with Allow in the OCI dialect for a wrong method on a registry path', async () => {
    const res = await fetch(`${emu.url}/v2/img/tags/list`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('HEAD, GET');
    expect(await res.json()).toMatchObject({ errors: [{ code: 'UNSUPPORTED' }] });
  });

  it("answers an unknown path with the protocol's own 404", async () => {
    const rest = await fetch(`${emu.url}/v1/${PARENT}/nothing`);
    expect(rest.status).toBe(404);
    expect(await rest.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    const oci = await fetch(`${emu.url}/v2/img/nothing`);
    expect(oci.status).toBe(404);
    expect(await oci.json()).toMatchObject({ errors: [{ code: 'NAME_UNKNOWN' }] });
    const other = await fetch(`${emu.url}/nothing`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { status: 'NOT_FOUND' } });
  });
});
