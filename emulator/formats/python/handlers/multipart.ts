// Streams a twine upload (multipart/form-data) with busboy: the text fields are collected, the `content` file
// part is handed to `onFile` as a stream as soon as it starts. That stream ends only when the whole form has
// been parsed, so a body cut short anywhere fails the ingest before anything is stored.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { EmulatorError } from '../../../core/errors.js';

export type FormFields = Map<string, string[]>;

// Loaded at first use, not at startup: the emulator's idle memory and start time pay only for what is used.
const require = createRequire(import.meta.url);
let busboyModule: typeof import('busboy') | undefined;
const busboy = (config: import('busboy').BusboyConfig) => (busboyModule ??= require('busboy') as typeof import('busboy'))(config);

export const FORM_LIMITS = { fieldSize: 1 << 20, fields: 1000, files: 3, parts: 1100, fieldNameSize: 200 };

const truncated = () => new EmulatorError('UPLOAD_INVALID', 'Invalid upload: the multipart/form-data body ended before the form was complete.');

/**
 * Parses the upload and resolves with `onFile`'s result once the form is complete. `onFile` gets the fields that
 * came before the file part (twine sends every field first) and the file's bytes.
 */
export function readUploadForm<R>(
  req: IncomingMessage,
  headers: IncomingHttpHeaders,
  onFile: (fields: FormFields, file: Readable, filename: string) => Promise<R>,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let bb: import('busboy').Busboy;
    try {
      // preservePath: busboy would otherwise cut `../x.whl` down to `x.whl`; the name is checked, not trusted
      bb = busboy({ headers, limits: FORM_LIMITS, defParamCharset: 'utf8', preservePath: true });
    } catch {
      reject(new EmulatorError('INVALID_ARGUMENT', 'Invalid upload: expected a multipart/form-data body with a boundary.'));
      return;
    }
    const fields: FormFields = new Map();
    let relay: PassThrough | undefined;
    let pending: Promise<R> | undefined;
    let fileEnded = false;
    let formDone = false;
    let failure: Error | undefined;

    const stopReading = () => {
      req.unpipe(bb);
      req.resume(); // read the rest of the body, so the client gets the error instead of a reset
    };
    const fail = (err: Error) => {
      if (failure) return;
      failure = err;
      stopReading();
      if (relay) relay.destroy(err);
      else reject(err);
    };
    const maybeEnd = () => {
      if (fileEnded && formDone && !failure) relay!.end();
    };

    bb.on('field', (name, value, info) => {
      if (relay) return fail(new EmulatorError('INVALID_ARGUMENT', `Invalid upload: the field '${name.slice(0, 40)}' comes after the file; send every field before the content part.`));
      if (info.nameTruncated || info.valueTruncated) return fail(new EmulatorError('INVALID_ARGUMENT', `Invalid upload: the field '${name.slice(0, 40)}' is longer than ${FORM_LIMITS.fieldSize} bytes.`));
      const list = fields.get(name);
      if (list) list.push(value);
      else fields.set(name, [value]);
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'content' || relay || failure) {
        stream.resume(); // a signature (gpg_signature, attestations) is accepted and not kept
        return;
      }
      const out = new PassThrough();
      out.on('error', () => {}); // the ingest's pipeline reports it (or onFile already failed)
      relay = out;
      stream.on('error', () => fail(truncated()));
      stream.on('end', () => {
        fileEnded = true;
        maybeEnd();
      });
      stream.pipe(out, { end: false });
      pending = onFile(fields, out, info.filename ?? '');
      pending.then(
        (r) => (failure ? reject(failure) : resolve(r)),
        (err: unknown) => {
          if (!failure) {
            failure = err as Error;
            stopReading();
          }
          reject(failure);
        },
      );
    });
    bb.on('close', () => {
      formDone = true;
      if (!relay) fail(new EmulatorError('INVALID_ARGUMENT', 'Upload payload does not have a file.'));
      else maybeEnd();
    });
    bb.on('error', () => fail(truncated()));
    for (const event of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
      bb.on(event, () => fail(new EmulatorError('INVALID_ARGUMENT', `Invalid upload: the form has more parts than the ${FORM_LIMITS.parts} this emulator accepts.`)));
    }
    req.on('aborted', () => fail(truncated()));
    req.on('error', () => fail(truncated()));
    req.pipe(bb);
  });
}
