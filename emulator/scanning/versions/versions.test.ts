// Each scheme against its ecosystem's own test table (cited per table): the comparison must agree row by row.
import { describe, expect, it } from 'vitest';
import { compareApk, validApk } from './apk.js';
import { compareDpkg, parseDpkg } from './dpkg.js';
import { canonicalMaven, compareMaven } from './maven.js';
import { compareRpm, rpmvercmp } from './rpm.js';
import { SCHEMES, goSemver } from './index.js';

const rows = (text: string) =>
  text.trim().split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).map((l) => l.split(/\s+/) as [string, string, string]);

// dpkg: scripts/t/Dpkg_Version.t's __DATA__ table (dpkg's own tests; each row is also checked against
// `dpkg --compare-versions` there). Columns: a b expected.
const DPKG = `
1.0-1 2.0-2 -1
2.2~rc-4 2.2-1 -1
2.2-1 2.2~rc-4 1
1.0000-1 1.0-1 0
1 0:1 0
0 0:0-0 0
2:2.5 1:7.5 1
1:0foo 0foo 1
0:0foo 0foo 0
0foo 0foo 0
0foo- 0foo 0
0foo- 0foo-0 0
0foo 0fo 1
0foo- 0foo+ -1
0foo~1 0foo -1
0foo~foo+Bar 0foo~foo+bar -1
0foo~~ 0foo~ -1
1~ 1 -1
12345+that-really-is-some-ver-0 12345+that-really-is-some-ver-10 -1
0foo-0 0foo-01 -1
0foo.bar 0foobar 1
0foo.bar 0foo1bar 1
0foo.bar 0foo0bar 1
0foo1bar-1 0foobar-1 -1
0foo2.0 0foo2 1
0foo2.0.0 0foo2.10.0 -1
0foo2.0 0foo2.0.0 -1
0foo2.0 0foo2.10 -1
0foo2.1 0foo2.10 -1
1.09 1.9 0
1.0.8+nmu1 1.0.8 1
3.11 3.10+nmu1 1
0.9j-20080306-4 0.9i-20070324-2 1
1.2.0~b7-1 1.2.0~b6-1 1
1.011-1 1.06-2 1
0.0.9+dfsg1-1 0.0.8+dfsg1-3 1
4.6.99+svn6582-1 4.6.99+svn6496-1 1
53 52 1
0.9.9~pre122-1 0.9.9~pre111-1 1
2:2.3.2-2+lenny2 2:2.3.2-2 1
1:3.8.1-1 3.8.GA-1 1
1.0.1+gpl-1 1.0.1-2 1
1a 1000a -1
-0.6.5 0.9.1 -1
`;

describe('dpkg (Debian, Ubuntu)', () => {
  it.each(rows(DPKG))('%s vs %s is %s', (a, b, want) => {
    expect(compareDpkg(a, b)).toBe(Number(want));
    expect(compareDpkg(b, a)).toBe(-Number(want) || 0);
  });
  it('validity as Dpkg_Version.t checks it (empty, bad epoch, illegal character, no leading digit)', () => {
    for (const v of ['', '10a:5.2', '5.2@3-2', 'foo5.2', '0:foo5.2']) expect(parseDpkg(v), v).toBeUndefined();
    for (const v of ['1.2.3-4', '0', '1:2.30-4~deb12u1', '3.0.11-1~deb12u2']) expect(parseDpkg(v), v).toBeDefined();
  });
  it('Debian Policy §5.6.12: ~~ < ~~a < ~ < (empty) < a', () => {
    const order = ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a'];
    for (let i = 1; i < order.length; i++) expect(compareDpkg(order[i - 1]!, order[i]!)).toBe(-1);
  });
});

