// Unit tests of each parser on real-format fixtures (./fixtures, README there) and on files built in the formats'
// own layouts (rpm header blobs in an SQLite database, a jar, a Go build-info section).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { goBinary, rpmHeaderBlob } from '../../../test/fixtures/inventory/layers.js';
import { parseApkInstalled } from './parsers/apk.js';
import { parseDpkgStatus } from './parsers/dpkg.js';
import { goHeaderAt, goToolchainVersion, parseGoBuildInfo, GO_BUILDINFO_MAGIC } from './parsers/go.js';
import { parseJavaArchive, parseProperties } from './parsers/java.js';
import { parseInstalledPackageJson, parsePackageLock } from './parsers/npm.js';
import { parseOsRelease } from './parsers/os-release.js';
import { parsePythonMetadata } from './parsers/python.js';
import { parseRpmBerkeleyDb, parseRpmHeader, parseRpmSqlite, parseSourceRpm } from './parsers/rpm.js';
import { normalizePath, resolveInImage } from './paths.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('os-release', () => {
  it.each([
    ['os-release.debian12', { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' }],
    ['os-release.alpine318', { id: 'alpine', versionId: '3.18.4', prettyName: 'Alpine Linux v3.18' }],
    ['os-release.rocky93', { id: 'rocky', versionId: '9.3', prettyName: 'Rocky Linux 9.3 (Blue Onyx)' }],
    ['os-release.ubuntu2204', { id: 'ubuntu', versionId: '22.04', prettyName: 'Ubuntu 22.04.3 LTS' }],
  ])('%s', (file, os) => {
    expect(parseOsRelease(fixture(file))).toEqual(os);
  });
  it('unquotes single quotes and escapes, skips comments, needs an ID', () => {
    expect(parseOsRelease(`# comment\nID='arch'\nPRETTY_NAME="A \\"quoted\\" \\$name"\n`)).toEqual({ id: 'arch', prettyName: 'A "quoted" $name' });
    expect(parseOsRelease('NAME=x\n')).toBeUndefined();
  });
});

describe('dpkg', () => {
  it('reads installed packages of /var/lib/dpkg/status with their source packages', () => {
    const r = parseDpkgStatus(fixture('dpkg-status.debian12'), { requireStatus: true });
    expect(r.packages.map((p) => [p.name, p.version, p.source])).toEqual([
      ['base-files', '12.4+deb12u2', undefined],
      ['libc6', '2.36-9+deb12u1', { name: 'glibc' }],
      ['libssl3', '3.0.11-1~deb12u1', { name: 'openssl', version: '3.0.11-1~deb12u1' }],
      // libgdbm6 is `deinstall ok config-files`: not installed
      ['zlib1g', '1:1.2.13.dfsg-1+b1', { name: 'zlib', version: '1:1.2.13.dfsg-1' }],
    ]);
  });
  it('reads a distroless status.d file, which has no Status field', () => {
    const r = parseDpkgStatus(fixture('dpkg-status.d.libssl3'), { requireStatus: false });
    expect(r.packages).toEqual([{ kind: 'dpkg', packageType: 'OS', name: 'libssl3', version: '3.0.11-1~deb12u2', source: { name: 'openssl' } }]);
  });
});

describe('apk', () => {
  it('reads P, V and the origin o', () => {
    const r = parseApkInstalled(fixture('apk-installed.alpine318'));
    expect(r.packages.map((p) => [p.name, p.version, p.source?.name])).toEqual([
      ['musl', '1.2.4-r2', 'musl'],
      ['libssl3', '3.1.3-r0', 'openssl'],
      ['busybox', '1.36.1-r2', 'busybox'],
    ]);
  });
});

