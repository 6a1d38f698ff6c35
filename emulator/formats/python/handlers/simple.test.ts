// GET /PROJECT/REPO/simple/ and /simple/NAME/ over HTTP: PEP 503 HTML or PEP 691 JSON by Accept, PEP 658/714
// core metadata for a wheel, PyPI's 301s to the slashed URL and to the normalized name, 404 and 406.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedZip } from '../../../../test/support/clients/python.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../../../test/support/emulator.js';

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
/** What pip sends: JSON preferred, HTML accepted. */
const PIP_ACCEPT = `${JSON_TYPE}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SDIST = Buffer.from('sdist of Tiny_Pkg 0.1\n');
const METADATA = 'Metadata-Version: 2.1\nName: Tiny_Pkg\nVersion: 0.1\nRequires-Python: >=3.9\n';
const WHEEL = storedZip({ 'tiny_pkg/__init__.py': 'VALUE = 1\n', 'tiny_pkg-0.1.dist-info/METADATA': METADATA, 'tiny_pkg-0.1.dist-info/WHEEL': 'Wheel-Version: 1.0\n' });

let emu: TestEmulator;
const simple = () => `${emu.url}/${TEST_PROJECT}/pysimple/simple`;
const get = (url: string, accept?: string) => fetch(url, { redirect: 'manual', ...(accept ? { headers: { accept } } : {}) });

async function upload(fields: Record<string, string>, filename: string, data: Buffer): Promise<void> {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', sha256_digest: sha256(data), ...fields })) form.append(k, v);
  form.append('content', new Blob([data]), filename);
  const res = await fetch(`${emu.url}/${TEST_PROJECT}/pysimple/`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`upload ${filename}: ${res.status} ${res.statusText}`);
}

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('pysimple', { format: 'PYTHON' });
  await upload({ name: 'Tiny_Pkg', version: '0.1', filetype: 'sdist', requires_python: '>=3.8' }, 'Tiny_Pkg-0.1.tar.gz', SDIST);
  await upload({ name: 'Tiny_Pkg', version: '0.1', filetype: 'bdist_wheel', pyversion: 'py3' }, 'tiny_pkg-0.1-py3-none-any.whl', WHEEL);
  await upload({ name: 'other', version: '2.0', filetype: 'sdist' }, 'other-2.0.tar.gz', Buffer.from('other'));
});
afterAll(() => emu.stop());

describe('getIndex', () => {
  it('answers HTML by default, linking each project by its normalized name', async () => {
    const res = await get(`${simple()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('vary')).toBe('Accept');
    const html = await res.text();
    expect(html).toContain('<meta name="pypi:repository-version" content="1.1">');
    expect(html).toContain('<a href="tiny-pkg/">Tiny_Pkg</a>');
    expect(html).toContain('<a href="other/">other</a>');
  });

  it('answers PEP 691 JSON to a client that prefers it', async () => {
    const res = await get(`${simple()}/`, PIP_ACCEPT);
    expect(res.headers.get('content-type')).toBe(JSON_TYPE);
    const body = (await res.json()) as { meta: unknown; projects: Array<{ name: string }> };
    expect(body.meta).toEqual({ 'api-version': '1.1' });
    expect(body.projects.map((p) => p.name).sort()).toEqual(['Tiny_Pkg', 'other']);
  });

  it('answers the PEP 503 HTML type when that is what was asked', async () => {
    const res = await get(`${simple()}/`, 'application/vnd.pypi.simple.v1+html');
    expect(res.headers.get('content-type')).toBe('application/vnd.pypi.simple.v1+html; charset=utf-8');
  });

  it('answers 406 to a client that accepts none of the three types', async () => {
    expect((await get(`${simple()}/`, 'application/xml')).status).toBe(406);
  });
});

describe('getProject', () => {
  it('answers HTML with each file\'s sha256, Requires-Python and, for the wheel, its core metadata', async () => {
    const res = await get(`${simple()}/tiny-pkg/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<title>Links for Tiny_Pkg</title>');
    expect(html).toContain(`<a href="../../packages/tiny-pkg/Tiny_Pkg-0.1.tar.gz#sha256=${sha256(SDIST)}" data-requires-python="&gt;=3.8">Tiny_Pkg-0.1.tar.gz</a>`);
    const meta = sha256(Buffer.from(METADATA));
    expect(html).toContain(`<a href="../../packages/tiny-pkg/tiny_pkg-0.1-py3-none-any.whl#sha256=${sha256(WHEEL)}" data-requires-python="&gt;=3.9" data-dist-info-metadata="sha256=${meta}" data-core-metadata="sha256=${meta}">`);
  });

  it('answers PEP 691 JSON by Accept, with sizes, versions and core-metadata', async () => {
    const res = await get(`${simple()}/tiny-pkg/`, PIP_ACCEPT);
    expect(res.headers.get('content-type')).toBe(JSON_TYPE);
    expect(res.headers.get('vary')).toBe('Accept');
    const body = (await res.json()) as { name: string; versions: string[]; files: Array<Record<string, unknown>> };
    expect(body).toMatchObject({ meta: { 'api-version': '1.1' }, name: 'Tiny_Pkg', versions: ['0.1'] });
    expect(body.files).toEqual([
      { filename: 'Tiny_Pkg-0.1.tar.gz', url: '../../packages/tiny-pkg/Tiny_Pkg-0.1.tar.gz', hashes: { sha256: sha256(SDIST) }, 'requires-python': '>=3.8', size: SDIST.length, 'upload-time': expect.any(String) },
      {
        filename: 'tiny_pkg-0.1-py3-none-any.whl', url: '../../packages/tiny-pkg/tiny_pkg-0.1-py3-none-any.whl', hashes: { sha256: sha256(WHEEL) },
        'requires-python': '>=3.9', 'core-metadata': { sha256: sha256(Buffer.from(METADATA)) }, size: WHEEL.length, 'upload-time': expect.any(String),
      },
    ]);
    const metadata = await fetch(new URL(`${String(body.files[1]!.url)}.metadata`, `${simple()}/tiny-pkg/`));
    expect(await metadata.text()).toBe(METADATA);
  });

  it('redirects a name that is not in normal form to the normalized one (301), keeping the query', async () => {
    const res = await get(`${simple()}/Tiny.PKG/?x=1`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`/${TEST_PROJECT}/pysimple/simple/tiny-pkg/?x=1`);
  });

  it('answers 404 for a project that was never uploaded', async () => {
    const res = await get(`${simple()}/never-uploaded/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("No project named 'never-uploaded' in this repository.");
  });
});

describe('redirectToSlash', () => {
  it('redirects /simple to /simple/ (301), keeping the query', async () => {
    const res = await get(`${simple()}?format=json`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`/${TEST_PROJECT}/pysimple/simple/?format=json`);
  });

  it('redirects /simple/NAME to /simple/NAME/ (301), and a client that follows ends at the project page', async () => {
    const res = await get(`${simple()}/other`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`/${TEST_PROJECT}/pysimple/simple/other/`);
    const followed = await fetch(`${simple()}/Other`);
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${simple()}/other/`);
    expect(await followed.text()).toContain('other-2.0.tar.gz');
  });
});
