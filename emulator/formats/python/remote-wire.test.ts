// Reading an upstream's project page: PEP 503 HTML (entities, relative and absolute links, hash fragments,
// data-requires-python, data-dist-info-metadata / data-core-metadata, data-yanked) and PEP 691 JSON; links this
// emulator cannot serve (another project, no version, path tricks, non-http URLs) are dropped.
import { describe, expect, it } from 'vitest';
import { acceptableFilename, parseHtmlPage, parseJsonPage, parseUpstreamPage } from './remote-wire.js';

const H = 'a'.repeat(64);
const M = 'b'.repeat(64);
const PAGE = 'https://up.example/simple/demo-pkg/';

describe('parseHtmlPage', () => {
  it('reads links with their hashes and data attributes, resolving relative URLs against the page', async () => {
    const html = `<!DOCTYPE html><html><body>
      <a href="../../files/demo_pkg-1.0-py3-none-any.whl#sha256=${H}" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=${M}">demo_pkg-1.0-py3-none-any.whl</a><br/>
      <A HREF="https://cdn.example/x/Demo-Pkg-1.0.tar.gz#md5=${'c'.repeat(32)}" data-yanked="">Demo-Pkg-1.0.tar.gz</A>
      <a href="/files/demo-pkg-0.9.zip" data-yanked="broken &amp; bad" data-core-metadata="true">demo-pkg-0.9.zip</a>
      <a href="other-1.0.tar.gz#sha256=${H}">other</a>
      <a href="demo-pkg-notaversion.tar.gz">x</a>
      <a href="javascript:alert(1)//demo-pkg-1.0.tar.gz">x</a>
      <a href="../..%2F..%2Fdemo-pkg-1.0.tar.gz">x</a>
    </body></html>`;
    const page = await parseHtmlPage(html, PAGE, 'demo-pkg');
    expect(page.name).toBe('demo-pkg');
    expect(page.files).toEqual([
      { filename: 'demo_pkg-1.0-py3-none-any.whl', url: 'https://up.example/files/demo_pkg-1.0-py3-none-any.whl', hashes: { sha256: H }, requiresPython: '>=3.8', coreMetadata: { sha256: M } },
      { filename: 'Demo-Pkg-1.0.tar.gz', url: 'https://cdn.example/x/Demo-Pkg-1.0.tar.gz', hashes: { md5: 'c'.repeat(32) }, yanked: true },
      { filename: 'demo-pkg-0.9.zip', url: 'https://up.example/files/demo-pkg-0.9.zip', hashes: {}, yanked: 'broken & bad' },
    ]);
  });
});

describe('parseJsonPage', () => {
  it('reads PEP 691 files with sizes, upload times, core-metadata and yanked', () => {
    const page = parseJsonPage(JSON.stringify({
      meta: { 'api-version': '1.1' }, name: 'Demo_Pkg',
      files: [
        { filename: 'demo_pkg-1.0-py3-none-any.whl', url: '../../f/demo_pkg-1.0-py3-none-any.whl', hashes: { sha256: H.toUpperCase() }, 'requires-python': '>=3.8', 'core-metadata': { sha256: M }, size: 10, 'upload-time': '2024-01-01T00:00:00Z', yanked: false },
        { filename: 'demo-pkg-0.9.tar.gz', url: 'https://cdn.example/demo-pkg-0.9.tar.gz', hashes: { sha256: H }, yanked: 'old' },
        { filename: '../evil-1.0.tar.gz', url: 'https://cdn.example/evil', hashes: {} },
      ],
    }), PAGE, 'demo-pkg');
    expect(page.name).toBe('Demo_Pkg');
    expect(page.files).toEqual([
      { filename: 'demo_pkg-1.0-py3-none-any.whl', url: 'https://up.example/f/demo_pkg-1.0-py3-none-any.whl', hashes: { sha256: H }, requiresPython: '>=3.8', coreMetadata: { sha256: M }, size: 10, uploadTime: '2024-01-01T00:00:00Z' },
      { filename: 'demo-pkg-0.9.tar.gz', url: 'https://cdn.example/demo-pkg-0.9.tar.gz', hashes: { sha256: H }, yanked: 'old' },
    ]);
  });

  it('refuses a document that is not a project page', async () => {
    await expect(parseUpstreamPage('{"projects": []}', 'application/vnd.pypi.simple.v1+json', PAGE, 'demo-pkg')).rejects.toThrow();
    await expect(parseUpstreamPage('not json', 'application/vnd.pypi.simple.v1+json', PAGE, 'demo-pkg')).rejects.toThrow();
  });
});

describe('acceptableFilename', () => {
  it('takes distributions of the project only', () => {
    expect(acceptableFilename('demo_pkg-1.0-py3-none-any.whl', 'demo-pkg')).toBe(true);
    expect(acceptableFilename('Demo.Pkg-1.0rc1.tar.gz', 'demo-pkg')).toBe(true);
    expect(acceptableFilename('demo-pkg-1.0.exe', 'demo-pkg')).toBe(false);
    expect(acceptableFilename('.demo-pkg-1.0.tar.gz', 'demo-pkg')).toBe(false);
    expect(acceptableFilename('demo-pkg-1.0.tar.gz\u0000', 'demo-pkg')).toBe(false);
  });
});
