// What an import reads advisories from: a JSON body (one OSV document or an array of them) or a zip of OSV JSON
// files (OSV's per-ecosystem dumps, `ECOSYSTEM/all.zip`), read with yauzl entry by entry. Limits guard against
// decompression bombs: the entry count, each entry's size (as declared in the central directory, and as actually
// inflated: yauzl checks both) and the total inflated size. A body that is not JSON or not a zip, a truncated or
// corrupt zip, or an entry beyond a limit fails the whole import with a reason (INVALID_ARGUMENT); a JSON file inside
// a zip that does not parse is one rejected document among the others.
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { EmulatorError } from '../core/errors.js';

const require = createRequire(import.meta.url);
let yauzlModule: typeof yauzl | undefined;
const yauzlLib = (): typeof yauzl => (yauzlModule ??= require('yauzl') as typeof yauzl);

export interface ImportLimits {
  /** the largest one OSV JSON document (a zip entry or a file) may be */
  maxDocumentBytes: number;
  /** the most entries a zip may have */
  maxEntries: number;
  /** the most bytes all entries of a zip may inflate to */
  maxTotalBytes: number;
}

/** What the CLI reads (one entry in memory at a time; the total bounds a bomb). */
export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxDocumentBytes: 4 << 20, maxEntries: 500_000, maxTotalBytes: 1 << 30 };
/** What an HTTP import takes: its documents are parsed whole before they are written, so the total is lower. */
export const BODY_IMPORT_LIMITS: ImportLimits = { maxDocumentBytes: 4 << 20, maxEntries: 500_000, maxTotalBytes: 256 << 20 };

/** One document to import, and where it came from (a zip entry's name, a file, `body[3]`). */
export interface SourceDocument {
  source: string;
  doc?: unknown;
  /** why it could not even be parsed */
  problem?: string;
}

const bad = (why: string) => new EmulatorError('INVALID_ARGUMENT', why);

export const isZip = (buf: Buffer): boolean => buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && (buf[2] === 3 || buf[2] === 5) && (buf[3] === 4 || buf[3] === 6);

/**
 * The documents of a request body: a zip (by its magic bytes, or `application/zip`), else JSON (an object is one
 * document, an array several). Throws INVALID_ARGUMENT with the reason for a body that is neither.
 */
export async function documentsOfBody(body: Buffer, contentType: string | undefined, limits: ImportLimits = BODY_IMPORT_LIMITS): Promise<{ single: boolean; docs: SourceDocument[] }> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (body.length === 0) throw bad('The request body is empty: send one OSV document, a JSON array of them, or a zip of OSV JSON files.');
  if (isZip(body) || type === 'application/zip' || type === 'application/x-zip-compressed') {
    const docs: SourceDocument[] = [];
    await readZip({ buffer: body }, limits, (d) => void docs.push(d));
    return { single: false, docs };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw bad(`The body is neither a zip nor JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (Array.isArray(parsed)) return { single: false, docs: parsed.map((doc, i) => ({ source: `body[${i}]`, doc })) };
  if (typeof parsed === 'object' && parsed !== null) return { single: true, docs: [{ source: 'body', doc: parsed }] };
  throw bad(`The body is JSON ${parsed === null ? 'null' : `of type ${typeof parsed}`}: send one OSV document (an object), or an array of them.`);
}

/** Parses one JSON file's bytes into a document, or says why not. */
export function documentOfJson(source: string, bytes: Buffer): SourceDocument {
  try {
    return { source, doc: JSON.parse(bytes.toString('utf8')) };
  } catch (err) {
    return { source, problem: `not JSON: ${(err as Error).message.slice(0, 200)}` };
  }
}

/**
 * Reads every `*.json` entry of a zip (a buffer, or a file by path), one at a time, calling `onDocument` for each
 * (awaited: the caller may write a batch before the next entry is inflated). Directories and other files are
 * skipped. Throws INVALID_ARGUMENT for a zip that is not one, is truncated or corrupt, or breaks a limit.
 */
export async function readZip(from: { buffer: Buffer } | { path: string }, limits: ImportLimits, onDocument: (d: SourceDocument) => void | Promise<void>): Promise<void> {
  const options: yauzl.Options = { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false };
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    const done = (err: Error | null, z: yauzl.ZipFile) => (err ? reject(bad(`The zip cannot be read (truncated or not a zip?): ${err.message.slice(0, 200)}`)) : resolve(z));
    if ('buffer' in from) yauzlLib().fromBuffer(from.buffer, options, done);
    else yauzlLib().open(from.path, options, done);
  });
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw bad(`The zip has ${zip.entryCount} entries; an import takes at most ${limits.maxEntries}.`);
  }
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      try {
        zip.close();
      } catch {
        // already closed
      }
      reject(err instanceof EmulatorError ? err : bad(`The zip is corrupt: ${err.message.slice(0, 200)}`));
    };
    zip.on('error', fail);
    zip.on('end', () => {
      if (!failed) resolve();
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      if (failed) return;
      const name = entry.fileName;
      if (name.endsWith('/') || !name.toLowerCase().endsWith('.json')) {
        zip.readEntry();
        return;
      }
      if (entry.uncompressedSize > limits.maxDocumentBytes) {
        fail(bad(`The zip entry ${JSON.stringify(name.slice(0, 200))} inflates to ${entry.uncompressedSize} bytes; one advisory may hold at most ${limits.maxDocumentBytes}.`));
        return;
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        fail(bad(`The zip inflates to more than ${limits.maxTotalBytes} bytes, the most one import takes.`));
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        readAll(stream, limits.maxDocumentBytes, name).then(
          async (bytes) => {
            await onDocument(documentOfJson(name, bytes));
            if (!failed) zip.readEntry();
          },
          fail,
        );
      });
    });
    zip.readEntry();
  });
}

async function readAll(stream: Readable, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw bad(`The zip entry ${JSON.stringify(name.slice(0, 200))} inflates to more than ${limit} bytes; one advisory may hold at most that.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}
