import { PassThrough, type Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type yazlType from 'yazl';
import type { BlobStore } from '../../storage/blob-store.js';
import { checkZipEntries, GO_ZIP_LIMITS, goModModulePath, openStoredZip } from './zip-check.js';
import { inspectModuleZip } from './service/upload.js';

const yazl = createRequire(import.meta.url)('yazl') as typeof yazlType;

/** A zip of `files` (name → content) built with yazl. */
async function zipOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(files)) z.addBuffer(Buffer.from(body), name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Rewrites the central directory's uncompressed size of the entry named `name` (a zip that lies about its sizes). */
function declareSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = out.length - 46; i >= 0; i--) {
    if (out.readUInt32LE(i) !== 0x02014b50) continue;
    const len = out.readUInt16LE(i + 28);
    if (out.subarray(i + 46, i + 46 + len).toString() === name) {
      out.writeUInt32LE(size, i + 24);
      return out;
    }
  }
  throw new Error(`no entry ${name}`);
}

/** Renames an entry in place (same length) in the local and central headers: names yazl itself refuses to write. */
function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('same length only');
  const hex = zip.toString('latin1').split(from).join(to);
  return Buffer.from(hex, 'latin1');
}

/** Just enough of a BlobStore for openStoredZip: one blob, read by range. */
function oneBlob(data: Buffer): BlobStore {
  return {
    open: async (_d: string, range?: { start: number; end: number }): Promise<Readable> => {
      const s = new PassThrough();
      s.end(range ? data.subarray(range.start, range.end + 1) : data);
      return s;
    },
  } as unknown as BlobStore;
}

const M = 'example.com/hello';
const P = `${M}@v1.0.0/`;
const inspect = (zip: Buffer, limits = GO_ZIP_LIMITS) => inspectModuleZip(oneBlob(zip), { digest: 'sha256:x', size: zip.length }, limits);

describe('checkZipEntries (x/mod/zip checkZip)', () => {
  const entries = (names: string[]) => names.map((name) => ({ name, size: 1 }));

  it('accepts a well-formed module and finds its go.mod', () => {
    const r = checkZipEntries(entries([`${P}go.mod`, `${P}hello.go`, `${P}sub/`, `${P}sub/x.go`]), M, 'v1.0.0');
    expect(r.problems.ok).toBe(true);
    expect(r.goMod).toBe(0);
  });

  it('refuses a zip slip, a foreign prefix, unclean paths and case collisions', () => {
    const r = checkZipEntries(entries([`${P}../evil.go`, 'other.com/x@v1.0.0/a.go', `${P}a//b.go`, `${P}Read.go`, `${P}read.go`, `${P}a.go`, `${P}a.go`]), M, 'v1.0.0');
    const why = r.problems.invalid.map((p) => p.why);
    expect(why[0]).toMatch(/not clean/);
    expect(why[1]).toMatch(/does not have prefix/);
    expect(why[2]).toMatch(/not clean/);
    expect(why[3]).toMatch(/case-insensitive file name collision/);
    expect(why[4]).toMatch(/multiple entries/);
  });

  it('refuses go.mod below the root or spelt otherwise, and files over the limits', () => {
    const r = checkZipEntries([
      { name: `${P}sub/go.mod`, size: 1 }, { name: `${P}GO.MOD`, size: 1 },
      { name: `${P}LICENSE`, size: GO_ZIP_LIMITS.license + 1 }, { name: `${P}big`, size: GO_ZIP_LIMITS.zipFile },
    ], M, 'v1.0.0');
    expect(r.problems.invalid.map((p) => p.why)).toEqual([
      'go.mod file not in module root directory', 'go.mod files must have lowercase names', `LICENSE file too large (max size is ${GO_ZIP_LIMITS.license} bytes)`,
    ]);
    expect(r.problems.sizeError).toMatch(/total uncompressed size/);
  });

  it('reads the module directive of a go.mod', () => {
    expect(goModModulePath('// comment\nmodule example.com/x // trailing\n\ngo 1.19\n')).toBe('example.com/x');
    expect(goModModulePath('module "example.com/q"\n')).toBe('example.com/q');
    expect(goModModulePath('go 1.19\n')).toBeUndefined();
  });
});

describe('inspectModuleZip (a stored upload)', () => {
  it('gives the module, version and go.mod of a valid zip', async () => {
    const z = await inspect(await zipOf({ [`${P}go.mod`]: `module ${M}\n`, [`${P}hello.go`]: 'package hello\n' }));
    expect(z).toMatchObject({ module: M, version: 'v1.0.0' });
    expect(z.goMod?.toString()).toBe(`module ${M}\n`);
  });

  it('refuses a go.mod naming another module', async () => {
    await expect(inspect(await zipOf({ [`${P}go.mod`]: 'module example.com/other\n' }))).rejects.toThrow(/go.mod has non-example.com\/hello module path "example.com\/other"/);
  });

  it('refuses a zip slip entry', async () => {
    const zip = await zipOf({ [`${P}go.mod`]: `module ${M}\n`, [`${P}x/zz/zz/evil`]: 'x' });
    await expect(inspect(renameEntry(zip, `${P}x/zz/zz/evil`, `${P}x/../../evil`))).rejects.toThrow(/not clean/);
    await expect(inspect(renameEntry(zip, `${P}x/zz/zz/evil`, '../../../../../../../../../../../../../../tmp/evil'.slice(-(`${P}x/zz/zz/evil`.length))))).rejects.toThrow(/Invalid module zip/);
  });

  it('refuses declared sizes over the go command limits', async () => {
    const base = await zipOf({ [`${P}go.mod`]: `module ${M}\n`, [`${P}big.bin`]: 'x' });
    await expect(inspect(declareSize(base, `${P}big.bin`, 0xfffffff0))).rejects.toThrow(/total uncompressed size of module contents too large/);
    await expect(inspect(declareSize(base, `${P}go.mod`, (16 << 20) + 1))).rejects.toThrow(/go.mod file too large/);
  });

  it('refuses a zip larger than the zip limit, bad versions, and what is not a zip', async () => {
    const zip = await zipOf({ [`${P}go.mod`]: `module ${M}\n` });
    await expect(inspect(zip, { ...GO_ZIP_LIMITS, zipFile: 10 })).rejects.toThrow(/module zip file is too large/);
    await expect(inspect(await zipOf({ [`${M}@v1.0/go.mod`]: `module ${M}\n` }))).rejects.toThrow(/canonical/);
    await expect(inspect(await zipOf({ 'example.com/m@v2.0.0/go.mod': 'module example.com/m\n' }))).rejects.toThrow(/should be v0 or v1/);
    await expect(inspect(Buffer.from('not a zip at all, not even close'))).rejects.toThrow(/not a zip/);
  });

  it('lists entries whose names are not UTF-8 as invalid', async () => {
    const zip = await zipOf({ [`${P}ok.go`]: 'x' });
    const opened = await openStoredZip(oneBlob(zip), 'sha256:x', zip.length);
    opened.close();
    expect(opened.entries.map((e) => e.name)).toEqual([`${P}ok.go`]);
    expect(checkZipEntries([{ name: undefined, size: 1 }], M, 'v1.0.0').problems.invalid[0]!.why).toMatch(/UTF-8/);
  });
});