// apk-tools: test/version.data (alpinelinux/apk-tools; rows `a OP b`), a selection including the suffix,
// revision, leading-zero and invalid-version rows.
const APK = `
2.34 > 0.1.0_alpha
23_foo > 4_beta
1.0 < 1.0bc
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha < 0.1.3_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
2.2.39-r1 > 1.0.4-r3
1.0.4-r3 < 1.0.4-r4
1.1 > 1.1_alpha1
1.2 < 1.3_alpha
1.3_alpha2 < 1.3_alpha3
0.7.0 < 0.8_beta1
0.8_beta1 < 0.8_beta2
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
0.12.3 > 0.12
0.12 < 0.13_beta1
1.2.11 < 1.2.12.1
0.2.0-r1 < 3.1_p16
3.1_p16 < 3.1_p17
1.06-r6 < 006
006 > 1.0.0
1.2.2-r1 > 1.2.2
2.59 < 20050718-r1
3.9.8-r5 > 2.01.01_alpha10
1.0 > 0.99.3.20040818
1.39 > 1.00_beta2
4.2.52_p2-r1 < 4.2.52_p4-r2
1.05-r18 < 1.05-r19
20060720 > 3.0.20060720
2.5.1-r8 < 2.5.1a-r1
20040401 > 2.0.0_rc3-r1
3.0.0-r2 < 021109-r3
0.9.16-r1 < 3.9_pre20060124
1.1.7 < 6b-r7
0.10.0 < 0.10.1_rc1
0.15.1b-r2 > 0.15.1b
2.1_pre20 < 2.1_pre26
2.10.1 > 02.08.01b
3.81 > 1.6d
0.20070118 < 0.20070207_rc1
3.7_p1 > 1.3
4.5_p1-r1 > 4.5_p1
0.9.8c-r1 < 0.9.8d
1.7 < 1.7b
1.8.5 < 1.8.5_p2
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
1.6.8_p12-r1 > 1.6.8_p9-r2
0.9.28-r2 < 0.9.28.1
087-r1 < 103
104-r11 > 104-r9
1.2.5_rc2 > 0.1
20040406-r1 > 2.12r-r4
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
`;

describe('apk (Alpine)', () => {
  const want = { '<': -1, '=': 0, '>': 1 } as const;
  it.each(rows(APK))('%s %s %s', (a, op, b) => {
    expect(compareApk(a, b)).toBe(want[op as keyof typeof want]);
    expect(compareApk(b, a)).toBe(-want[op as keyof typeof want] || 0);
  });
  it('validates as apk_version_validate does', () => {
    for (const v of ['1.0', '3.1.4-r0', '1.36.1-r15', '0.1.0_alpha_pre2', '2.12r-r4']) expect(validApk(v), v).toBe(true);
    for (const v of ['1.0bc', '23_foo', '1.0-x', 'abc']) expect(validApk(v), v).toBe(false);
  });
});

// rpm: tests/rpmvercmp.at (rpm-software-management/rpm): RPMVERCMP(a, b, expected).
const RPMVERCMP = `
1.0 1.0 0
1.0 2.0 -1
2.0 1.0 1
2.0.1 2.0.1 0
2.0 2.0.1 -1
2.0.1 2.0 1
2.0.1a 2.0.1a 0
2.0.1a 2.0.1 1
2.0.1 2.0.1a -1
5.5p1 5.5p1 0
5.5p1 5.5p2 -1
5.5p2 5.5p1 1
5.5p10 5.5p10 0
5.5p1 5.5p10 -1
5.5p10 5.5p1 1
10xyz 10.1xyz -1
10.1xyz 10xyz 1
xyz10 xyz10 0
xyz10 xyz10.1 -1
xyz10.1 xyz10 1
xyz.4 xyz.4 0
xyz.4 8 -1
8 xyz.4 1
xyz.4 2 -1
2 xyz.4 1
5.5p2 5.6p1 -1
5.6p1 5.5p2 1
5.6p1 6.5p1 -1
6.5p1 5.6p1 1
6.0.rc1 6.0 1
6.0 6.0.rc1 -1
10b2 10a1 1
10a2 10b2 -1
1.0aa 1.0aa 0
1.0a 1.0aa -1
1.0aa 1.0a 1
10.0001 10.0001 0
10.0001 10.1 0
10.1 10.0001 0
10.0001 10.0039 -1
10.0039 10.0001 1
4.999.9 5.0 -1
5.0 4.999.9 1
20101121 20101121 0
20101121 20101122 -1
20101122 20101121 1
2_0 2_0 0
2.0 2_0 0
2_0 2.0 0
a a 0
a+ a+ 0
a+ a_ 0
a_ a+ 0
+a +a 0
+a _a 0
_a +a 0
+_ +_ 0
_+ +_ 0
_+ _+ 0
+ _ 0
_ + 0
1.0~rc1 1.0~rc1 0
1.0~rc1 1.0 -1
1.0 1.0~rc1 1
1.0~rc1 1.0~rc2 -1
1.0~rc2 1.0~rc1 1
1.0~rc1~git123 1.0~rc1~git123 0
1.0~rc1~git123 1.0~rc1 -1
1.0~rc1 1.0~rc1~git123 1
`;

