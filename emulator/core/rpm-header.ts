// The rpm package file format (https://rpm-software-management.github.io/rpm/manual/format_v4.html and
// format_header.html; rpm's lib/header.c hdrblobVerifyInfo for the checks): a 96-byte lead (magic ed ab ee db),
// the signature header (padded to a multiple of 8 bytes), the main header, then the payload. A header structure is
// an 8-byte magic (8e ad e8 01 00 00 00 00), big-endian int32 index count and data length, that many 16-byte index
// entries (tag, type, offset, count) and the data store. Pure: the caller supplies the bytes (a positional reader).
// No maintained npm library parses rpm files (the npm ones read rpm databases or wrap rpmbuild), so this is a
// faithful implementation tested against rpms rpmbuild made (formats/yum tests).

export const RPM_LEAD_MAGIC = 0xedabeedb;
export const RPM_LEAD_BYTES = 96;
export const RPM_HEADER_MAGIC = 0x8eade801;
/** rpm's own limits (lib/header_internal.h: HEADER_TAGS_MAX 0xffff, HEADER_DATA_MAX 256 MiB); ours is lower */
export const RPM_MAX_INDEX_ENTRIES = 0xffff;
export const RPM_MAX_DATA_BYTES = 64 << 20;

export const RpmType = { NULL: 0, CHAR: 1, INT8: 2, INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

/** Tags of lib/rpmtag.h the emulator reads. */
export const RpmTag = {
  NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, SUMMARY: 1004, DESCRIPTION: 1005, BUILDTIME: 1006,
  BUILDHOST: 1007, SIZE: 1009, VENDOR: 1011, LICENSE: 1014, PACKAGER: 1015, GROUP: 1016, URL: 1020, OS: 1021,
  ARCH: 1022, FILESIZES: 1028, FILEMODES: 1030, FILEFLAGS: 1037, SOURCERPM: 1044, ARCHIVESIZE: 1046,
  PROVIDENAME: 1047, REQUIREFLAGS: 1048, REQUIRENAME: 1049, REQUIREVERSION: 1050, CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054, CONFLICTVERSION: 1055, CHANGELOGTIME: 1080, CHANGELOGNAME: 1081, CHANGELOGTEXT: 1082,
  OBSOLETENAME: 1090, SOURCEPACKAGE: 1106, PROVIDEFLAGS: 1112, PROVIDEVERSION: 1113, OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115, DIRINDEXES: 1116, BASENAMES: 1117, DIRNAMES: 1118, LONGSIZE: 5009, LONGARCHIVESIZE: 5010,
} as const;

/** Signature header tags (lib/rpmtag.h RPMSIGTAG_*). */
export const RpmSigTag = { SIZE: 1000, PAYLOADSIZE: 1007, LONGSIZE: 270, LONGARCHIVESIZE: 271 } as const;

export type RpmValue = string | string[] | number[] | bigint[] | Uint8Array;

export class RpmFormatError extends Error {}

/** One parsed header structure: its values by tag, and where it lies in the file. */
export class RpmHeaderData {
  constructor(
    readonly values: ReadonlyMap<number, RpmValue>,
    /** offset of the header's magic in the file */
    readonly start: number,
    /** offset just past its data store */
    readonly end: number,
  ) {}

  /** A STRING or I18NSTRING (its first, the C locale's, value). */
  string(tag: number): string | undefined {
    const v = this.values.get(tag);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
    return undefined;
  }

  strings(tag: number): string[] {
    const v = this.values.get(tag);
    if (typeof v === 'string') return [v];
    return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'string') ? (v as string[]) : [];
  }

  /** An integer array of any width (INT64 values beyond 2^53 are rejected when read). */
  numbers(tag: number): number[] {
    const v = this.values.get(tag);
    if (!Array.isArray(v) || v.length === 0 || typeof v[0] === 'string') return [];
    return (v as Array<number | bigint>).map((x) => {
      if (typeof x === 'number') return x;
      if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new RpmFormatError('an INT64 value is out of range');
      return Number(x);
    });
  }

  number(tag: number): number | undefined {
    return this.numbers(tag)[0];
  }
}

/** Reads `length` bytes at `position` (fewer only at the end of the file). */
export type RpmReadAt = (position: number, length: number) => Promise<Uint8Array>;

export interface RpmPackageHeaders {
  signature: RpmHeaderData;
  header: RpmHeaderData;
}

/**
 * Reads the lead, the signature header and the main header of an rpm file of `fileSize` bytes (never the
 * payload). RpmFormatError for a bad lead magic, a truncated file, an index entry or value outside the data store.
 */
