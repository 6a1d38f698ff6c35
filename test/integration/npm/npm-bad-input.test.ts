// Bad input to the npm endpoints, sent with plain fetch (and a raw socket for a body cut short): invalid
// package names, path tricks in tarball and attachment names, a tarball whose integrity or shasum does not
// match, an oversized publish, a truncated body. Each gets a clear npm-style `{"error": "…"}`; nothing is
// stored, and no temp file stays behind.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNpmModule } from '../../../emulator/formats/npm/index.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient } from './npm-client.js';

const REPO = 'npm-repo';
const LIMIT = 64 << 10;
const V1 = `/v1/projects/${TEST_PROJECT}/locations/us-central1/repositories/${REPO}`;

let emu: TestEmulator;
const base = () => `${emu.url}/${TEST_PROJECT}/${REPO}`;

/** A publish document as libnpmpublish builds it, with overrides. */
function publishDoc(name: string, version: string, tgz: Buffer, o: { integrity?: string; shasum?: string; attachment?: string; length?: number } = {}) {
  const integrity = o.integrity ?? `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  const shasum = o.shasum ?? createHash('sha1').update(tgz).digest('hex');
  return {
    _id: name, name, 'dist-tags': { latest: version },
    versions: { [version]: { name, version, _id: `${name}@${version}`, dist: { integrity, shasum, tarball: `http://x/${name}/-/${name}-${version}.tgz` } } },
    _attachments: { [o.attachment ?? `${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: o.length ?? tgz.length } },
  };
}

async function put(path: string, body: unknown): Promise<{ status: number; body: { error?: string } }> {
  const res = await fetch(`${base()}/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

async function get(path: string): Promise<{ status: number; body: { error?: string } }> {
  const res = await fetch(`${base()}/${path}`);
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

/** A GET sent as written (fetch would resolve `%2e%2e` segments before sending). */
function rawGet(path: string): Promise<{ status: number; body: { error?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}/`, { path: `/${TEST_PROJECT}/${REPO}/${path}` }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { error?: string } }));
    });
    req.on('error', reject).end();
  });
}

/** Nothing stored: no package on the control plane, no sha512 blob, nothing in the blob temp dir. */
async function expectNothingStored(): Promise<void> {
  const listed = (await (await fetch(`${emu.url}${V1}/packages`)).json()) as { packages?: unknown[] };
  expect(listed.packages ?? []).toEqual([]);
  const files = (await (await fetch(`${emu.url}${V1}/files`)).json()) as { files?: unknown[] };
  expect(files.files ?? []).toEqual([]);
  expect(await readdir(join(emu.dataDir, 'blobs', '_tmp')).catch(() => [])).toEqual([]);
  expect(await readdir(join(emu.dataDir, 'blobs', 'sha512')).catch(() => [])).toEqual([]);
}

beforeAll(async () => {
  // the npm module again, with a small publish limit (registered last, it takes over NPM repositories)
  emu = await startEmulator({ formats: (d) => [createNpmModule({ ...d, maxPublishBytes: LIMIT })] });
  await emu.createRepository(REPO, { format: 'NPM' });
});
afterAll(() => emu.stop());

describe('npm endpoints given bad input', () => {
  const tgz = Buffer.from('pretend this is a gzipped tarball');

  it('refuses invalid package names with a 400 naming the rule', async () => {
    for (const [name, why] of [['Bad%20Name', /Invalid package name "Bad Name"/], ['UPPER', /name can no longer contain capital letters/], ['.hidden', /name cannot start with a period/], ['%zz', /not valid percent-encoding/]] as const) {
      const res = await put(name, publishDoc(decodeURIComponent(name.replace('%zz', '')) || 'x', '1.0.0', tgz));
      expect(res.status, name).toBe(400);
      expect(res.body.error, name).toMatch(why);
    }
    const read = await get('..%2f..%2fetc');
    expect(read.status).toBe(400);
    expect(read.body.error).toMatch(/Invalid package name/);
    await expectNothingStored();
  });

  it('refuses invalid versions and dist-tags of a publish', async () => {
    const bad = await put('pkg', publishDoc('pkg', 'not-a-version', tgz));
    expect([bad.status, bad.body.error]).toEqual([400, expect.stringMatching(/Invalid version "not-a-version"/)]);
    const doc = publishDoc('pkg', '1.0.0', tgz);
    const tagged = await put('pkg', { ...doc, 'dist-tags': { '1.x': '1.0.0' } });
    expect([tagged.status, tagged.body.error]).toEqual([400, expect.stringMatching(/Invalid dist-tag "1.x"/)]);
    await expectNothingStored();
  });

  it('refuses path tricks in tarball file names and attachment names', async () => {
    for (const file of ['..%2f..%2fsecret.tgz', '%2e%2e', '%2e%2e%2fsecret.tgz', '..%5csecret.tgz', 'pkg-1.0.0.tgz%00']) {
      const res = await rawGet(`pkg/-/${file}`);
      expect(res.status, file).toBe(400);
      expect(res.body.error, file).toMatch(/Invalid tarball file name/);
    }
    const res = await put('pkg', publishDoc('pkg', '1.0.0', tgz, { attachment: '../pkg-1.0.0.tgz' }));
    expect([res.status, res.body.error]).toEqual([400, 'Invalid attachment name "../pkg-1.0.0.tgz": expected "pkg-1.0.0.tgz"']);
    await expectNothingStored();
  });

  it('refuses a tarball whose dist.integrity or dist.shasum does not match, or whose length is wrong', async () => {
    const other = `sha512-${createHash('sha512').update('other bytes').digest('base64')}`;
    const integrity = await put('pkg', publishDoc('pkg', '1.0.0', tgz, { integrity: other }));
    expect([integrity.status, integrity.body.error]).toEqual([400, 'Integrity check failed for pkg@1.0.0: the attached tarball does not match dist.integrity / dist.shasum']);
    const shasum = await put('@lab%2fpkg', publishDoc('@lab/pkg', '1.0.0', tgz, { shasum: 'a'.repeat(40) }));
    expect([shasum.status, shasum.body.error]).toEqual([400, expect.stringMatching(/^Integrity check failed for @lab\/pkg@1.0.0/)]);
    const malformed = await put('pkg', publishDoc('pkg', '1.0.0', tgz, { integrity: 'sha512-short' }));
    expect([malformed.status, malformed.body.error]).toEqual([400, 'Invalid dist.integrity "sha512-short"']);
    const length = await put('pkg', publishDoc('pkg', '1.0.0', tgz, { length: tgz.length + 1 }));
    expect([length.status, length.body.error]).toEqual([400, expect.stringMatching(/is 33 bytes, but its length says 34/)]);
    await expectNothingStored();
  });

  it('refuses an oversized publish with 413 before storing anything', async () => {
    const big = Buffer.alloc(LIMIT, 7);
    const res = await put('pkg', publishDoc('pkg', '1.0.0', big));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe(`The request body is larger than this registry's publish limit of ${LIMIT} bytes`);
    await expectNothingStored();
  });

  it('refuses a body that is not JSON or was cut short', async () => {
    const text = JSON.stringify(publishDoc('pkg', '1.0.0', tgz));
    const cut = await put('pkg', text.slice(0, text.length / 2));
    expect(cut.status).toBe(400);
    expect(cut.body.error).toMatch(/^The request body is not valid JSON .*it may have been cut short$/);
    const notObject = await put('pkg', '[1,2]');
    expect([notObject.status, notObject.body.error]).toEqual([400, 'The request body must be a JSON packument object']);
    await expectNothingStored();
  });

  it('stores nothing when the connection drops before the announced body has arrived', async () => {
    const text = JSON.stringify(publishDoc('pkg', '1.0.0', tgz));
    const { port } = new URL(emu.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`PUT /${TEST_PROJECT}/${REPO}/pkg HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n`);
        socket.write(text.slice(0, 100), () => setImmediate(() => socket.destroy()));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    // the server has seen the request end once the next one is answered on a new connection
    expect((await get('pkg')).status).toBe(404);
    await expectNothingStored();
  });

  it('answers registry endpoints it does not serve (npm login) with 404, not as a bad package name', async () => {
    const res = await put('-/user/org.couchdb.user:tester', { name: 'tester', password: 'x' });
    expect(res).toEqual({ status: 404, body: { error: 'This registry does not serve /-/user/org.couchdb.user:tester' } });
  });

  it('answers an unknown package and a missing tarball with 404 and npm-style text', async () => {
    expect(await get('nobody-here')).toEqual({ status: 404, body: { error: 'package "nobody-here" is not in this registry' } });
    expect(await get('nobody-here/-/nobody-here-1.0.0.tgz')).toEqual({ status: 404, body: { error: 'nobody-here@1.0.0 is not in this registry' } });
    expect((await get('nobody-here/-/other-1.0.0.tgz')).status).toBe(404);
  });
});

describeWithClients(['npm'], 'npm publish over the size limit', () => {
  it('shows npm the 413 and its text, and stores nothing', async () => {
    const c = await npmClient(`${base()}/`);
    try {
      const dir = await c.makePackage('too-big', '1.0.0');
      await writeFile(join(dir, 'noise.bin'), randomBytes(LIMIT * 2));
      const out = await c.npmFails(['publish'], { cwd: dir });
      expect(out).toContain(`413 Payload Too Large - PUT ${base()}/too-big - The request body is larger than this registry's publish limit of ${LIMIT} bytes`);
      await expectNothingStored();
    } finally {
      await c.dispose();
    }
  });
});
