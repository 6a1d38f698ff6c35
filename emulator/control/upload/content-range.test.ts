import { describe, expect, it } from 'vitest';
import { parseContentRange } from './content-range.js';
import { Readable } from 'node:stream';
import { requestedRange, sliceStream } from './download-range.js';

describe('parseContentRange', () => {
  it('reads chunks and probes, with and without the total', () => {
    expect(parseContentRange('bytes 0-99/200')).toEqual({ probe: false, start: 0, end: 99, total: 200 });
    expect(parseContentRange('bytes 100-199/*')).toEqual({ probe: false, start: 100, end: 199 });
    expect(parseContentRange('bytes */*')).toEqual({ probe: true });
    expect(parseContentRange('bytes */200')).toEqual({ probe: true, total: 200 });
  });
  it('refuses malformed ranges, reversed ones and chunks past the total', () => {
    for (const bad of ['bytes=oops', '0-1/2', 'bytes 5-1/10', 'bytes 0-10/10', 'bytes -1-2/3', 'items 0-1/2']) expect(() => parseContentRange(bad)).toThrow(/Content-Range/);
  });
});

describe('requestedRange (downloads)', () => {
  it('reads A-B, A- and -N; ignores what it does not understand; refuses what cannot be served', () => {
    expect(requestedRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(requestedRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(requestedRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(requestedRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(requestedRange(undefined, 100)).toBeUndefined();
    expect(requestedRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(() => requestedRange('bytes=100-', 100)).toThrow(/not satisfiable/);
  });
});

describe('sliceStream (formats that cannot read from an offset)', () => {
  it('cuts bytes [start, end] out of a chunked stream', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    for (const [start, end] of [[0, 0], [0, 999], [7, 8], [250, 760], [999, 999]] as const) {
      const chunks = Readable.from(Array.from({ length: 10 }, (_, i) => data.subarray(i * 100, (i + 1) * 100)));
      const out: Buffer[] = [];
      for await (const c of sliceStream(chunks, { start, end })) out.push(c as Buffer);
      expect(Buffer.concat(out).equals(data.subarray(start, end + 1))).toBe(true);
    }
  });
});