export async function readRpmHeaders(readAt: RpmReadAt, fileSize: number): Promise<RpmPackageHeaders> {
  const exact = async (position: number, length: number, what: string) => {
    if (position + length > fileSize) throw new RpmFormatError(`the file is truncated (${what} needs bytes ${position}..${position + length}, the file has ${fileSize})`);
    const b = await readAt(position, length);
    if (b.length < length) throw new RpmFormatError(`the file is truncated in ${what}`);
    return b;
  };
  const lead = await exact(0, RPM_LEAD_BYTES, 'the lead');
  if (be32(lead, 0) !== RPM_LEAD_MAGIC) throw new RpmFormatError('not an rpm file (bad lead magic)');
  const readHeader = async (start: number, what: string) => {
    const intro = await exact(start, 16, what);
    if (be32(intro, 0) !== RPM_HEADER_MAGIC) throw new RpmFormatError(`${what} has a bad magic`);
    const il = be32(intro, 8);
    const dl = be32(intro, 12);
    if (il < 1 || il > RPM_MAX_INDEX_ENTRIES) throw new RpmFormatError(`${what} has ${il} index entries`);
    if (dl > RPM_MAX_DATA_BYTES) throw new RpmFormatError(`${what} has a data store of ${dl} bytes (the most accepted is ${RPM_MAX_DATA_BYTES})`);
    const body = await exact(start + 8, 8 + il * 16 + dl, what);
    return new RpmHeaderData(parseHeaderBlob(body, what), start, start + 16 + il * 16 + dl);
  };
  const signature = await readHeader(RPM_LEAD_BYTES, 'the signature header');
  const mainStart = signature.end + ((8 - (signature.end % 8)) % 8);
  const header = await readHeader(mainStart, 'the header');
  return { signature, header };
}

/**
 * A header blob without its magic (what rpmdb stores): int32 index count, int32 data length, the index, the data.
 * Every entry is checked as rpm does: a known type, a count ≥ 1, its offset aligned and inside the data store,
 * strings NUL-terminated inside it. With `only`, the values of other tags are not decoded (their entries are still
 * checked against the data store's bounds): an rpmdb scan reads six tags of headers that list thousands of files.
 */
export function parseHeaderBlob(blob: Uint8Array, what = 'the header', only?: ReadonlySet<number>): Map<number, RpmValue> {
  if (blob.length < 8) throw new RpmFormatError(`${what} is truncated`);
  const il = be32(blob, 0);
  const dl = be32(blob, 4);
  const dataStart = 8 + il * 16;
  if (il > RPM_MAX_INDEX_ENTRIES || dataStart + dl > blob.length) throw new RpmFormatError(`${what}'s index is out of range (it lies beyond its data)`);
  const data = blob.subarray(dataStart, dataStart + dl);
  const out = new Map<number, RpmValue>();
  const bad = (tag: number, why: string) => new RpmFormatError(`${what}: tag ${tag} ${why}`);
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = be32(blob, e);
    const type = be32(blob, e + 4);
    const offset = be32(blob, e + 8);
    const count = be32(blob, e + 12);
    if (count < 1 || count > dl + 1) throw bad(tag, `has count ${count}`);
    if (offset >= dl && !(offset === dl && type === RpmType.NULL)) throw bad(tag, 'points beyond the data store');
    const fixed = (width: number) => {
      if (offset % width !== 0) throw bad(tag, 'is not aligned');
      if (offset + width * count > dl) throw bad(tag, 'runs beyond the data store');
    };
    if (only && !only.has(tag)) {
      if (type > RpmType.I18NSTRING) throw bad(tag, `has the unknown type ${type}`);
      const width = ([0, 1, 1, 2, 4, 8, 0, 1] as const)[type] ?? 0;
      if (width) fixed(width);
      continue;
    }
    const strings = (n: number) => {
      const list: string[] = [];
      let at = offset;
      for (let k = 0; k < n; k++) {
        const end = data.indexOf(0, at);
        if (end < 0) throw bad(tag, 'has a string without its terminating NUL');
        list.push(utf8(data.subarray(at, end)));
        at = end + 1;
      }
      return list;
    };
    switch (type) {
      case RpmType.NULL:
        break;
      case RpmType.CHAR:
      case RpmType.INT8:
        fixed(1);
        out.set(tag, [...data.subarray(offset, offset + count)]);
        break;
      case RpmType.INT16:
        fixed(2);
        out.set(tag, Array.from({ length: count }, (_, k) => (data[offset + 2 * k]! << 8) | data[offset + 2 * k + 1]!));
        break;
      case RpmType.INT32:
        fixed(4);
        out.set(tag, Array.from({ length: count }, (_, k) => be32(data, offset + 4 * k)));
        break;
      case RpmType.INT64:
        fixed(8);
        out.set(tag, Array.from({ length: count }, (_, k) => (BigInt(be32(data, offset + 8 * k)) << 32n) | BigInt(be32(data, offset + 8 * k + 4))));
        break;
      case RpmType.BIN:
        fixed(1);
        out.set(tag, data.slice(offset, offset + count));
        break;
      case RpmType.STRING:
        if (count !== 1) throw bad(tag, 'is a STRING with a count other than 1');
        out.set(tag, strings(1)[0]!);
        break;
      case RpmType.STRING_ARRAY:
      case RpmType.I18NSTRING:
        out.set(tag, strings(count));
        break;
      default:
        throw bad(tag, `has the unknown type ${type}`);
    }
  }
  return out;
}

function be32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

const decoder = new TextDecoder('utf-8');
function utf8(b: Uint8Array): string {
  return decoder.decode(b);
}
