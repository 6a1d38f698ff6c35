// Walks the entries of a tar file on disk, gzip or not (detected by its magic), as streams: what the config file's
// preloads read (an npm tarball's package.json, an OCI image archive's index and blobs). Only the entries the
// visitor reads are held; the rest is skipped at stream speed. tar-stream does the parsing.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { EmulatorError } from '../core/errors.js';

export interface TarEntry {
  /** the entry's path, without a leading `./` */
  name: string;
  size: number;
  type: string;
}

/** Does the file start with gzip's magic bytes? */
async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Calls `visit` for each regular file of the tar at `path`, in archive order; `visit` reads the entry's bytes to
 * their end or not at all (they are then skipped). A malformed archive rejects with tar-stream's or zlib's error.
 */
export async function walkTar(path: string, visit: (entry: TarEntry, body: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  const gz = await isGzip(path);
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const entry = { name: header.name.replace(/^\.\//, ''), size: header.size ?? 0, type: header.type ?? 'file' };
    let ended = false;
    stream.on('end', () => {
      ended = true;
    });
    const done = () => {
      if (ended) return next();
      stream.on('end', () => next());
      stream.resume();
    };
    if (entry.type !== 'file') return done();
    visit(entry, stream as AsyncIterable<Buffer>).then(done, (err: unknown) => next(err as Error));
  });
  const source = createReadStream(path);
  await (gz ? pipeline(source, createGunzip(), extract) : pipeline(source, extract));
}

/** Reads a whole stream, refusing more than `max` bytes. */
export async function readBounded(body: AsyncIterable<Buffer>, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) throw new EmulatorError('INVALID_ARGUMENT', `${what} is larger than ${max} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
