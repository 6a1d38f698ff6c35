import { describe, expect, it } from 'vitest';
import { debFileName, packagesStanza, parseDebControl, poolPrefix } from './control.js';

describe('parseDebControl', () => {
  it('keeps continuation lines, drops repository fields and reads the component from Section', () => {
    const c = parseDebControl('Package: hello\nVersion: 1:2.0-1\nArchitecture: amd64\nSection: non-free/net\nSize: 99\nDescription: hi\n more\n .\n end\n');
    expect(c).toMatchObject({ package: 'hello', version: '1:2.0-1', architecture: 'amd64', component: 'non-free' });
    expect(c.fields.map(([n]) => n)).toEqual(['Package', 'Version', 'Architecture', 'Section', 'Description']);
    expect(packagesStanza(c, { filename: 'pool/r/h/hello/x.deb', size: 5, md5: 'm', sha256: 's' }))
      .toBe('Package: hello\nVersion: 1:2.0-1\nArchitecture: amd64\nSection: non-free/net\nDescription: hi\n more\n .\n end\nFilename: pool/r/h/hello/x.deb\nSize: 5\nMD5sum: m\nSHA256: s\n');
    expect(debFileName(c)).toBe('hello_2.0-1_amd64.deb');
  });

  it.each([
    ['Package: ../x\nVersion: 1\nArchitecture: all\n', /Package/],
    ['Package: Hello\nVersion: 1\nArchitecture: all\n', /Package/],
    ['Package: hello\nVersion: x1\nArchitecture: all\n', /Version/],
    ['Package: hello\nVersion: 1\nArchitecture: any\n', /binary architecture/],
    ['Package: hello\nVersion: 1\nArchitecture: am/d64\n', /Architecture/],
    ['Package: hello\nPackage: hello\nVersion: 1\nArchitecture: all\n', /twice/],
    [' continued\nPackage: hello\n', /continuation/],
    ['Package hello\n', /bad field line/],
  ])('rejects %j', (text, why) => {
    expect(() => parseDebControl(text)).toThrow(why);
  });

  it('uses Debian pool prefixes', () => {
    expect([poolPrefix('libfoo'), poolPrefix('hello'), poolPrefix('lib')]).toEqual(['libf', 'h', 'l']);
  });
});
