// The GOPROXY endpoints over HTTP: @v/list in semver order, .info / .mod / .zip of an uploaded version (HEAD too),
// @latest preferring a release, case-encoded paths, and 404 with a plain-text reason for what is unknown or malformed.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type yazlType from 'yazl';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../../../test/support/emulator.js';

const yazl = createRequire(import.meta.url)('yazl') as typeof yazlType;
const M = 'example.com/Tiny';

async function zipOf(module: string, version: string, files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(files)) z.addBuffer(Buffer.from(body), `${module}@${version}/${name}`);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

let emu: TestEmulator;
const base = () => `${emu.url}/${TEST_PROJECT}/gorepo/example.com/!tiny`;

beforeAll(async () => {
  emu = await startEmulator({ grpcPort: false });
  await emu.createRepository('gorepo', { format: 'GO' });
  for (const [v, files] of [['v0.2.0', { 'go.mod': `module ${M}\n` }], ['v0.10.0-rc.1', { 'go.mod': `module ${M}\n` }], ['v0.1.0', { 'tiny.go': 'package tiny\n' }]] as const) {
    const res = await fetch(`${emu.url}/upload/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/gorepo/goModules:create?uploadType=media`, { method: 'POST', body: await zipOf(M, v, files) });
    if (res.status !== 200) throw new Error(`upload ${v}: ${res.status} ${await res.text()}`);
  }
});
afterAll(() => emu.stop());

describe('getList', () => {
  it('lists the versions one per line in semver order', async () => {
    const res = await fetch(`${base()}/@v/list`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('v0.1.0\nv0.2.0\nv0.10.0-rc.1\n');
  });

  it('answers 404 with a reason for an unknown module or an unescaped upper-case path', async () => {
    const unknown = await fetch(`${emu.url}/${TEST_PROJECT}/gorepo/example.com/none/@v/list`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/^not found: example.com\/none/);
    expect((await fetch(`${emu.url}/${TEST_PROJECT}/gorepo/example.com/Tiny/@v/list`)).status).toBe(404);
  });
});

describe('getVersionFile', () => {
  it('serves .info, .mod and .zip of a version, a synthesised go.mod for a zip without one', async () => {
    const info = await fetch(`${base()}/@v/v0.2.0.info`);
    expect(info.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await info.json()) as { Version: string; Time: string };
    expect(body.Version).toBe('v0.2.0');
    expect(body.Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await (await fetch(`${base()}/@v/v0.2.0.mod`)).text()).toBe(`module ${M}\n`);
    expect(await (await fetch(`${base()}/@v/v0.1.0.mod`)).text()).toBe(`module ${M}\n`);
    const zip = await fetch(`${base()}/@v/v0.2.0.zip`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(Buffer.from(await zip.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    const head = await fetch(`${base()}/@v/v0.2.0.zip`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown version, a non-canonical one and another suffix', async () => {
    for (const f of ['v9.0.0.info', 'v0.2.info', 'v0.2.0.tgz']) {
      const res = await fetch(`${base()}/@v/${f}`);
      expect(res.status, f).toBe(404);
      expect(await res.text(), f).toMatch(/^not found: /);
    }
  });
});

describe('getLatest', () => {
  it('answers the highest release, not a higher pre-release', async () => {
    const res = await fetch(`${base()}/@latest`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { Version: string }).Version).toBe('v0.2.0');
  });
});

describe('getList after deletes', () => {
  it('drops a version deleted through the control plane, and the module with its last version', async () => {
    const pkg = `${emu.url}/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/gorepo/packages/${encodeURIComponent(M)}`;
    expect((await fetch(`${pkg}/versions/v0.1.0`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(`${base()}/@v/list`)).text()).toBe('v0.2.0\nv0.10.0-rc.1\n');
    expect((await fetch(`${base()}/@v/v0.1.0.zip`)).status).toBe(404);
    expect((await fetch(pkg, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${base()}/@v/list`)).status).toBe(404);
    expect((await fetch(`${base()}/@latest`)).status).toBe(404);
  });
});
