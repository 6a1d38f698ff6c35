// Builds synthetic rpm files (lead, signature header, main header, payload) for parser and repository tests that
// need many packages or deliberately broken ones; rpms made by the real rpmbuild are used beside them
// (test/integration/yum/rpm-fixtures.ts). Layout: core/rpm-header.ts.
export type RpmEntryValue =
  | { type: 'string' | 'i18n'; value: string | string[] }
  | { type: 'strings'; value: string[] }
  | { type: 'int16' | 'int32'; value: number[] }
  | { type: 'int64'; value: bigint[] }
  | { type: 'bin'; value: Uint8Array };

const TYPE = { int16: 3, int32: 4, int64: 5, string: 6, bin: 7, strings: 8, i18n: 9 } as const;
const ALIGN = { int16: 2, int32: 4, int64: 8, string: 1, bin: 1, strings: 1, i18n: 1 } as const;

/** A header structure with its magic: entries in tag order, each value aligned as its type needs. */
export function headerStructure(entries: ReadonlyMap<number, RpmEntryValue> | Array<[number, RpmEntryValue]>): Buffer {
  const list = [...entries].sort((a, b) => a[0] - b[0]);
  const index: Buffer[] = [];
  let data = Buffer.alloc(0);
  for (const [tag, v] of list) {
    const pad = (ALIGN[v.type] - (data.length % ALIGN[v.type])) % ALIGN[v.type];
    data = Buffer.concat([data, Buffer.alloc(pad)]);
    const offset = data.length;
    let bytes: Buffer;
    let count: number;
    if (v.type === 'string' || v.type === 'i18n' || v.type === 'strings') {
      const strings = Array.isArray(v.value) ? v.value : [v.value];
      bytes = Buffer.concat(strings.map((s) => Buffer.from(`${s}\0`, 'utf8')));
      count = strings.length;
    } else if (v.type === 'bin') {
      bytes = Buffer.from(v.value);
      count = bytes.length;
    } else if (v.type === 'int64') {
      bytes = Buffer.alloc(8 * v.value.length);
      v.value.forEach((n, i) => bytes.writeBigUInt64BE(n, 8 * i));
      count = v.value.length;
    } else {
      const w = v.type === 'int16' ? 2 : 4;
      bytes = Buffer.alloc(w * (v.value as number[]).length);
      (v.value as number[]).forEach((n, i) => (w === 2 ? bytes.writeUInt16BE(n, 2 * i) : bytes.writeUInt32BE(n, 4 * i)));
      count = (v.value as number[]).length;
    }
    const e = Buffer.alloc(16);
    e.writeUInt32BE(tag, 0);
    e.writeUInt32BE(TYPE[v.type], 4);
    e.writeUInt32BE(offset, 8);
    e.writeUInt32BE(count, 12);
    index.push(e);
    data = Buffer.concat([data, bytes]);
  }
  const intro = Buffer.alloc(16);
  intro.writeUInt32BE(0x8eade801, 0);
  intro.writeUInt32BE(list.length, 8);
  intro.writeUInt32BE(data.length, 12);
  return Buffer.concat([intro, ...index, data]);
}

export interface SyntheticRpm {
  name: string;
  version: string;
  release?: string;
  arch?: string;
  epoch?: number;
  files?: string[];
  /** more main-header entries (override the defaults) */
  extra?: Array<[number, RpmEntryValue]>;
}

const s = (value: string): RpmEntryValue => ({ type: 'string', value });

/** A complete binary rpm whose payload is a few filler bytes. */
export function syntheticRpm(p: SyntheticRpm): Buffer {
  const files = p.files ?? [`/usr/bin/${p.name}`];
  const dirs = [...new Set(files.map((f) => f.slice(0, f.lastIndexOf('/') + 1)))];
  const main = new Map<number, RpmEntryValue>([
    [1000, s(p.name)], [1001, s(p.version)], [1002, s(p.release ?? '1')],
    [1004, { type: 'i18n', value: `${p.name} summary` }], [1005, { type: 'i18n', value: `${p.name} description` }],
    [1006, { type: 'int32', value: [1_700_000_000] }], [1007, s('builder')], [1009, { type: 'int32', value: [100] }],
    [1014, s('MIT')], [1016, { type: 'i18n', value: 'Unspecified' }], [1021, s('linux')], [1022, s(p.arch ?? 'noarch')],
    [1030, { type: 'int16', value: files.map(() => 0o100755) }], [1037, { type: 'int32', value: files.map(() => 0) }],
    [1044, s(`${p.name}-${p.version}-${p.release ?? '1'}.src.rpm`)],
    [1047, { type: 'strings', value: [p.name] }], [1112, { type: 'int32', value: [8] }], [1113, { type: 'strings', value: [`${p.version}-${p.release ?? '1'}`] }],
    [1116, { type: 'int32', value: files.map((f) => dirs.indexOf(f.slice(0, f.lastIndexOf('/') + 1))) }],
    [1117, { type: 'strings', value: files.map((f) => f.slice(f.lastIndexOf('/') + 1)) }],
    [1118, { type: 'strings', value: dirs }],
  ]);
  if (p.epoch !== undefined) main.set(1003, { type: 'int32', value: [p.epoch] });
  for (const [tag, v] of p.extra ?? []) main.set(tag, v);
  return assembleRpm(headerStructure(new Map([[1000, { type: 'int32', value: [0] }], [1007, { type: 'int32', value: [4] }]])), headerStructure(main));
}

/** lead + signature (padded to 8) + header + payload */
export function assembleRpm(signature: Buffer, header: Buffer, payload = Buffer.from('payload')): Buffer {
  const lead = Buffer.alloc(96);
  lead.writeUInt32BE(0xedabeedb, 0);
  lead[4] = 3;
  lead.write('synthetic', 10, 'latin1');
  lead.writeUInt16BE(5, 78);
  const pad = Buffer.alloc((8 - (signature.length % 8)) % 8);
  return Buffer.concat([lead, signature, pad, header, payload]);
}