describe('rpm', () => {
  const header = (name: string, version: string, release: string, epoch?: number): Buffer =>
    rpmHeaderBlob([
      [1000, 'string', name],
      [1001, 'string', version],
      [1002, 'string', release],
      ...(epoch !== undefined ? ([[1003, 'int32', epoch]] as Array<[number, 'int32', number]>) : []),
      [1022, 'string', 'x86_64'],
      [1044, 'string', `${name}-${version}-${release}.src.rpm`],
    ]);

  it('reads a header blob', () => {
    expect(parseRpmHeader(header('openssl-libs', '3.0.7', '24.el9', 1))).toEqual({
      name: 'openssl-libs',
      version: '3.0.7',
      release: '24.el9',
      epoch: 1,
      arch: 'x86_64',
      sourceRpm: 'openssl-libs-3.0.7-24.el9.src.rpm',
    });
    expect(parseSourceRpm('openssl-3.0.7-24.el9.src.rpm')).toEqual({ name: 'openssl', version: '3.0.7-24.el9' });
    expect(() => parseRpmHeader(Buffer.from([0, 0, 0, 9, 0, 0, 0, 0]))).toThrow(/out of range/);
  });

  it('reads the Packages table of rpmdb.sqlite (made by sql.js, as rpm 4.16+ lays it out), in WAL mode too', async () => {
    const initSqlJs = (await import('sql.js')).default;
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
    for (const h of [header('bash', '5.1.8', '6.el9_1'), header('openssl-libs', '3.0.7', '24.el9', 1), header('gpg-pubkey', '350d275d', '6267b1b4')]) {
      db.run('INSERT INTO Packages (blob) VALUES (?)', [h]);
    }
    db.run('INSERT INTO Packages (blob) VALUES (?)', [Buffer.from([0, 0, 0, 200, 0, 0, 0, 1])]);
    const bytes = Buffer.from(db.export());
    db.close();
    bytes[18] = 2; // as rpm leaves it: journal_mode=WAL
    bytes[19] = 2;
    const r = await parseRpmSqlite(bytes, 'var/lib/rpm/rpmdb.sqlite');
    expect(r.packages.map((p) => [p.name, p.version])).toEqual([
      ['bash', '5.1.8-6.el9_1'],
      ['openssl-libs', '1:3.0.7-24.el9'],
    ]);
    expect(r.warnings).toEqual(['/var/lib/rpm/rpmdb.sqlite: 1 rpm header(s) not readable']);
  });

  it('reads a BerkeleyDB Packages file (made by db5.3_load: overflow pages and an inline value)', () => {
    const r = parseRpmBerkeleyDb(readFileSync(new URL('./fixtures/rpm-Packages.bdb', import.meta.url)), 'var/lib/rpm/Packages');
    expect(r.packages.map((p) => [p.name, p.version]).sort()).toEqual([
      ['bash', '4.4.20-4.el8_6'],
      ['openssl-libs', '1:1.1.1k-9.el8_7'],
      ['tzdata', '2023c-1.el8'],
    ]);
    expect(r.warnings).toEqual([]);
    expect(parseRpmBerkeleyDb(Buffer.alloc(4096), 'var/lib/rpm/Packages').warnings[0]).toMatch(/rpm BerkeleyDB database not read \(not a Berkeley DB hash database\)/);
  });

  it('a file that is not SQLite is a warning', async () => {
    expect((await parseRpmSqlite(Buffer.alloc(200), 'var/lib/rpm/rpmdb.sqlite')).warnings).toEqual(['/var/lib/rpm/rpmdb.sqlite: not an SQLite database']);
  });
});

