// PEP 503 names, PEP 440 versions and the upload API's file-name checks.
import { describe, expect, it } from 'vitest';
import { checkFilename, isValidProjectName, isWheelMetadataPath, normalizeName, normalizeVersion, parseFilename, requiresPythonOf } from './names.js';

describe('normalizeName', () => {
  it('collapses runs of -, _ and . into one - and lower-cases (PEP 503)', () => {
    expect(normalizeName('Foo_Bar')).toBe('foo-bar');
    expect(normalizeName('foo.__-bar')).toBe('foo-bar');
    expect(normalizeName('FOO')).toBe('foo');
  });
});

describe('isValidProjectName', () => {
  it('accepts letters, digits, ., _ and - with an alphanumeric at both ends', () => {
    expect(['a', 'demo-pkg', 'Demo_Pkg.2'].every(isValidProjectName)).toBe(true);
    expect(['', '-demo', 'demo-', 'de mo', 'dé', 'a/b', 'x'.repeat(201)].some(isValidProjectName)).toBe(false);
  });
});

describe('normalizeVersion', () => {
  it('gives the PEP 440 normal form, local segments included', () => {
    expect(normalizeVersion('1.0-RC1')).toBe('1.0rc1');
    expect(normalizeVersion('v1.0')).toBe('1.0');
    expect(normalizeVersion('1.0+Local_1.x')).toBe('1.0+local.1.x');
    expect(normalizeVersion('1!2.0.post3.dev4')).toBe('1!2.0.post3.dev4');
  });

  it('refuses what PEP 440 does not parse, and surrounding whitespace', () => {
    for (const v of ['not a version', ' 1.0', '1.0 ', '', '1..0']) expect(normalizeVersion(v)).toBeUndefined();
  });
});

describe('parseFilename', () => {
  it('splits wheels (with and without a build tag) and sdists whose names hold -', () => {
    expect(parseFilename('demo_pkg-1.0-py3-none-any.whl')).toEqual({ filetype: 'bdist_wheel', project: 'demo_pkg', version: '1.0' });
    expect(parseFilename('demo-1.0-1-py3-none-any.whl')).toEqual({ filetype: 'bdist_wheel', project: 'demo', version: '1.0' });
    expect(parseFilename('demo-pkg-1.0rc1.tar.gz')).toEqual({ filetype: 'sdist', project: 'demo-pkg', version: '1.0rc1' });
    expect(parseFilename('demo-1.0.zip')).toEqual({ filetype: 'sdist', project: 'demo', version: '1.0' });
  });

  it('knows no other extension', () => {
    for (const f of ['demo-1.0.exe', 'demo-1.0.egg', 'demo-1.0.tar.bz2', 'demo.whl']) expect(parseFilename(f)).toBeUndefined();
  });
});

describe('checkFilename', () => {
  const ok = { name: 'Demo-Pkg', version: '1.0' };

  it('accepts a file of the project and version, compared normalized', () => {
    expect(checkFilename('demo_pkg-1.0-py3-none-any.whl', { ...ok, filetype: 'bdist_wheel' }).filetype).toBe('bdist_wheel');
    expect(checkFilename('Demo.Pkg-1.0.0.tar.gz', { name: 'demo-pkg', version: '1.0.0', filetype: 'sdist' }).version).toBe('1.0.0');
  });

  it("refuses path tricks with warehouse's texts", () => {
    expect(() => checkFilename('../demo_pkg-1.0.tar.gz', ok)).toThrow("Cannot upload a file with '/' or '\\' in the name.");
    expect(() => checkFilename('a\\demo_pkg-1.0.tar.gz', ok)).toThrow("Cannot upload a file with '/' or '\\' in the name.");
    expect(() => checkFilename('..demo_pkg-1.0.tar.gz', ok)).toThrow('Invalid distribution file name.');
    expect(() => checkFilename('demo\u0000-1.0.tar.gz', ok)).toThrow('Invalid distribution file name.');
  });

  it('refuses another project, another version, another file type', () => {
    expect(() => checkFilename('other-1.0.tar.gz', ok)).toThrow("Start filename for 'Demo-Pkg' with 'Demo-Pkg'.");
    expect(() => checkFilename('demo_pkg-2.0-py3-none-any.whl', ok)).toThrow("Version in filename should be '1.0' not '2.0'.");
    expect(() => checkFilename('demo_pkg-1.0-py3-none-any.whl', { ...ok, filetype: 'sdist' })).toThrow(/^Invalid value for filetype/);
    expect(() => checkFilename('demo_pkg-1.0.rpm', ok)).toThrow(/^Invalid file extension/);
  });
});

describe('core metadata helpers', () => {
  it('finds the dist-info METADATA member only at the top level', () => {
    expect(isWheelMetadataPath('demo_pkg-1.0.dist-info/METADATA')).toBe(true);
    expect(isWheelMetadataPath('demo_pkg/demo_pkg-1.0.dist-info/METADATA')).toBe(false);
    expect(isWheelMetadataPath('demo_pkg-1.0.dist-info/RECORD')).toBe(false);
  });

  it('reads Requires-Python from the headers, not from the description', () => {
    expect(requiresPythonOf('Metadata-Version: 2.1\nName: x\nRequires-Python: >=3.8\n\nbody')).toBe('>=3.8');
    expect(requiresPythonOf('Metadata-Version: 2.1\nName: x\n\nRequires-Python: >=2')).toBeUndefined();
  });
});
