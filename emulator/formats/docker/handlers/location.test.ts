// The location rule of registry paths (issue 10): `/v2/PROJECT/REPO/…` names the repository in the Host's location
// (`LOCATION-docker.pkg.dev`), else in the default location, else in the one location holding a repository of that
// name; several such locations and no Host is a clear error. A repository of another format is named as such.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../../../test/support/emulator.js';
import { Registry, type OciErrors } from '../../../../test/support/registry.js';

let emu: TestEmulator;
let reg: Registry;
const P = TEST_PROJECT;

beforeAll(async () => {
  emu = await startEmulator();
  reg = new Registry(emu.url);
  await emu.createRepository('eu-only', { location: 'europe-west1' });
  await emu.createRepository('twice', { location: 'europe-west1' });
  await emu.createRepository('twice', { location: 'asia-east1' });
  await emu.createRepository('both', { location: 'europe-west1' });
  await emu.createRepository('both');
  await emu.createRepository('js', { format: 'NPM', location: 'europe-west1' });
});
afterAll(() => emu.stop());

/** A request with a Host header of its own (fetch may not set Host). */
function withHost(method: string, path: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject).end();
  });
}

async function pushImage(name: string, tag: string): Promise<void> {
  const res = await reg.putManifest(name, tag, await reg.imageManifest(name));
  expect(res.status).toBe(201);
}

async function tagsOf(location: string, repository: string, image: string): Promise<string[]> {
  const res = await fetch(`${emu.url}/v1/projects/${P}/locations/${location}/repositories/${repository}/packages/${image}/tags`);
  const body = (await res.json()) as { tags?: Array<{ name: string }> };
  return (body.tags ?? []).map((t) => t.name.slice(t.name.lastIndexOf('/') + 1));
}

describe('the location of /v2/PROJECT/REPO/…', () => {
  it('is the one location holding the repository when the Host names none: push and pull without a LOCATION Host', async () => {
    await pushImage(`${P}/eu-only/app`, 'v1');
    expect(await tagsOf('europe-west1', 'eu-only', 'app')).toEqual(['v1']);
    const pulled = await reg.fetch(`/v2/${P}/eu-only/app/manifests/v1`);
    expect(pulled.status).toBe(200);
    expect(((await (await reg.fetch(`/v2/${P}/eu-only/app/tags/list`)).json()) as { tags: string[] }).tags).toEqual(['v1']);
  });

  it('is the default location when a repository of that name is there, even if other locations hold one too', async () => {
    await pushImage(`${P}/both/app`, 'here');
    expect(await tagsOf('us-central1', 'both', 'app')).toEqual(['here']);
    expect(await tagsOf('europe-west1', 'both', 'app')).toEqual([]);
  });

  it("is the Host's location when the Host names one, and nowhere else", async () => {
    const port = new URL(emu.url).port;
    expect((await withHost('GET', `/v2/${P}/both/app/manifests/here`, `us-central1-docker.pkg.dev:${port}`)).status).toBe(200);
    expect((await withHost('GET', `/v2/${P}/both/app/manifests/here`, `europe-west1-docker.pkg.dev:${port}`)).status).toBe(404);
    const missing = await withHost('GET', `/v2/${P}/eu-only/app/tags/list`, `us-east1-docker.pkg.dev:${port}`);
    expect(missing.status).toBe(404);
    expect((JSON.parse(missing.body) as OciErrors).errors[0]!.code).toBe('NAME_UNKNOWN');
  });

  it('asks the client to say which, by Host, when several locations hold the repository and the default does not', async () => {
    const res = await reg.fetch(`/v2/${P}/twice/app/blobs/uploads/`, { method: 'POST' });
    expect(res.status).toBe(400);
    const error = ((await res.json()) as OciErrors).errors[0]!;
    expect(error.code).toBe('DENIED');
    expect(error.message).toBe(
      `Repository "twice" exists in several locations of project "${P}" (asia-east1, europe-west1) and none is the default location: ` +
        'say which with a Host header of the form LOCATION-docker.pkg.dev[:PORT] (for example asia-east1-docker.pkg.dev, mapped to this emulator\'s address).',
    );
    const port = new URL(emu.url).port;
    expect((await withHost('POST', `/v2/${P}/twice/app/blobs/uploads/`, `asia-east1-docker.pkg.dev:${port}`)).status).toBe(202);
  });
});

describe('a repository of another format at /v2/PROJECT/REPO/…', () => {
  it('is an OCI NAME_UNKNOWN naming both formats, wherever it lives', async () => {
    for (const [method, path] of [['POST', `/v2/${P}/js/app/blobs/uploads/`], ['GET', `/v2/${P}/js/app/manifests/latest`], ['GET', `/v2/${P}/js/app/tags/list`]] as const) {
      const res = await reg.fetch(path, { method });
      expect(res.status).toBe(404);
      expect(((await res.json()) as OciErrors).errors[0]).toEqual({
        code: 'NAME_UNKNOWN',
        message: 'Repository "js" is a NPM repository, not a DOCKER repository: use the NPM client\'s URL for it.',
      });
    }
  });
});
