// Reads a wheel's core metadata (`{name}-{version}.dist-info/METADATA`) out of the stored blob with yauzl's
// random-access reader, for PEP 658/714 `.metadata` files. Bounded: the member's size is capped and only the
// central directory and that one member are read.
import { PassThrough, type Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type yauzl from 'yauzl';
import { EmulatorError } from '../../../core/errors.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { isWheelMetadataPath, normalizeName } from '../names.js';

/** The most a METADATA file may hold (a long description included). */
export const MAX_CORE_METADATA_BYTES = 4 << 20;

// yauzl is loaded by the first wheel uploaded, not at startup.
const require = createRequire(import.meta.url);
let yauzlModule: typeof yauzl | undefined;
const yauzlLib = (): typeof yauzl => (yauzlModule ??= require('yauzl') as typeof yauzl);

type RangeReader = yauzl.RandomAccessReader;
let BlobRangeReader: (new (blobs: BlobStore, digest: string) => RangeReader) | undefined;

/** A yauzl random-access reader over a stored blob (ranges are read from the blob store, never the whole file). */
function blobRangeReader(blobs: BlobStore, digest: string): RangeReader {
  BlobRangeReader ??= class extends yauzlLib().RandomAccessReader {
    constructor(
      private readonly blobs: BlobStore,
      private readonly digest: string,
    ) {
      super();
    }

    override _readStreamForRange(start: number, end: number): Readable {
      const out = new PassThrough();
      if (end <= start) {
        out.end();
        return out;
      }
      this.blobs.open(this.digest, { start, end: end - 1 }).then(
        (s) => {
          s.on('error', (err) => out.destroy(err));
          s.pipe(out);
        },
        (err: Error) => out.destroy(err),
      );
      return out;
    }
  };
  return new BlobRangeReader(blobs, digest);
}

const invalid = (why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid distribution file. ${why}`);

/** The METADATA bytes of the wheel stored as `digest` (`size` bytes) for project `project`; 400 when it has none. */
export async function readWheelMetadata(blobs: BlobStore, digest: string, size: number, filename: string, project: string): Promise<Buffer> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzlLib().fromRandomAccessReader(blobRangeReader(blobs, digest), size, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(invalid('The wheel is not a zip archive.')) : resolve(z)));
  });
  try {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        const dir = e.fileName.split('/')[0] ?? '';
        if (isWheelMetadataPath(e.fileName) && normalizeName(dir.slice(0, -'.dist-info'.length).split('-')[0] ?? '') === project) resolve(e);
        else zip.readEntry();
      });
      zip.on('end', () => resolve(undefined));
      zip.on('error', () => reject(invalid('The wheel is not a readable zip archive.')));
      zip.readEntry();
    });
    if (!entry) throw new EmulatorError('INVALID_ARGUMENT', `Wheel '${filename}' does not contain the required METADATA file: ${project.replace(/-/g, '_')}-VERSION.dist-info/METADATA`);
    if (entry.uncompressedSize > MAX_CORE_METADATA_BYTES) throw invalid(`Its METADATA is larger than ${MAX_CORE_METADATA_BYTES} bytes.`);
    const stream = await zip.openReadStreamPromise(entry).catch(() => {
      throw invalid('Its METADATA cannot be read.');
    });
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > MAX_CORE_METADATA_BYTES) throw invalid(`Its METADATA is larger than ${MAX_CORE_METADATA_BYTES} bytes.`);
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof EmulatorError) throw err;
      throw invalid('Its METADATA cannot be read.');
    }
    return Buffer.concat(chunks);
  } finally {
    zip.close();
  }
}
