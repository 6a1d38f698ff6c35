// rpm's BerkeleyDB `Packages` database (RHEL/Rocky/Alma 8, CentOS 7): a Berkeley DB hash file whose values are rpm
// header blobs (./rpm.ts). Read page by page as Berkeley DB lays them out (dbinc/db_page.h of Berkeley DB 5.3): page 0
// is the hash metadata page (magic 0x061561 at byte 12, which also tells the byte order; page size at byte 20); every
// page starts with a 26-byte header (pgno at 8, next_pgno at 16, entries at 20, hf_offset at 22, type at 25) and an
// array of 16-bit item offsets. Hash pages (types 2 and 13) hold key/data item pairs: H_KEYDATA (1) inline, or
// H_OFFPAGE (3: pgno at 4, total length at 8) pointing to a chain of overflow pages (type 7) whose hf_offset is the
// bytes used. Keys are package numbers; only values are read. Duplicate items (types 2 and 4) are not used by rpm.
const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;

export function isBerkeleyHash(buf: Buffer): boolean {
  return buf.length >= 512 && (buf.readUInt32LE(12) === HASH_MAGIC || buf.readUInt32BE(12) === HASH_MAGIC);
}

/** The values of a Berkeley DB hash file; throws when its structure points outside it. */
export function berkeleyHashValues(buf: Buffer): Buffer[] {
  if (!isBerkeleyHash(buf)) throw new Error('not a Berkeley DB hash database');
  const le = buf.readUInt32LE(12) === HASH_MAGIC;
  const u32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const u16 = (at: number): number => (le ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || pageSize & (pageSize - 1)) throw new Error(`page size ${pageSize} is not valid`);
  const pages = Math.floor(buf.length / pageSize);
  const values: Buffer[] = [];
  const overflow = (pgno: number, total: number): Buffer => {
    const parts: Buffer[] = [];
    let got = 0;
    for (let hops = 0; pgno !== 0; hops++) {
      if (pgno >= pages || hops > pages) throw new Error(`overflow page ${pgno} out of range`);
      const p = pgno * pageSize;
      if (buf[p + 25] !== P_OVERFLOW) throw new Error(`page ${pgno} is not an overflow page`);
      const used = u16(p + 22);
      if (used > pageSize - PAGE_HEADER) throw new Error(`overflow page ${pgno} is corrupt`);
      parts.push(buf.subarray(p + PAGE_HEADER, p + PAGE_HEADER + used));
      got += used;
      pgno = u32(p + 16);
    }
    if (got !== total) throw new Error(`overflow chain holds ${got} bytes, not ${total}`);
    return Buffer.concat(parts, got);
  };
  for (let n = 1; n < pages; n++) {
    const p = n * pageSize;
    const type = buf[p + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(p + 20);
    if (PAGE_HEADER + entries * 2 > pageSize) throw new Error(`page ${n} is corrupt`);
    const offsets = Array.from({ length: entries }, (_, i) => u16(p + PAGE_HEADER + i * 2));
    for (let i = 1; i < entries; i += 2) {
      const at = offsets[i]!;
      if (at >= pageSize) throw new Error(`page ${n} is corrupt`);
      const itemType = buf[p + at];
      if (itemType === H_OFFPAGE) values.push(overflow(u32(p + at + 4), u32(p + at + 8)));
      else if (itemType === H_KEYDATA) {
        // items fill the page from its end: an item ends where the next one above it starts
        let end = pageSize;
        for (const o of offsets) if (o > at && o < end) end = o;
        values.push(buf.subarray(p + at + 1, p + end));
      }
    }
  }
  return values;
}
