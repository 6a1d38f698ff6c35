// The simple API's HTML and JSON pages: hashes in links, escaped attributes, PEP 714 keys.
import { describe, expect, it } from 'vitest';
import { reasonPhrase } from './errors.js';
import type { FileRecord } from './service/tables.js';
import { indexHtml, projectHtml, projectJson } from './wire.js';

const file = (over: Partial<FileRecord> = {}): FileRecord => ({
  filename: 'demo-1.0.tar.gz', project: 'demo', version: '1.0', filetype: 'sdist', size: 3, digest: `sha256:${'a'.repeat(64)}`,
  sha256: 'a'.repeat(64), md5: 'b'.repeat(32), blake2_256: 'c'.repeat(64), uploadTime: '2026-01-01T00:00:00.000Z', ...over,
});

describe('projectHtml', () => {
  it('links each file with its sha256 and escapes requires-python', () => {
    const html = projectHtml('Demo', [file({ requiresPython: '>=3.8,<4' })]);
    expect(html).toContain(`<a href="../../packages/demo/demo-1.0.tar.gz#sha256=${'a'.repeat(64)}" data-requires-python="&gt;=3.8,&lt;4">demo-1.0.tar.gz</a>`);
    expect(html).toContain('<meta name="pypi:repository-version" content="1.1">');
  });

  it('announces core metadata under both attribute names', () => {
    const html = projectHtml('Demo', [file({ metadata: { digest: `sha256:${'d'.repeat(64)}`, sha256: 'd'.repeat(64), size: 10 } })]);
    expect(html).toContain(`data-dist-info-metadata="sha256=${'d'.repeat(64)}" data-core-metadata="sha256=${'d'.repeat(64)}"`);
  });

  it('escapes names in the page title and the index', () => {
    expect(projectHtml('<x>', [])).toContain('<title>Links for &lt;x&gt;</title>');
    expect(indexHtml([{ name: 'a&b', normalized: 'a-b' }])).toContain('<a href="a-b/">a&amp;b</a>');
  });
});

describe('projectJson', () => {
  it('uses only the PEP 714 core-metadata key (old pip crashes on a dist-info-metadata dict)', () => {
    const page = projectJson('Demo', [file({ metadata: { digest: 'sha256:d', sha256: 'd', size: 1 } }), file({ filename: 'demo-1.0.zip' })], ['1.0']);
    expect(page.files[0]).toEqual({
      filename: 'demo-1.0.tar.gz', url: '../../packages/demo/demo-1.0.tar.gz', hashes: { sha256: 'a'.repeat(64) },
      'core-metadata': { sha256: 'd' }, size: 3, 'upload-time': '2026-01-01T00:00:00.000Z',
    });
    expect(page.files[1]).not.toHaveProperty('core-metadata');
    expect(page).toMatchObject({ meta: { 'api-version': '1.1' }, name: 'Demo', versions: ['1.0'] });
  });
});

describe('reasonPhrase', () => {
  it('keeps a status line Node accepts: printable ASCII on one line', () => {
    expect(reasonPhrase('File é\r\nexists')).toBe('File exists');
    expect(reasonPhrase('x'.repeat(1000))).toHaveLength(400);
  });
});