// caret (rpm >= 4.15): the rows rpm's rpmvercmp.at adds for `^`
const RPM_CARET = `
1.0^ 1.0^ 0
1.0^ 1.0 1
1.0 1.0^ -1
1.0^git1 1.0^git1 0
1.0^git1 1.0 1
1.0 1.0^git1 -1
1.0^git1 1.0^git2 -1
1.0^git2 1.0^git1 1
1.0^git1 1.01 -1
1.01 1.0^git1 1
1.0^20160101 1.0^20160101 0
1.0^20160101 1.0.1 -1
1.0.1 1.0^20160101 1
1.0^20160101^git1 1.0^20160101^git1 0
1.0^20160102 1.0^20160101^git1 1
1.0^20160101^git1 1.0^20160102 -1
1.0~rc1^git1 1.0~rc1^git1 0
1.0~rc1^git1 1.0~rc1 1
1.0~rc1 1.0~rc1^git1 -1
1.0^git1~pre 1.0^git1~pre 0
1.0^git1 1.0^git1~pre 1
1.0^git1~pre 1.0^git1 -1
`;

describe('rpm (Red Hat, Rocky Linux)', () => {
  it.each(rows(RPMVERCMP))('rpmvercmp(%s, %s) = %s', (a, b, want) => expect(rpmvercmp(a, b)).toBe(Number(want)));
  it.each(rows(RPM_CARET))('rpmvercmp(%s, %s) = %s (caret)', (a, b, want) => expect(rpmvercmp(a, b)).toBe(Number(want)));
  it('epoch:version-release (rpm lib/rpmver.c rpmverCmp: missing epoch is 0, releases only when both have one)', () => {
    expect(compareRpm('1:1.0-1', '2.0-1')).toBe(1);
    expect(compareRpm('0:1.1.1k-7.el8_6', '1.1.1k-7.el8_6')).toBe(0);
    expect(compareRpm('1:1.1.1k-7.el8_6', '1:1.1.1k-12.el8_9')).toBe(-1);
    expect(compareRpm('3.0.7-16.el9_2', '3.0.7')).toBe(0);
    expect(compareRpm('2.28-225.el9_3', '2.28-236.el9')).toBe(-1);
  });
});

// Maven: ComparableVersionTest of apache/maven (compat/maven-artifact, the test of the ComparableVersion ported in
// maven.ts): VERSIONS_QUALIFIER and VERSIONS_NUMBER are each in ascending order; testVersionsEqual's pairs are equal
// (same canonical form); testVersionsHaveSameOrderButAreNotEqual's compare equal; the MNG-* cases in order.
const VERSIONS_QUALIFIER = ['1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2',
  '1-rc123', '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot', '1-1', '1-2', '1-123'];
const VERSIONS_NUMBER = ['2.0', '2.0.a', '2-1', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1', '2.2',
  '2.123', '11.a2', '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m'];