describe('npm', () => {
  it('lockfileVersion 3: packages entries by folder, aliases by name, no dev, no links, no root', () => {
    const r = parsePackageLock(fixture('package-lock.v3.json'), 'app/package-lock.json');
    expect(r.packages.map((p) => [p.name, p.version, p.location])).toEqual([
      ['lodash', '4.17.20', 'app/node_modules/lodash'],
      ['minimist', '1.2.5', 'app/node_modules/minimist'],
      ['pad-left', '2.1.0', 'app/node_modules/left-pad'],
      ['minimist', '0.2.1', 'app/node_modules/@scope/thing/node_modules/minimist'],
      ['@scope/thing', '1.0.0', 'app/node_modules/@scope/thing'],
      // `packages/local` is a workspace folder (no node_modules/ in its key), `node_modules/local` a link to it
    ]);
  });
  it('lockfileVersion 1: nested dependencies', () => {
    const r = parsePackageLock(fixture('package-lock.v1.json'), 'package-lock.json');
    expect(r.packages.map((p) => [p.name, p.version, p.location])).toEqual([
      ['lodash', '4.17.15', 'node_modules/lodash'],
      ['mkdirp', '0.5.1', 'node_modules/mkdirp'],
      ['minimist', '0.0.8', 'node_modules/mkdirp/node_modules/minimist'],
    ]);
  });
  it('the hidden lockfile is relative to the folder above node_modules; bad JSON is a warning', () => {
    const r = parsePackageLock(fixture('package-lock.v3.json'), 'srv/node_modules/.package-lock.json');
    expect(r.packages[0]!.location).toBe('srv/node_modules/lodash');
    expect(parsePackageLock('{', 'a/package-lock.json').warnings[0]).toMatch(/^\/a\/package-lock.json: not JSON/);
  });
  it('an installed package.json', () => {
    const r = parseInstalledPackageJson('{"name":"ua-parser-js","version":"0.7.29","main":"src/ua-parser.js"}', 'app/node_modules/ua-parser-js/package.json');
    expect(r.packages).toEqual([{ kind: 'npm', packageType: 'NPM', name: 'ua-parser-js', version: '0.7.29', location: 'app/node_modules/ua-parser-js' }]);
    expect(parseInstalledPackageJson('{"type":"module"}', 'node_modules/x/package.json').packages).toEqual([]);
  });
});

describe('python', () => {
  it('METADATA: Name and Version of the headers only', () => {
    expect(parsePythonMetadata(fixture('METADATA.requests')).packages).toEqual([{ kind: 'PyPI', packageType: 'PYPI', name: 'requests', version: '2.30.0' }]);
  });
  it('PKG-INFO keeps the name as written (the database normalizes it)', () => {
    expect(parsePythonMetadata(fixture('PKG-INFO.jinja2')).packages[0]).toMatchObject({ name: 'Jinja2', version: '3.1.2' });
  });
});

function zip(files: Record<string, Buffer | string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(files)) z.addBuffer(Buffer.from(body), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}

const pom = (g: string, a: string, v: string): string => `#Created by Apache Maven 3.8.1\ngroupId=${g}\nartifactId=${a}\nversion=${v}\n`;

describe('java', () => {
  it('properties', () => {
    expect(parseProperties('# c\n! c\na = 1\nb:2\nc\\:d=3\n')).toEqual(new Map([['a', '1'], ['b', '2'], ['c:d', '3']]));
  });
  it('pom.properties of a jar, and of jars in a war one level down', async () => {
    const core = await zip({
      'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
      'META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties': pom('org.apache.logging.log4j', 'log4j-core', '2.14.1'),
      'META-INF/maven/org.apache.logging.log4j/log4j-core/pom.xml': '<project/>',
    });
    const innermost = await zip({ 'META-INF/maven/x/deep/pom.properties': pom('x', 'deep', '1') });
    const lib = await zip({ 'META-INF/maven/com.example/lib/pom.properties': pom('com.example', 'lib', '1.0'), 'lib/deep.jar': innermost });
    const war = await zip({ 'WEB-INF/web.xml': '<web-app/>', 'WEB-INF/lib/log4j-core-2.14.1.jar': core, 'WEB-INF/lib/lib.jar': lib });
    const r = await parseJavaArchive(war, 'srv/app.war', 1024 * 1024);
    expect(r.packages.map((p) => [p.name, p.version, p.filePath])).toEqual([
      ['org.apache.logging.log4j:log4j-core', '2.14.1', '/srv/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar'],
      ['com.example:lib', '1.0', '/srv/app.war!/WEB-INF/lib/lib.jar'],
    ]);
  });
  it('a file that is not a zip is a warning', async () => {
    expect((await parseJavaArchive(Buffer.from('not a zip'), 'a.jar', 1024)).warnings[0]).toMatch(/^\/a\.jar: not a readable jar/);
  });
});

