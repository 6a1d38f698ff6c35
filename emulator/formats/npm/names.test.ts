// The npm name, version, tarball-file, dist-tag and SRI helpers: what they accept and how they refuse.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../../core/errors.js';
import { checkDistTag, checkVersion, integrityDigests, packageNameParam, sriOf, tarballFileName, unscoped, versionOfTarball } from './names.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof EmulatorError ? err.code : 'not an EmulatorError';
  }
  return 'no error';
};

describe('packageNameParam', () => {
  it('decodes a scoped name sent with %2f, %2F or a slash', () => {
    expect(packageNameParam('@lab%2fhello')).toBe('@lab/hello');
    expect(packageNameParam('@lab%2Fhello')).toBe('@lab/hello');
    expect(packageNameParam('@lab/hello')).toBe('@lab/hello');
    expect(packageNameParam('left-pad')).toBe('left-pad');
  });

  it('refuses names npm refuses, as INVALID_ARGUMENT', () => {
    for (const raw of ['..%2f..%2fetc', 'a%20b', '.dot', '_under', 'x/y', '%zz', '']) expect(codeOf(() => packageNameParam(raw)), raw).toBe('INVALID_ARGUMENT');
  });

  it('accepts legacy names for reads and not for publish', () => {
    expect(packageNameParam('JSONStream')).toBe('JSONStream');
    expect(codeOf(() => packageNameParam('JSONStream', true))).toBe('INVALID_ARGUMENT');
  });
});

describe('versions and dist-tags', () => {
  it('takes only clean semver versions (npm cleans them before publishing: no `v`, no build metadata)', () => {
    expect(checkVersion('1.2.3-beta.1', 'x')).toBe('1.2.3-beta.1');
    for (const v of ['v1.2.3', '1.2', ' 1.2.3', '1.2.3+build.5', 1, undefined]) expect(codeOf(() => checkVersion(v, 'x')), String(v)).toBe('INVALID_ARGUMENT');
  });

  it('refuses dist-tags that are semver ranges or need escaping', () => {
    expect(checkDistTag('beta')).toBe('beta');
    for (const t of ['1.x', '^1.0.0', '1.0.0', '', 'a b', 'a/b']) expect(codeOf(() => checkDistTag(t)), t).toBe('INVALID_ARGUMENT');
  });
});

describe('tarball file names', () => {
  it('names a tarball after the unscoped name and maps it back to its version', () => {
    expect(unscoped('@lab/hello')).toBe('hello');
    expect(tarballFileName('@lab/hello', '1.0.0')).toBe('hello-1.0.0.tgz');
    expect(versionOfTarball('@lab/hello', 'hello-1.0.0-rc.1.tgz')).toBe('1.0.0-rc.1');
  });

  it('refuses a path as INVALID_ARGUMENT and another package\'s file as NOT_FOUND', () => {
    for (const f of ['..%2fhello-1.0.0.tgz', '%2e%2e', '..', 'a%5cb.tgz', 'hello-1.0.0.tgz%00']) expect(codeOf(() => versionOfTarball('hello', f)), f).toBe('INVALID_ARGUMENT');
    for (const f of ['other-1.0.0.tgz', 'hello-1.0.0.tar', 'hello-latest.tgz']) expect(codeOf(() => versionOfTarball('hello', f)), f).toBe('NOT_FOUND');
  });
});

describe('integrityDigests', () => {
  const bytes = Buffer.from('tarball');
  const sha512 = createHash('sha512').update(bytes);
  const hex = createHash('sha512').update(bytes).digest('hex');

  it('reads every supported algorithm of an SRI string and ignores unknown ones', () => {
    const sha1 = createHash('sha1').update(bytes).digest('base64');
    expect(integrityDigests(`sha512-${sha512.digest('base64')} sha1-${sha1} md4-xyz`)).toEqual([
      { algorithm: 'sha512', hex },
      { algorithm: 'sha1', hex: Buffer.from(sha1, 'base64').toString('hex') },
    ]);
  });

  it('refuses a truncated digest', () => {
    expect(codeOf(() => integrityDigests('sha512-AAAA'))).toBe('INVALID_ARGUMENT');
  });

  it('builds the SRI string of a hex sha512', () => {
    expect(sriOf(hex)).toBe(`sha512-${Buffer.from(hex, 'hex').toString('base64')}`);
  });
});
