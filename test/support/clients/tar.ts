// Builds tiny, deterministic tar archives in memory (ustar, regular files and their parent directories).
// Used for `docker import`/`podman import` root filesystems and for OCI layer blobs; not a general tar writer.
const BLOCK = 512;
const FIXED_MTIME = 1_700_000_000;

export type TarEntries = Record<string, string | Buffer>;

/** Paths are relative ("hello.txt", "etc/motd"); parent directories are added automatically. */
export function createTar(entries: TarEntries): Buffer {
  const blocks: Buffer[] = [];
  const dirs = new Set<string>();
  for (const path of Object.keys(entries).sort()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (!dirs.has(dir)) {
        dirs.add(dir);
        blocks.push(header(dir, 0, '5', 0o755));
      }
    }
    const data = Buffer.from(entries[path] ?? '');
    blocks.push(header(path, data.length, '0', 0o644), data, Buffer.alloc(padding(data.length)));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

function header(name: string, size: number, type: '0' | '5', mode: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar path too long for this writer: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, size);
  octal(h, 136, 12, FIXED_MTIME);
  h.fill(' ', 148, 156); // checksum is computed with its own field as spaces
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\u000000', 257, 8, 'binary');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
  return h;
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