const EQUAL: Array<[string, string]> = [['1', '1'], ['1', '1.0'], ['1', '1.0.0'], ['1.0', '1.0.0'], ['1', '1-0'], ['1', '1.0-0'], ['1.0', '1.0-0'],
  ['1a', '1-a'], ['1a', '1.0-a'], ['1a', '1.0.0-a'], ['1.0a', '1-a'], ['1.0.0a', '1-a'], ['1x', '1-x'], ['1x', '1.0-x'], ['1x', '1.0.0-x'],
  ['1.0x', '1-x'], ['1.0.0x', '1-x'], ['1cr', '1rc'], ['1a1', '1-alpha-1'], ['1b2', '1-beta-2'], ['1m3', '1-milestone-3'],
  ['1X', '1x'], ['1A', '1a'], ['1B', '1b'], ['1M', '1m'], ['1Cr', '1Rc'], ['1cR', '1rC'], ['1m3', '1Milestone3'], ['1m3', '1MileStone3'],
  ['1m3', '1MILESTONE3'], ['1-abcdefghijklmnopqrstuvwxyz', '1-ABCDEFGHIJKLMNOPQRSTUVWXYZ'], ['1.0.0-alpha1', '1.0.0-ALPHA1'], ['1.a', '1.A'],
  // testMng7644: 2-X == 2.0.X == 2.0.0.X
  ...['abc', 'alpha', 'a', 'beta', 'b', 'def', 'milestone', 'm', 'RC'].flatMap((x): Array<[string, string]> => [[`2-${x}`, `2.0.${x}`], [`2-${x}`, `2.0.0.${x}`], [`2.0.${x}`, `2.0.0.${x}`]]),
  // testVersionEqualWithLeadingZeroes / testVersionZeroEqualWithLeadingZeroes
  ...Array.from({ length: 18 }, (_, i): [string, string] => ['0'.repeat(i + 1) + '1', '1']),
  ...Array.from({ length: 18 }, (_, i): [string, string] => ['0'.repeat(i + 2), '0']),
];
const SAME_ORDER: Array<[string, string]> = [['1ga', '1'], ['1release', '1'], ['1final', '1'], ['1Ga', '1'], ['1GA', '1'], ['1RELEASE', '1'],
  ['1RELeaSE', '1'], ['1Final', '1'], ['1FinaL', '1'], ['1FINAL', '1']];
const ORDERED: Array<[string, string]> = [['1', '2'], ['1.5', '2'], ['1', '2.5'], ['1.0', '1.1'], ['1.1', '1.2'], ['1.0.0', '1.1'], ['1.0.1', '1.1'],
  ['1.1', '1.2.0'], ['1.0-alpha-1', '1.0'], ['1.0-alpha-1', '1.0-alpha-2'], ['1.0-alpha-1', '1.0-beta-1'], ['1.0-beta-1', '1.0-SNAPSHOT'],
  ['1.0-SNAPSHOT', '1.0'], ['1.0-alpha-1-SNAPSHOT', '1.0-alpha-1'], ['1.0', '1.0-1'], ['1.0-1', '1.0-2'], ['1.0.0', '1.0-1'], ['2.0-1', '2.0.1'],
  ['2.0.1-klm', '2.0.1-lmn'], ['2.0.1', '2.0.1-xyz'], ['2.0.1', '2.0.1-123'], ['2.0.1-xyz', '2.0.1-123'],
  // testLeadingZeroes, testCompareDigitToLetter, testLexicographicOrder
  ['0.7', '2'], ['0.2', '1.0.7'], ['J', '7'], ['c', '7'], ['aardvark', 'zebra'], ['zebra', 'ζέβρα'],
  // testMng5568 (transitivity), testMng6572 (long numbers), testMng6964 (-0. qualifiers), testMng7714
  ['6.1.0rc3', '6.1.0'], ['6.1.0rc3', '6.1H.5-beta'], ['6.1.0', '6.1H.5-beta'],
  ['20190126.230843', '1234567890.12345'], ['1234567890.12345', '123456789012345.1H.5-beta'], ['20190126.230843', '123456789012345.1H.5-beta'],
  ['123456789012345.1H.5-beta', '12345678901234567890.1H.5-beta'], ['1234567890.12345', '12345678901234567890.1H.5-beta'],
  ['1-0.alpha', '1'], ['1-0.beta', '1'], ['1-0.alpha', '1-0.beta'],
  ['1.0.final-redhat', '1.0-sp1-redhat'], ['1.0.final-redhat', '1.0-sp-1-redhat'], ['1.0.final-redhat', '1.0-sp.1-redhat'],
  // testMng7644: 1.0.0.X1 < 1.0.0-X2
  ...['abc', 'alpha', 'a', 'beta', 'b', 'def', 'milestone', 'm', 'RC'].map((x): [string, string] => [`1.0.0.${x}1`, `1.0.0-${x}2`]),
];

