// The extractor over whole layers built here (tar-stream's packer, gzip, a zstd file made by the zstd CLI):
// whiteouts and opaque folders across layers, links resolved inside the image, hostile archives (escaping paths, a
// gzip bomb, corrupt streams, millions of entries) failing by their limit, and a 1 GiB layer read in flat memory.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bufferLayer, goBinary, gzLayer, rpmHeaderBlob, streamLayer, tarBuffer, tarPad, ustarHeader, zstdRleFrame } from '../../../test/fixtures/inventory/layers.js';
import { extractInventory, InventoryError } from './index.js';
import { ZstdFrameGuard } from './layer-bytes.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const brief = (inv: Awaited<ReturnType<typeof extractInventory>>): string[] =>
  inv.packages.map((p) => `${p.ecosystem}${p.release ? `:${p.release}` : ''} ${p.name} ${p.version} ${p.filePath}`).sort();

describe('extractInventory', () => {
  it('reads a Debian image across layers: whiteouts, opaque folders, replaced files, links, an escaping entry', async () => {
    const modinfo = 'path\tex/app\nmod\tex/app\t(devel)\t\ndep\tgolang.org/x/text\tv0.3.7\th1:x=\n';
    const l1 = await gzLayer([
      { name: 'usr/lib/os-release', body: fixture('os-release.debian12') },
      { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { name: 'var/lib/dpkg/status', body: fixture('dpkg-status.debian12') },
      { name: 'app/package-lock.json', body: fixture('package-lock.v3.json') },
      { name: 'app/node_modules/lodash/package.json', body: '{"name":"lodash","version":"4.17.20"}' },
      { name: 'opt/old/node_modules/minimist/package.json', body: '{"name":"minimist","version":"1.2.0"}' },
      { name: 'srv/site-packages/urllib3-1.26.5.dist-info/METADATA', body: 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.5\n' },
      { name: 'usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA', body: fixture('METADATA.requests') },
      { name: 'tmp/gone.egg-info/PKG-INFO', body: fixture('PKG-INFO.jinja2') },
    ]);
    const l2 = await gzLayer([
      { name: 'opt/.wh.old' },
      { name: 'srv/.wh..wh..opq' },
      { name: 'srv/site-packages/urllib3-2.0.7.dist-info/METADATA', body: 'Metadata-Version: 2.1\nName: urllib3\nVersion: 2.0.7\n' },
      { name: 'tmp/gone.egg-info/.wh.PKG-INFO' },
      { name: '../../../escape/package-lock.json', body: fixture('package-lock.v1.json') },
      { name: './usr/local/bin/app', body: goBinary('go1.21.3', modinfo) },
      { name: 'usr/bin/not-go', body: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(100_000, 7)]) },
    ]);
    const l3 = await gzLayer([{ name: 'app/node_modules/lodash/package.json', body: '{"name":"lodash","version":"4.17.21"}' }]);
    const inv = await extractInventory([l1, l2, l3]);
    expect(inv.os).toEqual({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    expect(brief(inv)).toEqual(
      [
        'Debian:12 base-files 12.4+deb12u2 /var/lib/dpkg/status',
        'Debian:12 libc6 2.36-9+deb12u1 /var/lib/dpkg/status',
        'Debian:12 libssl3 3.0.11-1~deb12u1 /var/lib/dpkg/status',
        'Debian:12 zlib1g 1:1.2.13.dfsg-1+b1 /var/lib/dpkg/status',
        'npm lodash 4.17.20 /app/package-lock.json',
        'npm lodash 4.17.21 /app/node_modules/lodash/package.json',
        'npm minimist 1.2.5 /app/package-lock.json',
        'npm pad-left 2.1.0 /app/package-lock.json',
        'npm minimist 0.2.1 /app/package-lock.json',
        'npm @scope/thing 1.0.0 /app/package-lock.json',
        'PyPI urllib3 2.0.7 /srv/site-packages/urllib3-2.0.7.dist-info/METADATA',
        'PyPI requests 2.30.0 /usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA',
        'Go stdlib 1.21.3 /usr/local/bin/app',
        'Go ex/app (devel) /usr/local/bin/app',
        'Go golang.org/x/text v0.3.7 /usr/local/bin/app',
      ].sort(),
    );
    const libssl3 = inv.packages.find((p) => p.name === 'libssl3')!;
    expect(libssl3).toEqual({
      ecosystem: 'Debian',
      release: '12',
      name: 'libssl3',
      version: '3.0.11-1~deb12u1',
      source: { name: 'openssl', version: '3.0.11-1~deb12u1' },
      packageType: 'OS',
      filePath: '/var/lib/dpkg/status',
    });
    expect(inv.warnings).toEqual([expect.stringMatching(/entry "\.\.\/\.\.\/\.\.\/escape\/package-lock\.json" escapes the image root: ignored$/)]);
  });

  it('a file replaced by one over maxFileBytes, and a folder replaced by a file, hide what was below', async () => {
    const inv = await extractInventory(
      [
        await gzLayer([
          { name: 'var/lib/dpkg/status', body: fixture('dpkg-status.debian12') },
          { name: 'app/node_modules/lodash/package.json', body: '{"name":"lodash","version":"4.17.20"}' },
        ]),
        await gzLayer([
          { name: 'var/lib/dpkg/status', body: Buffer.alloc(20_000, 0x20) },
          { name: 'app/node_modules', body: 'now a file' },
        ]),
      ],
      { maxFileBytes: 10_000 },
    );
    expect(inv.packages).toEqual([]);
    expect(inv.warnings).toEqual(['/var/lib/dpkg/status: 20000 bytes, over maxFileBytes (10000): not read']);
  });

  it('finds Go build info split across tiny chunks (the magic and the version cut anywhere)', async () => {
    const bytes = await tarBuffer([{ name: 'bin/app', body: goBinary('go1.22rc1', 'path\tex/app\nmod\tex/app\tv1.2.3\th1:z=\n', 5000, 100) }]);
    for (const step of [7, 13, 16]) {
      const layer = streamLayer(function* () {
        for (let i = 0; i < bytes.length; i += step) yield bytes.subarray(i, i + step);
      }, 'application/vnd.oci.image.layer.v1.tar');
      expect(brief(await extractInventory([layer]))).toEqual(['Go ex/app v1.2.3 /bin/app', 'Go stdlib 1.22.0-rc.1 /bin/app']);
    }
  });

  it('deduplicates a lockfile entry and the installed package.json of the same folder', async () => {
    const inv = await extractInventory([
      await gzLayer([
        { name: 'app/package-lock.json', body: JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/ua-parser-js': { version: '0.7.29' } } }) },
        { name: 'app/node_modules/ua-parser-js/package.json', body: '{"name":"ua-parser-js","version":"0.7.29"}' },
      ]),
    ]);
    expect(brief(inv)).toEqual(['npm ua-parser-js 0.7.29 /app/package-lock.json']);
  });

  it('reads a zstd layer (made by the zstd CLI) of an Alpine image: release major.minor, origin as source', async () => {
    const inv = await extractInventory([bufferLayer(fixture('alpine-layer.tar.zst'), 'application/vnd.oci.image.layer.v1.tar+zstd')]);
    expect(inv.os).toMatchObject({ id: 'alpine', versionId: '3.18.4' });
    expect(inv.packages.find((p) => p.name === 'libssl3')).toEqual({
      ecosystem: 'Alpine',
      release: '3.18',
      name: 'libssl3',
      version: '3.1.3-r0',
      source: { name: 'openssl', version: '3.1.3-r0' },
      packageType: 'OS',
      filePath: '/lib/apk/db/installed',
    });
  });

  it('goes by the magic bytes when the media type lies', async () => {
    const tarBytes = await tarBuffer([{ name: 'etc/os-release', body: fixture('os-release.ubuntu2204') }]);
    const asTar = await extractInventory([bufferLayer(gzipSync(tarBytes), 'application/vnd.oci.image.layer.v1.tar')]);
    const asGzip = await extractInventory([bufferLayer(tarBytes, 'application/vnd.docker.image.rootfs.diff.tar.gzip')]);
    expect(asTar.os?.id).toBe('ubuntu');
    expect(asGzip.os?.id).toBe('ubuntu');
  });

  it('Ubuntu dpkg, distroless status.d, and a hard link', async () => {
    const inv = await extractInventory([
      await gzLayer([
        { name: 'etc/os-release', body: fixture('os-release.ubuntu2204') },
        { name: 'var/lib/dpkg/status.d/libssl3', body: fixture('dpkg-status.d.libssl3') },
        { name: 'var/lib/dpkg/status.d/libssl3.md5sums', body: 'd41d8cd98f00b204e9800998ecf8427e  usr/lib/x86_64-linux-gnu/libssl.so.3\n' },
        { name: 'app/node_modules/minimist/package.json', body: '{"name":"minimist","version":"1.2.5"}' },
        { name: 'app2/node_modules/minimist/package.json', type: 'link', linkname: 'app/node_modules/minimist/package.json' },
      ]),
    ]);
    expect(brief(inv)).toEqual([
      'Ubuntu:22.04 libssl3 3.0.11-1~deb12u2 /var/lib/dpkg/status.d/libssl3',
      'npm minimist 1.2.5 /app/node_modules/minimist/package.json',
      'npm minimist 1.2.5 /app2/node_modules/minimist/package.json',
    ]);
  });

  it('a dpkg database on another distribution is its own ecosystem; no os-release is a warning', async () => {
    const status = { name: 'var/lib/dpkg/status', body: fixture('dpkg-status.debian12') };
    const kali = await extractInventory([await gzLayer([{ name: 'etc/os-release', body: 'ID=kali\nVERSION_ID="2023.3"\n' }, status])]);
    expect(new Set(kali.packages.map((p) => `${p.ecosystem}:${p.release}`))).toEqual(new Set(['kali:2023.3']));
    const none = await extractInventory([await gzLayer([status])]);
    expect(new Set(none.packages.map((p) => `${p.ecosystem}:${p.release}`))).toEqual(new Set(['Debian:undefined']));
    expect(none.warnings).toEqual(['no /etc/os-release: OS packages are reported without a release']);
  });

  it('Rocky Linux 9: rpmdb.sqlite; RHEL 8: BerkeleyDB Packages; a BerkeleyDB file that is not one is a warning', async () => {
    const initSqlJs = (await import('sql.js')).default;
    const db = new (await initSqlJs()).Database();
    db.run('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
    db.run('INSERT INTO Packages (blob) VALUES (?)', [
      rpmHeaderBlob([
        [1000, 'string', 'openssl-libs'],
        [1001, 'string', '3.0.7'],
        [1002, 'string', '24.el9'],
        [1003, 'int32', 1],
      ]),
    ]);
    const sqlite = Buffer.from(db.export());
    db.close();
    const inv = await extractInventory([
      await gzLayer([
        { name: 'etc/os-release', body: fixture('os-release.rocky93') },
        { name: 'usr/lib/sysimage/rpm/rpmdb.sqlite', body: sqlite },
        { name: 'var/lib/rpm', type: 'symlink', linkname: '../../usr/lib/sysimage/rpm' },
      ]),
      await gzLayer([{ name: 'old/var/lib/rpm/Packages', body: 'x' }, { name: 'var/lib/rpm/Packages', body: Buffer.alloc(4096) }]),
    ]);
    expect(brief(inv)).toEqual(['Rocky Linux:9.3 openssl-libs 1:3.0.7-24.el9 /usr/lib/sysimage/rpm/rpmdb.sqlite']);
    expect(inv.warnings).toEqual(['/var/lib/rpm/Packages: rpm BerkeleyDB database not read (not a Berkeley DB hash database)']);
    const rhel8 = await extractInventory([
      await gzLayer([
        { name: 'etc/os-release', body: 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="8.9"\nID="rhel"\n' },
        { name: 'var/lib/rpm/Packages', body: fixture('rpm-Packages.bdb') },
      ]),
    ]);
    expect(brief(rhel8)).toEqual([
      'Red Hat:8.9 bash 4.4.20-4.el8_6 /var/lib/rpm/Packages',
      'Red Hat:8.9 openssl-libs 1:1.1.1k-9.el8_7 /var/lib/rpm/Packages',
      'Red Hat:8.9 tzdata 2023c-1.el8 /var/lib/rpm/Packages',
    ]);
  });

  it('a file deleted in an upper layer is not reported', async () => {
    const inv = await extractInventory([
      await gzLayer([{ name: 'app/package-lock.json', body: fixture('package-lock.v1.json') }]),
      await gzLayer([{ name: 'app/.wh.package-lock.json' }]),
    ]);
    expect(inv.packages).toEqual([]);
  });

  it('links are resolved inside the image only: absolute and escaping targets from its root, never the host', async () => {
    const abs = await extractInventory([
      await gzLayer([
        { name: 'etc/os-release', type: 'symlink', linkname: '/../../../usr/lib/os-release' },
        { name: 'usr/lib/os-release', body: fixture('os-release.alpine318') },
      ]),
    ]);
    expect(abs.os?.id).toBe('alpine');
    // a link to the host's /etc/os-release (itself, inside the image: a loop) reads nothing, not the host's file
    const loop = await extractInventory([await gzLayer([{ name: 'etc/os-release', type: 'symlink', linkname: '../../../../etc/os-release' }])]);
    expect(loop.os).toBeUndefined();
    const outside = await extractInventory([await gzLayer([{ name: 'etc/os-release', type: 'symlink', linkname: '/proc/self/root/etc/os-release' }])]);
    expect(outside.os).toBeUndefined();
  });

  it('maxFileBytes skips a file with a warning; maxPackages fails the read', async () => {
    const layer = await gzLayer([{ name: 'app/package-lock.json', body: fixture('package-lock.v3.json') }]);
    const small = await extractInventory([layer], { maxFileBytes: 100 });
    expect(small.packages).toEqual([]);
    expect(small.warnings[0]).toMatch(/^\/app\/package-lock\.json: \d+ bytes, over maxFileBytes \(100\): not read$/);
    await expect(extractInventory([layer], { maxPackages: 2 })).rejects.toThrow(/over maxPackages \(more than 2 packages\)/);
  });

  it('a corrupt gzip stream, a truncated one, and bytes that are not a tar fail with an InventoryError', async () => {
    const gz = gzipSync(await tarBuffer([{ name: 'a/package-lock.json', body: 'x'.repeat(100_000) }, { name: 'b', body: Buffer.alloc(50_000, 3) }]));
    const corrupt = Buffer.from(gz);
    for (let i = 40; i < 80; i++) corrupt[i] = 0xff - corrupt[i]!;
    await expect(extractInventory([bufferLayer(corrupt)])).rejects.toThrow(InventoryError);
    await expect(extractInventory([bufferLayer(corrupt)])).rejects.toThrow(/corrupt gzip stream/);
    await expect(extractInventory([bufferLayer(gz.subarray(0, gz.length - 200))])).rejects.toThrow(InventoryError);
    await expect(extractInventory([bufferLayer(Buffer.alloc(4096, 0x41), 'application/vnd.oci.image.layer.v1.tar')])).rejects.toThrow(InventoryError);
  });

  it('a gzip bomb (1 GiB of zeros in about 1 MB) fails by maxLayerBytes without holding it', async () => {
    const zeros = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    const rssBefore = process.memoryUsage().rss;
    const layer = streamLayer(function* () {
      yield gzipSync(ustarHeader('bomb', 1024 ** 3));
      for (let i = 0; i < 64; i++) yield zeros;
    }, 'application/vnd.oci.image.layer.v1.tar+gzip');
    const err = await extractInventory([layer], { maxLayerBytes: 256 * 1024 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InventoryError);
    expect((err as Error).message).toMatch(/over maxLayerBytes \(more than 268435456 bytes uncompressed\)/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('zstd: a bomb of RLE blocks fails by maxLayerBytes, a huge window and a corrupt stream fail too', async () => {
    const zst = 'application/vnd.oci.image.layer.v1.tar+zstd';
    const rssBefore = process.memoryUsage().rss;
    const bomb = streamLayer(() => zstdRleFrame(ustarHeader('bomb', 1024 ** 3), 8192), zst);
    await expect(extractInventory([bomb], { maxLayerBytes: 256 * 1024 * 1024 })).rejects.toThrow(/over maxLayerBytes/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    // a window of 2^41 bytes: refused before anything is allocated
    const wide = streamLayer(() => zstdRleFrame(ustarHeader('x', 0), 1, 0, 0xf8), zst);
    await expect(extractInventory([wide])).rejects.toThrow(/zstd frame asks for a \d+-byte window/);
    // the same in a second frame, after a good one and a skippable frame
    const good = [...zstdRleFrame(ustarHeader('x', 0), 0)];
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const second = streamLayer(() => [...good, skippable, ...zstdRleFrame(Buffer.alloc(512), 1, 0, 0xa0)], zst); // 1 GiB: fzstd would allocate it
    await expect(extractInventory([second])).rejects.toThrow(/zstd frame asks for a \d+-byte window/);
    // the guard walks the frames before fzstd sees them: it refuses the second frame's header, and passes real output
    const guard = new ZstdFrameGuard(2 ** 27, 'sha256:g');
    for (const b of [...good, skippable]) guard.feed(b);
    expect(() => {
      for (const b of zstdRleFrame(Buffer.alloc(512), 1, 0, 0xa0)) guard.feed(b);
    }).toThrow(/asks for a 1073741824-byte window/);
    expect(() => new ZstdFrameGuard(2 ** 27, 'sha256:g').feed(fixture('alpine-layer.tar.zst'))).not.toThrow();
    const corrupt = Buffer.from(fixture('alpine-layer.tar.zst'));
    for (let i = 30; i < 60; i++) corrupt[i] = 0xff - corrupt[i]!;
    await expect(extractInventory([bufferLayer(corrupt, zst)])).rejects.toThrow(InventoryError);
  });

  it('a tar of 2 million tiny entries, made as it is read, fails by maxEntries', async () => {
    const block = Buffer.concat(Array.from({ length: 2048 }, (_, i) => ustarHeader(`f/${i}`, 0)));
    const layer = streamLayer(function* () {
      for (let i = 0; i < 2_000_000 / 2048; i++) yield block;
      yield Buffer.alloc(1024);
    }, 'application/vnd.oci.image.layer.v1.tar');
    await expect(extractInventory([layer], { maxEntries: 1_000_000 })).rejects.toThrow(/over maxEntries \(more than 1000000 entries\)/);
  }, 120_000);

  it('a 1 GiB layer (made as it is read) is read in flat memory', async () => {
    const size = 1024 ** 3;
    const chunk = Buffer.alloc(16 * 1024 * 1024, 0x5a);
    const chunkGz = gzipSync(chunk, { level: 1 });
    const elfStart = Buffer.from(chunk);
    elfStart.write('\x7fELF', 0, 'latin1');
    const status = fixture('dpkg-status.debian12');
    const rssBefore = process.memoryUsage().rss;
    const layer = streamLayer(function* () {
      yield gzipSync(ustarHeader('usr/lib/big.so', size));
      yield gzipSync(elfStart);
      for (let i = 1; i < size / chunk.length; i++) yield chunkGz;
      yield gzipSync(Buffer.concat([ustarHeader('var/lib/dpkg/status', status.length), status, tarPad(status.length), Buffer.alloc(1024)]));
    }, 'application/vnd.oci.image.layer.v1.tar+gzip');
    const inv = await extractInventory([layer]);
    expect(inv.packages.map((p) => p.name)).toEqual(['base-files', 'libc6', 'libssl3', 'zlib1g']);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);
});
