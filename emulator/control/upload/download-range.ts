// `files:download?alt=media` with a `Range: bytes=…` header (gcloud downloads large files in parallel byte ranges,
// spec ar-fidelity §1.6): one range of the forms `A-B`, `A-` and `-N`; several ranges or another unit are ignored
// (the whole file, 200), as RFC 9110 allows. The format's stream is cut to the range as it flows (bounded memory).
import { Readable, Transform } from 'node:stream';
import { EmulatorError } from '../../core/errors.js';

export interface ByteSpan { start: number; end: number }

/** The range asked for a file of `size` bytes; undefined for the whole file; OUT_OF_RANGE when unsatisfiable. */
export function requestedRange(header: string | undefined, size: number): ByteSpan | undefined {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) throw unsatisfiable(header!, size);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) throw unsatisfiable(header!, size);
  return { start, end };
}

function unsatisfiable(header: string, size: number): EmulatorError {
  return new EmulatorError('RANGE_INVALID', `The requested range "${header.slice(0, 100)}" is not satisfiable: the file has ${size} bytes.`, undefined, { headers: { 'Content-Range': `bytes */${size}` } });
}

/** Bytes [start, end] of `source`, skipping what comes before and stopping after. */
export function sliceStream(source: AsyncIterable<Uint8Array>, span: ByteSpan): Readable {
  let at = 0;
  const cut = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const from = Math.max(span.start - at, 0);
      const to = Math.min(span.end + 1 - at, chunk.length);
      at += chunk.length;
      if (to > from) this.push(chunk.subarray(from, to));
      if (at > span.end) {
        this.push(null);
        (source as Readable).destroy?.();
      }
      cb();
    },
  });
  const input = typeof (source as Readable).pipe === 'function' ? (source as Readable) : (Readable.from(source) as Readable);
  input.on('error', (err) => cut.destroy(err));
  return input.pipe(cut);
}