describe('Maven (ComparableVersion)', () => {
  it.each([['VERSIONS_QUALIFIER', VERSIONS_QUALIFIER], ['VERSIONS_NUMBER', VERSIONS_NUMBER]] as const)('%s is in ascending order', (_n, list) => {
    for (let i = 1; i < list.length; i++) {
      for (let j = i; j < list.length; j++) {
        expect(compareMaven(list[i - 1]!, list[j]!), `${list[i - 1]} < ${list[j]}`).toBe(-1);
        expect(compareMaven(list[j]!, list[i - 1]!), `${list[j]} > ${list[i - 1]}`).toBe(1);
      }
    }
  });
  it.each(EQUAL)('%s == %s', (a, b) => {
    expect(compareMaven(a, b)).toBe(0);
    expect(compareMaven(b, a)).toBe(0);
    expect(canonicalMaven(a)).toBe(canonicalMaven(b));
  });
  it.each(SAME_ORDER)('%s sorts as %s (not the same canonical form)', (a, b) => {
    expect(compareMaven(a, b)).toBe(0);
    expect(compareMaven(b, a)).toBe(0);
  });
  it.each(ORDERED)('%s < %s', (a, b) => {
    expect(compareMaven(a, b)).toBe(-1);
    expect(compareMaven(b, a)).toBe(1);
  });
  it('canonical forms parse to themselves (newComparable), and MNG-7700', () => {
    for (const v of [...VERSIONS_QUALIFIER, ...VERSIONS_NUMBER, '0.x', '0-x', '0.rc', '0-1', '1.0-alpha']) expect(canonicalMaven(canonicalMaven(v)), v).toBe(canonicalMaven(v));
    expect(canonicalMaven('0.x')).toBe('x');
    expect(canonicalMaven('0.2')).toBe('0.2');
  });
  it('the log4j-core bounds order as Maven orders them', () => {
    expect(compareMaven('2.0-beta9', '2.15.0')).toBe(-1);
    expect(compareMaven('2.14.1', '2.15.0')).toBe(-1);
    expect(compareMaven('2.15.0-rc1', '2.15.0')).toBe(-1);
    expect(compareMaven('2.0-beta9', '2.0')).toBe(-1);
    expect(compareMaven('2.12.2', '2.13.0')).toBe(-1);
    expect(compareMaven('2.0-beta9', '2.3.1')).toBe(-1);
  });
});

describe('semver (npm), PEP 440 (PyPI), Go', () => {
  it('npm: SemVer 2.0 precedence (semver.org §11), build metadata ignored', () => {
    const s = SCHEMES.semver;
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    for (let i = 1; i < order.length; i++) expect(s.compare(order[i - 1]!, order[i]!)).toBe(-1);
    expect(s.compare('1.0.0+build.1', '1.0.0')).toBe(0);
    expect(s.compare('0.7.29', '0.7.30')).toBe(-1);
    expect(s.valid('1.2')).toBe(false);
    expect(s.compare('v1.2.3', '1.2.3')).toBe(0); // npm's semver accepts a leading v
  });
  it('PEP 440: the ordering example of the specification (dev < a < b < rc < final < post, epochs)', () => {
    const p = SCHEMES.pep440;
    const order = ['1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456', '1.0b2.post345',
      '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7', '1.0+5', '1.0.post456.dev34', '1.0.post456', '1.0.15', '1.1.dev1'];
    for (let i = 1; i < order.length; i++) expect(p.compare(order[i - 1]!, order[i]!), `${order[i - 1]} < ${order[i]}`).toBe(-1);
    expect(p.compare('1.0', '1.0.0')).toBe(0);
    expect(p.compare('1!0.1', '2.0')).toBe(1);
    expect(p.valid('not a version')).toBe(false);
  });
  it('Go: v prefix, shorthands, pseudo-versions, +incompatible (golang.org/x/mod/semver)', () => {
    const g = SCHEMES.go;
    expect(goSemver('v1')).toBe('1.0.0');
    expect(goSemver('v1.2')).toBe('1.2.0');
    expect(g.compare('v0.3.7', '0.3.7')).toBe(0);
    expect(g.compare('v0.0.0-20210226172049-e18ecbb05110', '0.3.7')).toBe(-1);
    expect(g.compare('v0.3.8-0.20211004164453-cedda3a722dd', '0.3.8')).toBe(-1); // a pseudo-version of a commit before v0.3.8
    expect(g.compare('v0.3.8-0.20211004164453-cedda3a722dd', '0.3.7')).toBe(1);
    expect(g.compare('v2.0.0+incompatible', '2.0.0')).toBe(0);
    expect(g.valid('v1.2.3.4')).toBe(false);
    expect(g.valid('v01.2.3')).toBe(false);
  });
});
