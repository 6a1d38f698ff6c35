// What the control plane answers for what it does not serve: a wrong HTTP method → 405 with Allow; an unknown
// path → the protocol's own 404 (Google JSON under /v1/, OCI under /v2/). Every v1 method is served
// (test/integration/control/every-rpc.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const PARENT = `projects/${TEST_PROJECT}/locations/us-central1`;
let emu: TestEmulator;

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('r1');
});
afterAll(async () => {
  await emu.stop();
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
