import { describe, expect, it } from 'vitest';
import { checkModuleVersion, compareVersions, escapeCase, filePathProblem, latestOf, modulePathFromUrl, modulePathProblem, unescapeCase, versionFromUrl } from './names.js';

describe('module paths (x/mod module.CheckPath)', () => {
  it('accepts ordinary module paths, major-version suffixes and gopkg.in', () => {
    for (const p of ['example.com/m', 'github.com/Azure/go-autorest', 'example.com/m/v2', 'gopkg.in/yaml.v3', 'example.com']) expect(modulePathProblem(p), p).toBeUndefined();
  });

  it('refuses traversal, empty elements, a missing dot and bad suffixes', () => {
    expect(modulePathProblem('example.com/../etc')).toMatch(/invalid path element/);
    expect(modulePathProblem('example.com/./x')).toMatch(/invalid path element/);
    expect(modulePathProblem('example.com//x')).toMatch(/double slash/);
    expect(modulePathProblem('example.com/x/')).toMatch(/trailing slash/);
    expect(modulePathProblem('/example.com')).toMatch(/empty path element|leading slash/);
    expect(modulePathProblem('localmod/x')).toMatch(/missing dot/);
    expect(modulePathProblem('Example.com/x')).toMatch(/first path element/);
    expect(modulePathProblem('example.com/.hidden')).toMatch(/leading dot/);
    expect(modulePathProblem('example.com/a\\b')).toMatch(/invalid char/);
    expect(modulePathProblem('example.com/m/v1')).toMatch(/invalid version/);
    expect(modulePathProblem('example.com/m/v02')).toMatch(/invalid version/);
    expect(modulePathProblem('example.com/con')).toMatch(/Windows/);
    expect(modulePathProblem('example.com/abc~1')).toMatch(/tilde/);
  });

  it('refuses file paths that are not valid inside a module zip', () => {
    expect(filePathProblem('a/b.go')).toBeUndefined();
    expect(filePathProblem('.github/x.yml')).toBeUndefined();
    expect(filePathProblem('../x')).toMatch(/invalid path element/);
    expect(filePathProblem('a:b')).toMatch(/invalid char/);
    expect(filePathProblem('aux.txt')).toMatch(/Windows/);
  });
});

describe('versions (module.Check, semver)', () => {
  it('wants canonical versions matching the path major version', () => {
    expect(checkModuleVersion('example.com/m', 'v1.2.3').major).toBe(1);
    expect(checkModuleVersion('example.com/m/v2', 'v2.0.0-rc.1').prerelease).toEqual(['rc', '1']);
    expect(checkModuleVersion('example.com/m', 'v3.0.0+incompatible').incompatible).toBe(true);
    expect(() => checkModuleVersion('example.com/m', 'v1.2')).toThrow(/canonical/);
    expect(() => checkModuleVersion('example.com/m', '1.2.3')).toThrow(/canonical/);
    expect(() => checkModuleVersion('example.com/m', 'v1.2.3+meta')).toThrow(/canonical/);
    expect(() => checkModuleVersion('example.com/m', 'v2.0.0')).toThrow(/should be v0 or v1, not v2/);
    expect(() => checkModuleVersion('example.com/m/v2', 'v3.0.0')).toThrow(/should be v2, not v3/);
    expect(() => checkModuleVersion('example.com/m/v2', 'v2.0.0+incompatible')).toThrow(/incompatible/);
    expect(() => checkModuleVersion('example.com/m', 'v1.0.0+incompatible')).toThrow(/incompatible/);
    expect(() => checkModuleVersion('example.com/m', 'v1.0.01')).toThrow(/canonical/);
  });

  it('orders by semver precedence and picks @latest as the go command does', () => {
    const sorted = ['v1.10.0', 'v1.2.0', 'v1.2.0-rc.1', 'v1.2.0-alpha', 'v1.2.0-rc.10', 'v1.2.0-rc.2', 'v0.9.0'].sort(compareVersions);
    expect(sorted).toEqual(['v0.9.0', 'v1.2.0-alpha', 'v1.2.0-rc.1', 'v1.2.0-rc.2', 'v1.2.0-rc.10', 'v1.2.0', 'v1.10.0']);
    expect(latestOf(['v1.0.0', 'v1.1.0-rc.1'])).toBe('v1.0.0');
    expect(latestOf(['v1.1.0-rc.1', 'v0.0.0-20230101000000-abcdefabcdef'])).toBe('v1.1.0-rc.1');
    expect(latestOf([])).toBeUndefined();
  });
});

describe('case encoding (module.EscapePath)', () => {
  it('round-trips upper-case letters through !x', () => {
    expect(escapeCase('github.com/Azure/Go')).toBe('github.com/!azure/!go');
    expect(unescapeCase('github.com/!azure/!go')).toBe('github.com/Azure/Go');
    expect(modulePathFromUrl('github.com/!azure/x')).toBe('github.com/Azure/x');
    expect(versionFromUrl('v1.0.0-!r!c1')).toBe('v1.0.0-RC1');
  });

  it('refuses raw upper case and a dangling or bad escape in a URL', () => {
    expect(unescapeCase('github.com/Azure')).toBeUndefined();
    expect(unescapeCase('github.com/!')).toBeUndefined();
    expect(unescapeCase('github.com/!1')).toBeUndefined();
    expect(() => modulePathFromUrl('github.com/Azure/x')).toThrow(/escaped/);
    expect(() => modulePathFromUrl('example.com/../../etc')).toThrow(/malformed module path/);
    expect(() => versionFromUrl('v1')).toThrow(/canonical/);
  });
});
