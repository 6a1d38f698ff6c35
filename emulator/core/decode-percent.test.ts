// decodePercent: valid escapes decode; malformed ones are the client's error in the caller's dialect.
import { describe, expect, it } from 'vitest';
import { decodePercent } from './decode-percent.js';
import { isEmulatorError } from './errors.js';

describe('decodePercent', () => {
  it.each([
    ['plain', 'plain'],
    ['a%2Fb', 'a/b'],
    ['%25', '%'],
    ['%E0%A4%A8', '\u0928'],
    ['%2e%2e%2f', '../'],
  ])('decodes %s', (raw, decoded) => expect(decodePercent(raw)).toBe(decoded));

  it.each(['%', '%zz', '%E0%A4%A', '%C0%AF', '%ff', 'a%'])('throws INVALID_ARGUMENT, not URIError, for %s', (raw) => {
    let thrown: unknown;
    try {
      decodePercent(raw, 'repository');
    } catch (err) {
      thrown = err;
    }
    expect(isEmulatorError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'INVALID_ARGUMENT', detail: { field: 'repository' } });
    expect((thrown as Error).message).toMatch(/repository ".*" is not valid percent-encoding/);
  });

  it('throws the code of the caller dialect', () => {
    expect(() => decodePercent('%', 'digest', 'DIGEST_INVALID')).toThrow(expect.objectContaining({ code: 'DIGEST_INVALID' }));
  });
});
