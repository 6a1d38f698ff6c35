// GET/HEAD /v2/: the API version check, and routing of unknown paths and methods.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../../../test/support/emulator.js';
import { ociError, Registry } from '../../../../test/support/registry.js';

let emu: TestEmulator;
let reg: Registry;
beforeAll(async () => {
  emu = await startEmulator();
  reg = new Registry(emu.url);
});
afterAll(() => emu.stop());

describe('checkVersion', () => {
  it('answers 200 {} with the registry API version header, with and without the slash', async () => {
    for (const path of ['/v2/', '/v2']) {
      const res = await reg.fetch(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      expect(await res.json()).toEqual({});
    }
    expect((await reg.fetch('/v2/', { method: 'HEAD' })).status).toBe(200);
  });

  it('answers unknown registry paths and methods in the OCI dialect', async () => {
    const unknown = await reg.fetch('/v2/p/r/i/whatever');
    expect(unknown.status).toBe(404);
    const method = await reg.fetch('/v2/test-project/repo/app/tags/list', { method: 'POST' });
    expect(method.status).toBe(405);
    expect(await ociError(method)).toBe('UNSUPPORTED');
  });

  it('selects the location from a LOCATION-docker.pkg.dev Host header, else the one location holding the repository', async () => {
    await emu.createRepository('eu-repo', { location: 'europe-west1' });
    expect(await statusWithHost('/v2/test-project/eu-repo/app/tags/list', `europe-west1-docker.pkg.dev:${new URL(emu.url).port}`)).toBe(200);
    expect(await statusWithHost('/v2/test-project/eu-repo/app/tags/list', `us-central1-docker.pkg.dev:${new URL(emu.url).port}`)).toBe(404);
    const withoutHost = await reg.fetch('/v2/test-project/eu-repo/app/tags/list');
    expect(withoutHost.status).toBe(200);
  });
});

/** fetch() may not set Host; node:http may. */
function statusWithHost(path: string, host: string): Promise<number> {
  const url = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}
