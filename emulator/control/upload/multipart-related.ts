// A streaming reader of the `multipart/related` body of a Google `uploadType=multipart` upload (RFC 2387; the
// discovery clients and apitools send part 1 = the JSON metadata, part 2 = the media). busboy reads only
// multipart/form-data, so this is a small boundary scanner: the metadata part is read whole (bounded), the media
// part is handed on as a stream whose tail (one delimiter's length) is held back until the closing delimiter
// shows; a body that ends before it destroys the media stream, so the ingest fails and nothing is stored.
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { EmulatorError } from '../../core/errors.js';

export interface RelatedParts {
  metadata: Record<string, unknown>;
  /** the media part's Content-Type, if it has one */
  mediaType?: string;
  media: Readable;
}

const invalid = (detail: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid multipart/related upload: ${detail}`);

/** The boundary of a `multipart/related; boundary=…` Content-Type; INVALID_ARGUMENT for anything else. */
export function relatedBoundary(contentType: string | undefined): string {
  const m = /^\s*multipart\/related\s*;(.*)$/i.exec(contentType ?? '');
  if (!m) throw invalid(`the Content-Type must be multipart/related with a boundary, not "${(contentType ?? '').slice(0, 100)}".`);
  // apitools writes the boundary Python-quoted: boundary='===============…=='
  const b = /(?:^|;)\s*boundary\s*=\s*(?:"([^"]{1,70})"|'([^']{1,70})'|([^\s;"']{1,70}))/i.exec(m[1]!);
  const boundary = b?.[1] ?? b?.[2] ?? b?.[3];
  if (!boundary) throw invalid('the Content-Type has no boundary parameter.');
  return boundary;
}

/**
 * Reads the metadata part (at most `maxMetadataBytes`) and resolves with it and the media part's stream. Rejects
 * with INVALID_ARGUMENT when the head of the body is malformed; errors later (a missing closing delimiter, a body
 * cut short) destroy `media` with INVALID_ARGUMENT / UPLOAD_INVALID.
 */
export function readRelated(body: Readable, boundary: string, maxMetadataBytes: number): Promise<RelatedParts> {
  const dash = Buffer.from(`--${boundary}`);
  // Lines end with CRLF (RFC 2046) or, as apitools' email generator writes them, LF: the first boundary line says
  // which, and the delimiter is then that line end and the dashed boundary.
  let delimiter = Buffer.alloc(0);
  let eol = '\r\n';
  return new Promise<RelatedParts>((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    let media: PassThrough | undefined;
    let done = false;
    let settled = false;
    const fail = (err: EmulatorError) => {
      if (media) {
        if (!media.destroyed) media.destroy(err);
      } else if (!settled) {
        settled = true;
        reject(err);
      }
      body.unpipe?.();
      body.resume();
    };
    const head = (): boolean => {
      // [EOL--boundary EOL headers EOLEOL json] EOL--boundary EOL headers EOLEOL <media…>
      if (!delimiter.length) {
        const p = buf.indexOf(dash);
        const after = p < 0 ? -1 : p + dash.length;
        if (p < 0 || after + 2 > buf.length) {
          if (buf.length > maxMetadataBytes) fail(invalid('the body does not start with the boundary.'));
          return false;
        }
        eol = buf[after] === 0x0d && buf[after + 1] === 0x0a ? '\r\n' : '\n';
        delimiter = Buffer.from(`${eol}--${boundary}`);
        // read as if the body started with a line end, so the first delimiter looks like every other one
        buf = Buffer.concat([Buffer.from(eol), buf.subarray(p)]);
      }
      const first = buf.indexOf(delimiter);
      if (first < 0) return false;
      const parts: Array<{ headers: string; start: number }> = [];
      let at = first;
      for (let i = 0; i < 2; i++) {
        const hStart = at + delimiter.length;
        const hEnd = buf.indexOf(eol + eol, hStart);
        if (hEnd < 0) break;
        const headers = buf.subarray(hStart, hEnd).toString('latin1');
        parts.push({ headers, start: hEnd + 2 * eol.length });
        if (i === 0) {
          const next = buf.indexOf(delimiter, hEnd + 2 * eol.length);
          if (next < 0) break;
          at = next;
        }
      }
      if (parts.length < 2) {
        if (buf.length > maxMetadataBytes) fail(invalid(`the metadata part is larger than ${maxMetadataBytes} bytes.`));
        return false;
      }
      const [meta, mediaPart] = parts as [{ headers: string; start: number }, { headers: string; start: number }];
      const metaEnd = buf.indexOf(delimiter, meta.start);
      if (metaEnd - meta.start > maxMetadataBytes) {
        fail(invalid(`the metadata part is larger than ${maxMetadataBytes} bytes.`));
        return false;
      }
      const ct = headerValue(meta.headers, 'content-type');
      if (ct && !/^\s*application\/json\b/i.test(ct)) {
        fail(invalid(`the first part must be the JSON metadata (application/json), not ${ct.slice(0, 100)}.`));
        return false;
      }
      let metadata: unknown;
      try {
        metadata = JSON.parse(buf.subarray(meta.start, metaEnd).toString('utf8'));
      } catch (err) {
        fail(invalid(`the metadata part is not JSON (${(err as Error).message}).`));
        return false;
      }
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        fail(invalid('the metadata part must be a JSON object.'));
        return false;
      }
      media = new PassThrough({ highWaterMark: 1 << 20 });
      // a consumer that stops early (a size limit) must not leave the request paused
      media.on('close', () => body.resume());
      // the consumer may attach itself a moment later (the ingest opens its temp file first): the error waits in `errored`
      media.on('error', () => {});
      const mediaType = headerValue(mediaPart.headers, 'content-type');
      buf = buf.subarray(mediaPart.start);
      settled = true;
      resolve({ metadata: metadata as Record<string, unknown>, ...(mediaType ? { mediaType } : {}), media });
      return true;
    };
    /** Passes on media bytes, holding back what could be the start of the delimiter; finds the close. */
    const flow = (): void => {
      const m = media!;
      let from = 0;
      for (;;) {
        const end = buf.indexOf(delimiter, from);
        if (end < 0) break;
        const rest = buf.subarray(end + delimiter.length);
        if (rest.length < 2) {
          from = -1; // wait for what follows the delimiter
          break;
        }
        if (rest[0] === 0x2d && rest[1] === 0x2d) {
          if (end > 0) m.write(buf.subarray(0, end));
          done = true;
          buf = Buffer.alloc(0);
          m.end();
          body.resume();
          return;
        }
        if (rest[0] === 0x0d || rest[0] === 0x0a || rest[0] === 0x20 || rest[0] === 0x09) {
          fail(invalid('the upload has more than two parts.'));
          return;
        }
        // `--boundaryX`: a longer word, not the delimiter; it is media
        from = end + 1;
      }
      // everything before a possible delimiter start can go on
      const keep = from < 0 ? buf.length - buf.lastIndexOf(delimiter) : delimiter.length + 1;
      if (buf.length > keep) {
        const out = buf.subarray(0, buf.length - keep);
        buf = Buffer.from(buf.subarray(buf.length - keep));
        if (!m.write(out)) {
          body.pause();
          m.once('drain', () => body.resume());
        }
      }
    };
    body.on('data', (chunk: Buffer) => {
      if (done || (media?.destroyed ?? false)) return;
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!media && !head()) return;
      if (media) flow();
    });
    body.on('end', () => {
      if (done) return;
      if (!media) fail(invalid('the body ended before the media part.'));
      else fail(invalid('the body ended before the closing boundary.'));
    });
    body.on('error', () => fail(new EmulatorError('UPLOAD_INVALID', 'The upload was interrupted before all bytes arrived.')));
    body.on('aborted', () => fail(new EmulatorError('UPLOAD_INVALID', 'The upload was interrupted before all bytes arrived.')));
  });
}

function headerValue(headers: string, name: string): string | undefined {
  for (const line of headers.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).trim().toLowerCase() === name) return line.slice(i + 1).trim();
  }
  return undefined;
}
