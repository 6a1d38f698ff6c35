// Go advisories that name a package path are matched from the module a binary's build info lists.
import { describe, expect, it } from 'vitest';
import { goModuleCandidates, namesPackage } from './match.js';

describe('namesPackage', () => {
  it('is equality for every ecosystem but Go', () => {
    expect(namesPackage('npm', 'lodash', 'lodash')).toBe(true);
    expect(namesPackage('npm', '@scope/pkg', '@scope')).toBe(false);
    expect(namesPackage('PyPI', 'requests', 'request')).toBe(false);
  });

  it('lets a Go module answer for the packages inside it, not for another major version below it', () => {
    expect(namesPackage('Go', 'golang.org/x/text/language', 'golang.org/x/text')).toBe(true);
    expect(namesPackage('Go', 'golang.org/x/text', 'golang.org/x/text')).toBe(true);
    expect(namesPackage('Go', 'golang.org/x/textual', 'golang.org/x/text')).toBe(false);
    expect(namesPackage('Go', 'github.com/a/b/v2/pkg', 'github.com/a/b')).toBe(false);
    expect(namesPackage('Go', 'github.com/a/b/v2', 'github.com/a/b')).toBe(false);
    expect(namesPackage('Go', 'github.com/a/b/v2/pkg', 'github.com/a/b/v2')).toBe(true);
    expect(namesPackage('Go', 'github.com/a/b/internal/v2x', 'github.com/a/b')).toBe(true);
  });
});

describe('goModuleCandidates', () => {
  it('lists the ancestors that can be module paths', () => {
    expect(goModuleCandidates('golang.org/x/text/language')).toEqual(['golang.org/x/text', 'golang.org/x']);
    expect(goModuleCandidates('example.com/mod')).toEqual([]);
  });
});
