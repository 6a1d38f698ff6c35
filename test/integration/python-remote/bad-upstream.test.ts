// A Python remote repository over a misbehaving upstream (fake-pypi.ts): a file whose sha256 does not match its
// page, a truncated body, an endless slow body, a redirect loop, a truncated page, a 429: the client (pip, or a
// plain HTTP client) gets a clear error, nothing is cached (no file record, no blob, no temp file) and the next
// good request works. Also: PEP 691 JSON upstream pages, 404s negative-cached for 30 s of emulator time, one
// upstream fetch for concurrent requests, upstream credentials from the secrets file (Basic).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { makeVenv, pip, PYTHON_CLIENTS } from '../../support/clients/python.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { CommandError } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { FakePypi, sha256hex } from './fake-pypi.js';
import { StaticIndex } from './static-index.js';

const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}`;
const SECRET = 'projects/p/secrets/pypi/versions/1';

describeWithClients(PYTHON_CLIENTS, 'Python remote repository over a misbehaving upstream', () => {
  let emu: TestEmulator;
  let up: FakePypi;
  let work = '';
  const events: EmulatorEvent[] = [];
  const base = () => `${emu.url}/${TEST_PROJECT}/bad-cache`;
  const cachedFiles = async () => {
    const body = (await (await fetch(`${emu.url}/v1/${PARENT}/repositories/bad-cache/files`)).json()) as { files?: Array<{ name: string }> };
    return (body.files ?? []).map((f) => decodeURIComponent(f.name.slice(f.name.lastIndexOf('/') + 1)));
  };
  const tempFiles = () => readdir(join(emu.dataDir, 'blobs', '_tmp')).catch(() => []);
  /** GET and read the whole body: the status and bytes, or the error that cut it off */
  const download = async (path: string): Promise<{ status: number; body?: Buffer; text?: string; error?: string }> => {
    let res: Response;
    try {
      res = await fetch(`${base()}${path}`);
    } catch (err) {
      return { status: 0, error: String((err as Error).cause ?? err) };
    }
    try {
      const body = Buffer.from(await res.arrayBuffer());
      return { status: res.status, body, text: body.toString() };
    } catch (err) {
      return { status: res.status, error: String((err as Error).cause ?? err) };
    }
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-pybad-'));
    up = await new FakePypi().start();
    const secretsFile = join(work, 'secrets.json');
    await writeFile(secretsFile, JSON.stringify({ [SECRET]: 's3cret' }));
    emu = await startEmulator({ secretsFile, dataDir: join(work, 'data'), upstreamClient: { readTimeoutMs: 1000, connectTimeoutMs: 1000, transferTimeoutMs: 1500, maxRedirects: 3 } });
    emu.emulator.events.onAny((e) => void events.push(e));
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=bad-cache`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        format: 'PYTHON', mode: 'REMOTE_REPOSITORY',
        remoteRepositoryConfig: { commonRepository: { uri: `${up.url}/simple` }, upstreamCredentials: { usernamePasswordCredentials: { username: 'robot', passwordSecretVersion: SECRET } } },
      }),
    });
    expect(res.status, await res.text()).toBe(200);
  });
  afterAll(async () => {
    await emu?.stop();
    await up?.stop();
    if (work) await rm(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  it('sends the upstream credentials (Basic) and reads a PEP 691 JSON page; serves PEP 503 HTML or JSON as asked', async () => {
    const wheel = StaticIndex.tinyWheel('json-pkg', '1.0');
    up.add('json-pkg', 'json_pkg-1.0-py3-none-any.whl', wheel, { json: true });
    const res = await fetch(`${base()}/simple/json-pkg/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`<a href="../../packages/json-pkg/json_pkg-1.0-py3-none-any.whl#sha256=${sha256hex(wheel)}">`);
    const json = (await (await fetch(`${base()}/simple/json-pkg/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { meta: unknown; files: Array<{ url: string; size?: number }> };
    expect(json.meta).toEqual({ 'api-version': '1.1' });
    expect(json.files[0]).toMatchObject({ url: '../../packages/json-pkg/json_pkg-1.0-py3-none-any.whl', size: wheel.length });
    const file = await download('/packages/json-pkg/json_pkg-1.0-py3-none-any.whl');
    expect(file.status).toBe(200);
    expect(file.body?.equals(wheel)).toBe(true);
    const auth = `Basic ${Buffer.from('robot:s3cret').toString('base64')}`;
    expect(up.requests.filter((r) => r.path.includes('json')).every((r) => r.authorization === auth)).toBe(true);
    // the cached wheel's core metadata was extracted: the page announces it now, and the file is served
    const after = await (await fetch(`${base()}/simple/json-pkg/`)).text();
    expect(after).toMatch(/data-core-metadata="sha256=[0-9a-f]{64}"/);
    expect(await (await fetch(`${base()}/packages/json-pkg/json_pkg-1.0-py3-none-any.whl.metadata`)).text()).toContain('Name: json-pkg');
  });

  it('keeps the cached page, file and core metadata through garbage collection', async () => {
    const blobs = async () => (await readdir(join(emu.dataDir, 'blobs', 'sha256'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
    const before = await blobs();
    expect(before).toBeGreaterThanOrEqual(3); // the page (as parsed), the wheel, its METADATA
    await emu.emulator.collectGarbage();
    expect(await blobs()).toBe(before);
  });

  it('a cached version deleted through the control plane (as cleanup would) is fetched again on the next download', async () => {
    const del = await fetch(`${emu.url}/v1/${PARENT}/repositories/bad-cache/packages/json-pkg/versions/1.0`, { method: 'DELETE' });
    expect(del.status, await del.text()).toBe(200);
    expect(await cachedFiles()).not.toContain('json_pkg-1.0-py3-none-any.whl');
    const before = up.count('/files/json-pkg/json_pkg-1.0-py3-none-any.whl');
    const again = await download('/packages/json-pkg/json_pkg-1.0-py3-none-any.whl');
    expect(again.status).toBe(200);
    expect(up.count('/files/json-pkg/json_pkg-1.0-py3-none-any.whl')).toBe(before + 1);
    expect(await cachedFiles()).toContain('json_pkg-1.0-py3-none-any.whl');
  });

  it('answers from the cache under injected faults (429, slow past the timeout) and offline; a miss is a 503 naming why', async () => {
    const FULL = `${PARENT}/repositories/bad-cache`;
    const conditions = emu.emulator.upstream;
    emu.emulator.clock.advance(301_000); // json-pkg's page is due for revalidation
    const before = up.requests.length;
    try {
      conditions.setFault({ repository: FULL, mode: 'status', status: 429 });
      const stale = await fetch(`${base()}/simple/json-pkg/`);
      expect(stale.status).toBe(200);
      expect(stale.headers.get('warning')).toBe('110 - "Response is Stale"');
      expect((await download('/packages/json-pkg/json_pkg-1.0-py3-none-any.whl')).status).toBe(200);
      const limited = await download('/simple/fault-pkg/');
      expect([limited.status, limited.text]).toEqual([503, expect.stringContaining('upstream answered 429 (injected fault)')]);
      conditions.setFault({ repository: FULL, mode: 'slow', delayMs: 5_000 });
      const slow = await download('/simple/fault-pkg/');
      expect([slow.status, slow.text]).toEqual([503, expect.stringMatching(/did not answer within 1000 ms/)]);
      conditions.clearFaults(FULL);
      conditions.setOffline(FULL, true);
      const offline = await download('/simple/fault-pkg/');
      expect([offline.status, offline.text]).toEqual([503, expect.stringContaining('offline for this repository (no upstream request was made)')]);
      expect((await fetch(`${base()}/simple/json-pkg/`)).headers.get('warning')).toBe('110 - "Response is Stale"');
      expect(up.requests.length).toBe(before); // faults and offline answer before any request
    } finally {
      conditions.clearFaults(FULL);
      conditions.setOffline(FULL, false);
    }
    expect((await fetch(`${base()}/simple/json-pkg/`)).headers.get('warning')).toBeNull();
  });

  it('follows the upstream\'s redirect to the file', async () => {
    const data = Buffer.from('moved sdist');
    const f = up.add('moved-pkg', 'moved_pkg-1.0.tar.gz', data);
    up.misbehave.set(f.path, 'redirect');
    const got = await download('/packages/moved-pkg/moved_pkg-1.0.tar.gz');
    expect(got.status).toBe(200);
    expect(got.body?.equals(data)).toBe(true);
    expect(up.count(`/moved${f.path}`)).toBe(1);
    up.misbehave.delete(f.path);
  });

  it('refuses a file whose bytes do not match the page\'s sha256: pip fails, nothing is cached, the next good request works', async () => {
    const wheel = StaticIndex.tinyWheel('evil-pkg', '1.0');
    const f = up.add('evil-pkg', 'evil_pkg-1.0-py3-none-any.whl', wheel);
    up.misbehave.set(f.path, 'wrong-bytes');
    const venv = await makeVenv(join(work, 'venv-evil'));
    let text = '';
    try {
      await pip(venv.pip, ['install', '--retries', '0', '--index-url', `${base()}/simple/`, 'evil-pkg']);
    } catch (err) {
      text = err instanceof CommandError ? `${err.stdout}${err.stderr}` : String(err);
    }
    // verification failed before any byte reached pip: a 503 (pip retries a 503 and then says only that)
    expect(text).toMatch(/too many 503 error responses|HTTP error 503/);
    const direct = await download('/packages/evil-pkg/evil_pkg-1.0-py3-none-any.whl');
    expect(direct.status).toBe(503);
    expect(direct.text).toContain('upstream sent evil_pkg-1.0-py3-none-any.whl with a hash that does not match the one its page gives');
    expect(text).not.toContain('Successfully installed');
    expect(await cachedFiles()).not.toContain('evil_pkg-1.0-py3-none-any.whl');
    expect(await tempFiles()).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(events.filter((e) => e.type === 'upstream.failed').map((e) => (e.data as { reason: string }).reason)).toContainEqual(expect.stringMatching(/^digest: upstream sent evil_pkg-1\.0-py3-none-any\.whl with a hash that does not match/));
    up.misbehave.delete(f.path);
    const out = await pip(venv.pip, ['install', '--retries', '0', '--index-url', `${base()}/simple/`, 'evil-pkg']);
    expect(out.stdout).toContain('Successfully installed evil-pkg-1.0');
    expect(await cachedFiles()).toContain('evil_pkg-1.0-py3-none-any.whl');
  });

  for (const bad of ['truncated', 'endless', 'redirect-loop'] as const) {
    it(`a ${bad} file: the client gets an error, nothing is cached, the next good request works`, async () => {
      const name = `${bad}-pkg`;
      const filename = `${name.replace(/-/g, '_')}-1.0.tar.gz`;
      const data = Buffer.alloc(4 << 20, 7); // large: the body is already streaming when it goes wrong
      const f = up.add(name, filename, data);
      up.misbehave.set(f.path, bad);
      const first = await download(`/packages/${name}/${filename}`);
      if (bad === 'redirect-loop') {
        expect(first.status).toBe(503);
        expect(first.text).toMatch(/redirected more than 3 times/);
      } else {
        // cut off: before the headers (nothing was sent yet) or mid-body, never a complete wrong body
        expect(first.error ?? `status ${first.status}, ${first.body?.length} bytes`).toMatch(/terminated|closed|other side|socket|aborted|ECONNRESET/i);
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(await cachedFiles()).not.toContain(filename);
      expect(await tempFiles()).toEqual([]);
      up.misbehave.delete(f.path);
      const good = await download(`/packages/${name}/${filename}`);
      expect(good.status).toBe(200);
      expect(good.body?.equals(data)).toBe(true);
      expect(await cachedFiles()).toContain(filename);
    });
  }

  it('a truncated page or a 429: 503 in plain text naming the reason, nothing cached', async () => {
    up.add('page-pkg', 'page_pkg-1.0.tar.gz', 'x');
    up.misbehave.set('/simple/page-pkg/', 'truncated');
    const cut = await download('/simple/page-pkg/');
    expect(cut.status).toBe(503);
    expect(cut.text).toMatch(/ended early|truncated/);
    up.misbehave.set('/simple/page-pkg/', { status: 429 });
    const limited = await download('/simple/page-pkg/');
    expect(limited.status).toBe(503);
    expect(limited.text).toContain('upstream answered 429');
    up.misbehave.delete('/simple/page-pkg/');
    expect((await download('/simple/page-pkg/')).status).toBe(200);
  });

  it('remembers an upstream 404 for 30 s of emulator time', async () => {
    expect((await download('/simple/later-pkg/')).status).toBe(404);
    up.add('later-pkg', 'later_pkg-1.0.tar.gz', 'later');
    const before = up.count('/simple/later-pkg/');
    expect((await download('/simple/later-pkg/')).status).toBe(404);
    expect(up.count('/simple/later-pkg/')).toBe(before);
    emu.emulator.clock.advance(31_000);
    expect((await download('/simple/later-pkg/')).status).toBe(200);
  });

  it('through a virtual repository, skips a failing remote member for a lower standard one; 503 when no member has the project', async () => {
    await emu.createRepository('std', { format: 'PYTHON' });
    const data = Buffer.from('std sdist');
    const form = new FormData();
    for (const [k, v] of Object.entries({ ':action': 'file_upload', name: 'std-pkg', version: '1.0', filetype: 'sdist', sha256_digest: sha256hex(data) })) form.append(k, v);
    form.append('content', new Blob([data]), 'std-pkg-1.0.tar.gz');
    expect((await fetch(`${emu.url}/${TEST_PROJECT}/std/`, { method: 'POST', body: form })).status).toBe(200);
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=mixed`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'PYTHON', mode: 'VIRTUAL_REPOSITORY', virtualRepositoryConfig: { upstreamPolicies: [
        { id: 'remote', repository: `${PARENT}/repositories/bad-cache`, priority: 10 }, { id: 'std', repository: `${PARENT}/repositories/std`, priority: 1 }] } }),
    });
    expect(res.status, await res.text()).toBe(200);
    up.misbehave.set('/simple/std-pkg/', { status: 500 });
    up.misbehave.set('/simple/nowhere-pkg/', { status: 500 });
    const v = (path: string) => fetch(`${emu.url}/${TEST_PROJECT}/mixed${path}`);
    const page = await v('/simple/std-pkg/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<a href="../../packages/std-pkg/std-pkg-1.0.tar.gz#sha256=');
    expect(await (await v('/packages/std-pkg/std-pkg-1.0.tar.gz')).text()).toBe('std sdist');
    const none = await v('/simple/nowhere-pkg/');
    expect(none.status).toBe(503);
    expect(await none.text()).toContain('upstream answered 500');
    up.misbehave.delete('/simple/nowhere-pkg/');
    expect((await v('/simple/nowhere-pkg/')).status).toBe(404);
    const index = await (await v('/simple/')).text();
    expect(index).toContain('<a href="std-pkg/">std-pkg</a>');
    expect(index).toContain('<a href="json-pkg/">');
    up.misbehave.delete('/simple/std-pkg/');
  });

  it('refuses twine-style uploads into a PYPI remote with 405 and a reason phrase', async () => {
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=pypi`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'PYTHON', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { pythonRepository: { publicRepository: 'PYPI' } } }),
    });
    expect(res.status).toBe(200);
    const form = new FormData();
    form.append(':action', 'file_upload');
    form.append('content', new Blob([Buffer.from('x')]), 'x-1.0.tar.gz');
    const refused = await fetch(`${emu.url}/${TEST_PROJECT}/pypi/`, { method: 'POST', body: form });
    expect(refused.status).toBe(405);
    expect(refused.statusText).toBe('Repository "pypi" is a remote repository: it is read-only (uploads are not allowed).');
  });

  it('fetches a file once for concurrent requests', async () => {
    const data = Buffer.alloc(256 << 10, 3);
    const f = up.add('busy-pkg', 'busy_pkg-1.0.tar.gz', data);
    // neither the page nor the file is cached yet: both are fetched once
    up.misbehave.set('/simple/busy-pkg/', { delayMs: 100 });
    up.misbehave.set(f.path, { delayMs: 200 });
    const all = await Promise.all([1, 2, 3].map(() => download('/packages/busy-pkg/busy_pkg-1.0.tar.gz')));
    for (const r of all) expect(r.body?.equals(data)).toBe(true);
    expect(up.count(f.path)).toBe(1);
    expect(up.count('/simple/busy-pkg/')).toBe(1);
  });

  it('gives every concurrent request for a file that fails verification an error, never a 500 or the wrong bytes', async () => {
    const data = Buffer.from('the right bytes');
    const f = up.add('racy-pkg', 'racy_pkg-1.0.tar.gz', data);
    expect((await download('/simple/racy-pkg/')).status).toBe(200);
    up.misbehave.set(f.path, 'wrong-bytes');
    const all = await Promise.all([1, 2, 3].map(() => download('/packages/racy-pkg/racy_pkg-1.0.tar.gz')));
    for (const r of all) {
      expect(r.status === 503 || r.error !== undefined, JSON.stringify(r)).toBe(true);
      if (r.status === 503) expect(r.text).toContain('does not match the one its page gives');
    }
    expect(await cachedFiles()).not.toContain('racy_pkg-1.0.tar.gz');
    up.misbehave.delete(f.path);
  });
});

describe('Python remote repository over another emulator\'s standard repository', () => {
  it('reads its PEP 691 JSON (relative URLs, core-metadata) and caches the wheel', async () => {
    // own data dirs, removed with retries: another module may still write a journal just after stop()
    const dirs = await mkdtemp(join(tmpdir(), 'are-pychain-'));
    const upstream = await startEmulator({ dataDir: join(dirs, 'a') });
    const emu = await startEmulator({ dataDir: join(dirs, 'b') });
    try {
      await upstream.createRepository('internal', { format: 'PYTHON' });
      const wheel = StaticIndex.tinyWheel('chain-pkg', '1.0');
      const form = new FormData();
      for (const [k, v] of Object.entries({ ':action': 'file_upload', name: 'Chain_Pkg', version: '1.0', filetype: 'bdist_wheel', pyversion: 'py3', sha256_digest: sha256hex(wheel) })) form.append(k, v);
      form.append('content', new Blob([wheel]), 'chain_pkg-1.0-py3-none-any.whl');
      expect((await fetch(`${upstream.url}/${TEST_PROJECT}/internal/`, { method: 'POST', body: form })).status).toBe(200);
      const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=chain`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ format: 'PYTHON', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { pythonRepository: { customRepository: { uri: `${upstream.url}/${TEST_PROJECT}/internal/simple` } } } }),
      });
      expect(res.status).toBe(200);
      const page = (await (await fetch(`${emu.url}/${TEST_PROJECT}/chain/simple/chain-pkg/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { name: string; meta: unknown; versions?: string[]; files: Array<Record<string, unknown>> };
      expect(page).toMatchObject({ name: 'Chain_Pkg', meta: { 'api-version': '1.1' }, versions: ['1.0'] });
      expect(page.files[0]).toMatchObject({ url: '../../packages/chain-pkg/chain_pkg-1.0-py3-none-any.whl', hashes: { sha256: sha256hex(wheel) }, size: wheel.length, 'core-metadata': { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      const meta = await (await fetch(`${emu.url}/${TEST_PROJECT}/chain/packages/chain-pkg/chain_pkg-1.0-py3-none-any.whl.metadata`)).text();
      expect(meta).toContain('Name: chain-pkg');
      const file = Buffer.from(await (await fetch(`${emu.url}/${TEST_PROJECT}/chain/packages/chain-pkg/chain_pkg-1.0-py3-none-any.whl`)).arrayBuffer());
      expect(file.equals(wheel)).toBe(true);
      const listed = (await (await fetch(`${emu.url}/v1/${PARENT}/repositories/chain/packages`)).json()) as { packages?: Array<{ name: string }> };
      expect(listed.packages?.map((p) => p.name)).toEqual([`${PARENT}/repositories/chain/packages/chain-pkg`]);
    } finally {
      await emu.stop();
      await upstream.stop();
      await rm(dirs, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
  });
});
