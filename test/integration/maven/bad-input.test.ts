// Bad Maven input over HTTP: path traversal and malformed paths, checksum mismatches (headers and checksum files),
// versionPolicy and overwrite refusals, deploys into read-only modes. Each is a clear status + reason phrase, and
// nothing is stored.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;
const v1 = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories`;

/** A request with the path sent byte for byte (fetch would resolve `..` and `%2e%2e` itself). */
function raw(method: string, path: string, body = '', headers: Record<string, string> = {}): Promise<{ status: number; reason: string; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(emu.url);
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, reason: res.statusMessage ?? '', body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function create(id: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${emu.url}/v1/${v1}?repositoryId=${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'MAVEN', ...body }) });
}

const files = async (repo: string) => ((await (await fetch(`${emu.url}/v1/${v1}/${repo}/files`)).json()) as { files?: unknown[] }).files ?? [];
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

beforeAll(async () => {
  emu = await startEmulator();
  expect((await create('plain', {})).status).toBe(200);
  expect((await create('rel', { mavenConfig: { versionPolicy: 'RELEASE' } })).status).toBe(200);
  expect((await create('snap', { mavenConfig: { versionPolicy: 'SNAPSHOT' } })).status).toBe(200);
  expect((await create('snap-ow', { mavenConfig: { versionPolicy: 'SNAPSHOT', allowSnapshotOverwrites: true } })).status).toBe(200);
});
afterAll(() => emu.stop());

describe('putPath', () => {
  it.each([
    ['/com/example/../../../etc/passwd', 'is not allowed'],
    ['/com/example/%2e%2e/x/1.0/x-1.0.jar', 'is not allowed'],
    ['/com/example/a%2Fb/1.0/a%2Fb-1.0.jar', 'slash'],
    ['/com/example/a%5Cb/1.0/a%5Cb-1.0.jar', 'slash or backslash'],
    ['/com//example/x/1.0/x-1.0.jar', 'empty path segment'],
    ['/com/example/x/1.0/other-1.0.jar', 'does not belong'],
    ['/com/example/x/1.0/x-1.0.jar%00', 'characters'],
    ['/x-1.0.jar', 'GROUP/ARTIFACT/VERSION/FILE'],
    ['/com/example/x/1.0/x-1.0.jar%zz', 'percent-encoding'],
  ])('refuses PUT %s with 400 and stores nothing', async (path, why) => {
    const res = await raw('PUT', `/${TEST_PROJECT}/plain${path}`, 'data');
    expect(res.status).toBe(400);
    expect(`${res.reason} ${res.body}`).toContain(why);
    expect(await files('plain')).toEqual([]);
  });
});

describe('getPath', () => {
  it('answers a GET of a traversal path with 400, not a file', async () => {
    const res = await raw('GET', `/${TEST_PROJECT}/plain/com/../../../../etc/passwd`);
    expect(res.status).toBe(400);
  });
});

describe('checksums', () => {
  const path = `/${TEST_PROJECT}/plain/com/example/sum/1.0/sum-1.0.jar`;

  it('refuses a file whose X-Checksum-Sha1 header does not match, and stores nothing', async () => {
    const res = await raw('PUT', path, 'jar bytes', { 'x-checksum-sha1': sha1('other bytes') });
    expect(res.status).toBe(400);
    expect(res.reason).toMatch(/Checksum mismatch/);
    expect((await raw('GET', path)).status).toBe(404);
    expect(await files('plain')).toEqual([]);
  });

  it('refuses a checksum file that disagrees with the stored file and serves the computed one', async () => {
    expect((await raw('PUT', path, 'jar bytes', { 'x-checksum-sha1': sha1('jar bytes') })).status).toBe(201);
    const bad = await raw('PUT', `${path}.sha1`, sha1('something else'));
    expect(bad.status).toBe(400);
    expect(bad.reason).toMatch(/Checksum mismatch/);
    expect((await raw('PUT', `${path}.sha1`, sha1('jar bytes'))).status).toBe(201);
    expect((await raw('GET', `${path}.sha1`)).body).toBe(sha1('jar bytes'));
    expect((await raw('PUT', `${path}.md5`, 'not-hex')).status).toBe(400);
  });

  it('verifies a checksum file sent before its file against the file', async () => {
    const early = `/${TEST_PROJECT}/plain/com/example/early/1.0/early-1.0.pom`;
    expect((await raw('PUT', `${early}.sha1`, sha1('<project/>'))).status).toBe(201);
    expect((await raw('PUT', early, '<project>changed</project>')).status).toBe(400);
    expect((await raw('GET', early)).status).toBe(404);
  });

  it('accepts a client maven-metadata.xml (and refuses one that is not XML), serving the generated one', async () => {
    expect((await raw('PUT', `/${TEST_PROJECT}/plain/com/example/sum/maven-metadata.xml`, '<metadata><versioning><versions><version>9.9</version></versions></versioning></metadata>')).status).toBe(201);
    expect((await raw('PUT', `/${TEST_PROJECT}/plain/com/example/sum/maven-metadata.xml`, '<metadata><oops>')).status).toBe(400);
    const got = await raw('GET', `/${TEST_PROJECT}/plain/com/example/sum/maven-metadata.xml`);
    expect(got.body).toContain('<version>1.0</version>');
    expect(got.body).not.toContain('9.9');
    expect((await raw('GET', `/${TEST_PROJECT}/plain/com/example/sum/maven-metadata.xml.sha1`)).body).toBe(sha1(got.body));
  });
});

describe('client disconnects', () => {
  it('survives a client that goes away mid-PUT, storing nothing', async () => {
    const u = new URL(emu.url);
    await new Promise<void>((resolve) => {
      const req = request({ host: u.hostname, port: u.port, method: 'PUT', path: `/${TEST_PROJECT}/plain/com/example/cut/1.0/cut-1.0.jar`, headers: { 'content-length': 100_000 } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(1000, 1), () => setTimeout(() => (req.destroy(), resolve()), 50));
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await raw('GET', `/${TEST_PROJECT}/plain/com/example/cut/1.0/cut-1.0.jar`)).status).toBe(404);
    expect((await raw('PUT', `/${TEST_PROJECT}/plain/com/example/cut/1.0/cut-1.0.jar`, 'whole')).status).toBe(201);
  });
});

describe('mavenConfig', () => {
  const snapFile = (repo: string, n: number) => `/${TEST_PROJECT}/${repo}/com/example/s/1.0-SNAPSHOT/s-1.0-20260101.120000-${n}.jar`;

  it('keeps mavenConfig on the repository resource', async () => {
    const r = (await (await fetch(`${emu.url}/v1/${v1}/snap-ow`)).json()) as { mavenConfig?: unknown };
    expect(r.mavenConfig).toEqual({ versionPolicy: 'SNAPSHOT', allowSnapshotOverwrites: true });
  });

  it('a RELEASE repository refuses a SNAPSHOT and a SNAPSHOT repository a release (400), nothing stored', async () => {
    const a = await raw('PUT', snapFile('rel', 1), 'x');
    expect(a.status).toBe(400);
    expect(a.reason).toMatch(/version policy RELEASE/);
    const b = await raw('PUT', `/${TEST_PROJECT}/snap/com/example/r/1.0/r-1.0.jar`, 'x');
    expect(b.status).toBe(400);
    expect(b.reason).toMatch(/version policy SNAPSHOT/);
    expect(await files('rel')).toEqual([]);
    expect(await files('snap')).toEqual([]);
  });

  it('replaces a SNAPSHOT file only with allowSnapshotOverwrites', async () => {
    expect((await raw('PUT', snapFile('snap', 1), 'one')).status).toBe(201);
    const again = await raw('PUT', snapFile('snap', 1), 'two');
    expect(again.status).toBe(409);
    expect((await raw('GET', snapFile('snap', 1))).body).toBe('one');
    expect((await raw('PUT', snapFile('snap-ow', 1), 'one')).status).toBe(201);
    expect((await raw('PUT', snapFile('snap-ow', 1), 'two')).status).toBe(201);
    expect((await raw('GET', snapFile('snap-ow', 1))).body).toBe('two');
  });

  it('refuses a version policy on a virtual repository and a bad enum', async () => {
    const v = await create('virt', { mode: 'VIRTUAL_REPOSITORY', mavenConfig: { versionPolicy: 'RELEASE' } });
    expect(v.status).toBe(400);
    expect(await v.text()).toMatch(/Virtual Maven repositories cannot have a version policy/);
    expect((await create('badpol', { mavenConfig: { versionPolicy: 'NIGHTLY' } })).status).toBe(400);
  });

  it('refuses a deploy into a virtual repository with 405', async () => {
    expect((await create('virt2', { mode: 'VIRTUAL_REPOSITORY' })).status).toBe(200);
    expect((await raw('PUT', `/${TEST_PROJECT}/virt2/com/example/r/1.0/r-1.0.jar`, 'x')).status).toBe(405);
  });
});