describe('go', () => {
  const modinfo = [
    'path\tgithub.com/example/app/cmd/app',
    'mod\tgithub.com/example/app\t(devel)\t',
    'dep\tgolang.org/x/net\tv0.15.0\th1:ugBLEUaxABaB5AJqW9enI0ACdci2RUd4eP51NTBvuJ8=',
    'dep\tgolang.org/x/text\tv0.13.0\th1:ablQoSUd0tRdKxZewP80B+BaqeKJuVhuRxj/dkrun3k=',
    'dep\tgoogle.golang.org/grpc\tv1.58.2\th1:SXUpjxeVF3FKrTYQI4f4KvbGD5u2xccdYdurwowix5I=',
    '=>\tgoogle.golang.org/grpc\tv1.58.3\th1:BjnpXut1btbtgN/6sp+brB2Kbm2LjNXnidYujAVbSoQ=',
    'dep\tgithub.com/example/local\tv1.0.0\t',
    '=>\t../local\t\t',
    'build\t-compiler=gc',
    'build\tGOOS=linux',
    '',
  ].join('\n');
  it('reads the toolchain, the main module and the dependencies (replacements applied)', () => {
    const bin = goBinary('go1.21.3', modinfo);
    let at = bin.indexOf(GO_BUILDINFO_MAGIC);
    while (at % 16 !== 0 || goHeaderAt(bin, at) !== 'yes') at = bin.indexOf(GO_BUILDINFO_MAGIC, at + 1); // past the decoys
    expect(at).toBeGreaterThan(1024);
    const r = parseGoBuildInfo(bin.subarray(at), 'usr/local/bin/app');
    expect(r.packages.map((p) => [p.name, p.version])).toEqual([
      ['stdlib', '1.21.3'],
      ['github.com/example/app', '(devel)'],
      ['golang.org/x/net', 'v0.15.0'],
      ['golang.org/x/text', 'v0.13.0'],
      ['google.golang.org/grpc', 'v1.58.3'],
      ['github.com/example/local', 'v1.0.0'],
    ]);
  });
  it('toolchain versions as OSV names them; pre-1.18 headers are a warning', () => {
    expect(goToolchainVersion('go1.22rc1')).toBe('1.22.0-rc.1');
    expect(goToolchainVersion('go1.20')).toBe('1.20.0');
    const old = Buffer.alloc(64);
    GO_BUILDINFO_MAGIC.copy(old);
    old[14] = 8;
    old[15] = 0;
    expect(parseGoBuildInfo(old, 'bin/old').warnings[0]).toMatch(/before Go 1\.18/);
  });
});

describe('paths', () => {
  it('normalizes and refuses escapes', () => {
    expect(normalizePath('./etc//os-release')).toBe('etc/os-release');
    expect(normalizePath('/usr/./lib/../lib/os-release')).toBe('usr/lib/os-release');
    expect(normalizePath('../../etc/passwd')).toBeUndefined();
    expect(normalizePath('a/../../b')).toBeUndefined();
  });
  it('resolves links inside the image, absolute targets from its root, .. clamped at the root, loops refused', () => {
    const links = new Map([
      ['etc/os-release', '../usr/lib/os-release'],
      ['etc/abs', '/usr/lib/os-release'],
      ['etc/escape', '../../../../../../host/etc/shadow'],
      ['a', 'b'],
      ['b', 'a'],
    ]);
    const linkOf = (p: string): string | undefined => links.get(p);
    expect(resolveInImage('etc/os-release', linkOf)).toBe('usr/lib/os-release');
    expect(resolveInImage('etc/abs', linkOf)).toBe('usr/lib/os-release');
    expect(resolveInImage('etc/escape', linkOf)).toBe('host/etc/shadow');
    expect(resolveInImage('a', linkOf)).toBeUndefined();
  });
});
