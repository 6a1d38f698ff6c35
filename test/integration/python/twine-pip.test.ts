// twine and pip against a PYTHON repository: a wheel and an sdist built offline are uploaded with twine, a second
// upload of the same file is refused with PyPI's text (and skipped with --skip-existing), pip installs the
// package into a clean venv from the simple index and downloads it with --require-hashes.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { buildDemoDist, makeVenv, pip, PYTHON_CLIENTS, twineUpload, type DemoDist } from '../../support/clients/python.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { CommandError, run } from '../../support/clients/run.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CommandError) return `${err.stdout}${err.stderr}`.replace(/\s+/g, ' ');
    throw err;
  }
  throw new Error('expected the command to fail');
}

describeWithClients(PYTHON_CLIENTS, 'twine upload and pip install against a PYTHON repository', () => {
  let emu: TestEmulator;
  let work = '';
  let dist: DemoDist;
  const events: EmulatorEvent[] = [];
  const base = () => `${emu.url}/${TEST_PROJECT}/pypi`;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-python-'));
    emu = await startEmulator();
    emu.emulator.events.onAny((e) => void events.push(e));
    await emu.createRepository('pypi', { format: 'PYTHON' });
    dist = await buildDemoDist(join(work, 'src'), { name: 'Demo_Pkg', module: 'demo_pkg', version: '1.0' });
  });
  afterAll(async () => {
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('twine uploads a wheel and an sdist, each an artifact.pushed event in twine words', async () => {
    const out = await twineUpload(`${base()}/`, [dist.wheel, dist.sdist]);
    expect(out.stdout + out.stderr).toContain(`Uploading ${basename(dist.sdist)}`);
    await new Promise((r) => setImmediate(r));
    const pushed = events.filter((e) => e.type === 'artifact.pushed').map((e) => e.data as { action: string; kind: string; package: string; version: string });
    expect(pushed).toEqual([
      expect.objectContaining({ kind: 'file', package: 'demo-pkg', version: '1.0', action: `twine upload ${basename(dist.wheel)}` }),
      expect.objectContaining({ kind: 'file', package: 'demo-pkg', version: '1.0', action: `twine upload ${basename(dist.sdist)}` }),
    ]);
  });

  it('refuses a second upload of the same file with PyPI\'s 400, and twine --skip-existing skips it', async () => {
    const text = await failure(twineUpload(`${base()}/`, [dist.wheel]));
    expect(text).toContain('400 Bad Request');
    expect(text).toMatch(new RegExp(`File already exists \\('${basename(dist.wheel).replace(/\./g, '\\.')}', with blake2_256 hash '[0-9a-f]{64}'\\)\\. See https://pypi\\.org/help/#file-name-reuse`));
    // the URL without its final slash is the same endpoint
    const skipped = await twineUpload(base(), [dist.wheel, dist.sdist], { extra: ['--skip-existing'] });
    expect((skipped.stdout + skipped.stderr).replace(/\s+/g, ' ')).toContain(`Skipping ${basename(dist.wheel)} because it appears to already exist`);
  });

  it('serves the PEP 503 page with sha256 fragments, escaped requires-python and core metadata', async () => {
    const res = await fetch(`${base()}/simple/demo-pkg/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    const wheel = await readFile(dist.wheel);
    expect(html).toContain(`<a href="../../packages/demo-pkg/${basename(dist.wheel)}#sha256=${sha256(wheel)}" data-requires-python="&gt;=3.7"`);
    const meta = /data-core-metadata="sha256=([0-9a-f]{64})"/.exec(html)?.[1];
    expect(html).toContain(`data-dist-info-metadata="sha256=${meta}"`);
    const metadata = await fetch(`${base()}/packages/demo-pkg/${basename(dist.wheel)}.metadata`);
    const body = Buffer.from(await metadata.arrayBuffer());
    expect(sha256(body)).toBe(meta);
    expect(body.toString()).toMatch(/^Metadata-Version: .*\nName: Demo[-_]Pkg\nVersion: 1\.0\n/);
  });

  it('negotiates PEP 691 JSON by q-value and lists the project in the index', async () => {
    const json = await fetch(`${base()}/simple/demo-pkg/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01' } });
    expect(json.headers.get('content-type')).toBe('application/vnd.pypi.simple.v1+json');
    const page = (await json.json()) as { name: string; versions: string[]; files: Array<Record<string, unknown>> };
    expect(page.name).toBe('Demo-Pkg'); // setuptools sends the name as Demo-Pkg
    expect(page.versions).toEqual(['1.0']);
    expect(page.files.map((f) => f.filename)).toEqual([basename(dist.wheel), basename(dist.sdist)]);
    expect(page.files[0]).toMatchObject({ 'requires-python': '>=3.7', 'core-metadata': { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const html = await fetch(`${base()}/simple/`, { headers: { accept: 'text/html;q=0.9, application/vnd.pypi.simple.v1+json;q=0.2' } });
    expect(await html.text()).toContain('<a href="demo-pkg/">Demo-Pkg</a>');
    const none = await fetch(`${base()}/simple/`, { headers: { accept: 'application/xml' } });
    expect(none.status).toBe(406);
  });

  it('redirects a name that is not normalized, as PyPI does', async () => {
    const res = await fetch(`${base()}/simple/Demo_Pkg/`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`/${TEST_PROJECT}/pypi/simple/demo-pkg/`);
    const missing = await fetch(`${base()}/simple/no-such-thing/`);
    expect(missing.status).toBe(404);
  });

  it('pip installs the package into a clean venv, and the download is an artifact.pulled event', async () => {
    const venv = await makeVenv(join(work, 'venv'));
    const out = await pip(venv.pip, ['install', '--index-url', `${base()}/simple/`, 'demo-pkg==1.0']);
    expect(out.stdout).toContain(`Looking in indexes: ${base()}/simple/`);
    expect(out.stdout).toContain('Successfully installed demo-pkg-1.0');
    const value = await run(venv.python, ['-c', 'import demo_pkg; print(demo_pkg.VALUE)'], { cwd: work });
    expect(value.stdout.trim()).toBe('1.0');
    await new Promise((r) => setImmediate(r));
    expect(events.filter((e) => e.type === 'artifact.pulled').map((e) => (e.data as { action: string }).action)).toContain(`pip download ${basename(dist.wheel)}`);
  });

  it('pip download --require-hashes accepts the sha256 the index announces and refuses another', async () => {
    const venv = { pip: join(work, 'venv', 'bin', 'pip') };
    const wheelHash = sha256(await readFile(dist.wheel));
    const sdistHash = sha256(await readFile(dist.sdist));
    const good = join(work, 'good.txt');
    await writeFile(good, `demo-pkg==1.0 --hash=sha256:${wheelHash} --hash=sha256:${sdistHash}\n`);
    const out = await pip(venv.pip, ['download', '--require-hashes', '-r', good, '-d', join(work, 'dl'), '--index-url', `${base()}/simple/`]);
    expect(out.stdout).toContain('Saved');
    expect(sha256(await readFile(join(work, 'dl', basename(dist.wheel))))).toBe(wheelHash);
    const bad = join(work, 'bad.txt');
    await writeFile(bad, `demo-pkg==1.0 --hash=sha256:${'0'.repeat(64)}\n`);
    const text = await failure(pip(venv.pip, ['download', '--require-hashes', '-r', bad, '-d', join(work, 'dl2'), '--index-url', `${base()}/simple/`]));
    expect(text).toContain('THESE PACKAGES DO NOT MATCH THE HASHES');
  });
});
