import { describe, expect, it } from 'vitest';
import { assembleRpm, headerStructure, syntheticRpm } from '../../test/support/rpm-builder.js';
import { RpmFormatError, parseHeaderBlob, readRpmHeaders } from './rpm-header.js';

const readerOf = (b: Buffer) => async (pos: number, len: number) => b.subarray(pos, pos + len);
const read = (b: Buffer) => readRpmHeaders(readerOf(b), b.length);

describe('readRpmHeaders', () => {
  it('reads every tag type of the main header and where it lies in the file', async () => {
    const header = headerStructure([
      [1000, { type: 'string', value: 'demo' }],
      [1004, { type: 'i18n', value: ['C summary', 'de Zusammenfassung'] }],
      [1030, { type: 'int16', value: [0o40755, 0o100644] }],
      [1009, { type: 'int32', value: [123, 456] }],
      [5009, { type: 'int64', value: [2n ** 40n] }],
      [1117, { type: 'strings', value: ['a', 'b', ''] }],
      [1124, { type: 'bin', value: new Uint8Array([1, 2, 3]) }],
    ]);
    const sig = headerStructure([[1000, { type: 'int32', value: [7] }]]);
    const file = assembleRpm(sig, header);
    const { header: h, signature } = await read(file);
    expect(h.string(1000)).toBe('demo');
    expect(h.string(1004)).toBe('C summary');
    expect(h.strings(1004)).toEqual(['C summary', 'de Zusammenfassung']);
    expect(h.numbers(1030)).toEqual([0o40755, 0o100644]);
    expect(h.numbers(1009)).toEqual([123, 456]);
    expect(h.number(5009)).toBe(2 ** 40);
    expect(h.strings(1117)).toEqual(['a', 'b', '']);
    expect([...(h.values.get(1124) as Uint8Array)]).toEqual([1, 2, 3]);
    expect(signature.number(1000)).toBe(7);
    // the signature header is padded to 8 bytes; the header range is the main header's own bytes
    expect(h.start % 8).toBe(0);
    expect(file.subarray(h.start, h.end).equals(header)).toBe(true);
  });

  it('refuses a file whose lead magic is wrong', async () => {
    const file = syntheticRpm({ name: 'x', version: '1' });
    file[0] = 0;
    await expect(read(file)).rejects.toThrow(/bad lead magic/);
  });

  it('refuses a truncated file: in the lead, the signature and the header', async () => {
    const file = syntheticRpm({ name: 'x', version: '1' });
    const { header } = await read(file);
    for (const n of [50, 100, header.start + 8, header.end - 1]) {
      await expect(read(file.subarray(0, n))).rejects.toThrow(RpmFormatError);
      await expect(read(file.subarray(0, n))).rejects.toThrow(/truncated/);
    }
  });

  it('refuses a bad header magic and absurd index counts and data lengths', async () => {
    const file = syntheticRpm({ name: 'x', version: '1' });
    const { header } = await read(file);
    const badMagic = Buffer.from(file);
    badMagic[header.start] = 0;
    await expect(read(badMagic)).rejects.toThrow(/the header has a bad magic/);
    const hugeIndex = Buffer.from(file);
    hugeIndex.writeUInt32BE(0x10000, header.start + 8);
    await expect(read(hugeIndex)).rejects.toThrow(/index entries/);
    const hugeData = Buffer.from(file);
    hugeData.writeUInt32BE(0x7fffffff, header.start + 12);
    await expect(read(hugeData)).rejects.toThrow(/data store of/);
  });
});

describe('parseHeaderBlob', () => {
  const blobOf = (structure: Buffer) => structure.subarray(8);
  const entryAt = (i: number) => 8 + 16 * i;

  it('refuses an index entry that points beyond the data store', () => {
    const blob = Buffer.from(blobOf(headerStructure([[1000, { type: 'string', value: 'demo' }]])));
    blob.writeUInt32BE(1000, entryAt(0) + 8);
    expect(() => parseHeaderBlob(blob)).toThrow(/beyond the data store/);
  });

  it('refuses an integer array running past the data store, an unaligned one, and a string without its NUL', () => {
    const ints = Buffer.from(blobOf(headerStructure([[1009, { type: 'int32', value: [1] }]])));
    ints.writeUInt32BE(5, entryAt(0) + 12);
    expect(() => parseHeaderBlob(ints)).toThrow(/runs beyond/);
    const unaligned = Buffer.from(blobOf(headerStructure([[1000, { type: 'string', value: 'ab' }], [1009, { type: 'int32', value: [1] }]])));
    unaligned.writeUInt32BE(1, entryAt(1) + 8);
    expect(() => parseHeaderBlob(unaligned)).toThrow(/not aligned/);
    const open = Buffer.from(blobOf(headerStructure([[1000, { type: 'string', value: 'abc' }]])));
    open[open.length - 1] = 0x41;
    expect(() => parseHeaderBlob(open)).toThrow(/terminating NUL/);
  });

  it('refuses an unknown type and a zero count', () => {
    const unknown = Buffer.from(blobOf(headerStructure([[1000, { type: 'string', value: 'a' }]])));
    unknown.writeUInt32BE(42, entryAt(0) + 4);
    expect(() => parseHeaderBlob(unknown)).toThrow(/unknown type 42/);
    const zero = Buffer.from(blobOf(headerStructure([[1000, { type: 'string', value: 'a' }]])));
    zero.writeUInt32BE(0, entryAt(0) + 12);
    expect(() => parseHeaderBlob(zero)).toThrow(/count 0/);
  });

  it('decodes only the asked tags with `only`, still checking every entry against the data store', () => {
    const structure = headerStructure([[1000, { type: 'string', value: 'name' }], [1117, { type: 'strings', value: ['a', 'b'] }]]);
    const blob = Buffer.from(blobOf(structure));
    const values = parseHeaderBlob(blob, 'blob', new Set([1000]));
    expect([...values.keys()]).toEqual([1000]);
    blob.writeUInt32BE(9999, entryAt(1) + 8);
    expect(() => parseHeaderBlob(blob, 'blob', new Set([1000]))).toThrow(/beyond the data store/);
  });

  it('refuses an index that claims more entries than the blob holds', () => {
    const blob = Buffer.from(blobOf(headerStructure([[1000, { type: 'string', value: 'a' }]])));
    blob.writeUInt32BE(50, 0);
    expect(() => parseHeaderBlob(blob)).toThrow(/index is out of range/);
  });
});
