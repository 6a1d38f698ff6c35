// Reads the control file of a .deb without touching its payload: the ar archive's member headers (deb(5): an ar
// archive of `debian-binary`, `control.tar[.gz|.xz|.zst]`, `data.tar.*`, https://manpages.debian.org/deb.5), then the
// control tarball (tar-stream) decompressed with zlib, @napi-rs/lzma (xz, dpkg-deb's default) or fzstd. The ar
// layout is eight fixed-width header fields (ar(5)); no maintained npm ar reader exists, so the 60-byte header is
// read here, bounded. Every failure is INVALID_ARGUMENT; nothing here stores anything.
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import { decompress as zstdDecompress } from 'fzstd';
import * as tar from 'tar-stream';
import { EmulatorError } from '../../core/errors.js';

/** Reads up to `length` bytes at `position` (fewer at the end of the file). */
export type RandomRead = (position: number, length: number) => Promise<Buffer>;

/** The largest control tarball read (compressed and decompressed) and the largest control file. */
export const MAX_CONTROL_TARBALL_BYTES = 4 * 1024 * 1024;
export const MAX_CONTROL_FILE_BYTES = 64 * 1024;
const MAX_MEMBERS = 16;
const AR_MAGIC = '!<arch>\n';

const invalid = (why: string) => new EmulatorError('INVALID_ARGUMENT', `The file is not a valid Debian package: ${why}.`);

/** The `control` file of the .deb, as text. */
export async function readDebControl(read: RandomRead, size: number): Promise<string> {
  const magic = await read(0, 8);
  if (magic.toString('latin1') !== AR_MAGIC) throw invalid('it is not an ar archive (bad magic)');
  let position = 8;
  const seen: string[] = [];
  while (position + 60 <= size && seen.length < MAX_MEMBERS) {
    const header = await read(position, 60);
    if (header.length < 60 || header.toString('latin1', 58, 60) !== '`\n') throw invalid('broken ar member header');
    const name = header.toString('latin1', 0, 16).trim().replace(/\/$/, '');
    const sizeField = header.toString('latin1', 48, 58).trim();
    if (!/^\d{1,10}$/.test(sizeField)) throw invalid('broken ar member size');
    const memberSize = Number(sizeField);
    const start = position + 60;
    if (start + memberSize > size) throw invalid(`member ${JSON.stringify(name.slice(0, 16))} is truncated`);
    if (seen.length === 0) {
      const version = (await read(start, Math.min(memberSize, 16))).toString('latin1');
      if (name !== 'debian-binary' || !/^2\.\d+\n/.test(version)) throw invalid('the first member must be debian-binary with format 2.x');
    } else if (/^control\.tar(\.(gz|xz|zst))?$/.test(name)) {
      if (memberSize > MAX_CONTROL_TARBALL_BYTES) throw invalid('the control tarball is too large');
      const packed = await read(start, memberSize);
      return controlFromTar(decompress(name, packed));
    }
    seen.push(name);
    position = start + memberSize + (memberSize % 2);
  }
  throw invalid('it has no control.tar member');
}

function decompress(member: string, packed: Buffer): Buffer {
  try {
    if (member.endsWith('.gz')) return gunzipSync(packed, { maxOutputLength: MAX_CONTROL_TARBALL_BYTES });
    if (member.endsWith('.xz')) return bounded(xz.decompressSync(packed));
    if (member.endsWith('.zst')) return bounded(Buffer.from(zstdDecompress(packed)));
    return packed;
  } catch (err) {
    if (err instanceof EmulatorError) throw err;
    throw invalid(`${member} cannot be decompressed`);
  }
}

function bounded(b: Buffer): Buffer {
  if (b.length > MAX_CONTROL_TARBALL_BYTES) throw invalid('the control tarball is too large');
  return b;
}

async function controlFromTar(tarball: Buffer): Promise<string> {
  const extract = tar.extract();
  let control: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const isControl = (header.name === './control' || header.name === 'control') && header.type === 'file';
      if (!isControl || control !== undefined) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      if ((header.size ?? 0) > MAX_CONTROL_FILE_BYTES) {
        reject(invalid('the control file is too large'));
        stream.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        control = Buffer.concat(chunks).toString('utf8');
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', () => reject(invalid('the control tarball is not a valid tar archive')));
  });
  Readable.from([tarball]).pipe(extract);
  await done;
  if (control === undefined) throw invalid('the control tarball has no control file');
  return control;
}
