import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRelated, relatedBoundary } from './multipart-related.js';

const collect = async (r: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};
/** the body split into pieces of `size` bytes, so boundaries fall across chunks */
const pieces = (b: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));

describe('relatedBoundary', () => {
  it('reads plain, double- and single-quoted boundaries (apitools writes %r)', () => {
    expect(relatedBoundary('multipart/related; boundary=abc')).toBe('abc');
    expect(relatedBoundary('Multipart/Related; type="application/json"; boundary="a b"')).toBe('a b');
    expect(relatedBoundary("multipart/related; boundary='===============123=='")).toBe('===============123==');
  });
  it('refuses another type or a missing boundary', () => {
    expect(() => relatedBoundary('multipart/form-data; boundary=x')).toThrow(/multipart\/related/);
    expect(() => relatedBoundary('multipart/related')).toThrow(/boundary/);
  });
});

describe('readRelated', () => {
  const media = Buffer.concat([Buffer.from('\r\n--bx\r\n'), Buffer.alloc(5000, 7), Buffer.from('--b\r\n-')]);
  for (const eol of ['\r\n', '\n']) {
    for (const size of [1, 7, 64, 100_000]) {
      it(`splits metadata and media (line end ${JSON.stringify(eol)}, chunks of ${size})`, async () => {
        const body = Buffer.concat([
          Buffer.from(`--b${eol}Content-Type: application/json${eol}MIME-Version: 1.0${eol}${eol}{"a":1}${eol}--b${eol}Content-Type: application/octet-stream${eol}${eol}`),
          media,
          Buffer.from(`${eol}--b--${eol}`),
        ]);
        const parts = await readRelated(pieces(body, size), 'b', 1024);
        expect(parts.metadata).toEqual({ a: 1 });
        expect(parts.mediaType).toBe('application/octet-stream');
        expect((await collect(parts.media)).equals(media)).toBe(true);
      });
    }
  }
  it('fails the media stream when the closing boundary never comes', async () => {
    const parts = await readRelated(Readable.from([Buffer.from('--b\r\n\r\n{}\r\n--b\r\n\r\nbytes without an end')]), 'b', 1024);
    await expect(collect(parts.media)).rejects.toThrow(/closing boundary/);
  });
  it('rejects metadata that is not a JSON object, or too large', async () => {
    await expect(readRelated(Readable.from([Buffer.from('--b\r\n\r\n[1]\r\n--b\r\n\r\nx\r\n--b--')]), 'b', 1024)).rejects.toThrow(/JSON object/);
    await expect(readRelated(Readable.from([Buffer.from('--b\r\n\r\n{oops\r\n--b\r\n\r\nx\r\n--b--')]), 'b', 1024)).rejects.toThrow(/not JSON/);
    await expect(readRelated(Readable.from([Buffer.from(`--b\r\n\r\n{"p":"${'x'.repeat(2000)}"}\r\n--b\r\n\r\nx\r\n--b--`)]), 'b', 1024)).rejects.toThrow(/larger than/);
    await expect(readRelated(Readable.from([Buffer.from('no boundary at all')]), 'b', 1024)).rejects.toThrow(/before the media part/);
  });
});
