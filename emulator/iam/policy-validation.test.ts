// setIamPolicy shape validation: every malformed Policy is INVALID_ARGUMENT naming the field (spec ar-fidelity §1.9).
import { describe, expect, it } from 'vitest';
import { isEmulatorError } from '../core/errors.js';
import { validatePolicy } from './policy-validation.js';

const READER = 'roles/artifactregistry.reader';
const fieldOf = (input: unknown): unknown => {
  try {
    validatePolicy(input);
  } catch (err) {
    if (isEmulatorError(err) && err.code === 'INVALID_ARGUMENT') return err.detail?.field;
    throw err;
  }
  return undefined;
};

describe('validatePolicy', () => {
  it.each([
    [undefined, 'policy'],
    [null, 'policy'],
    ['x', 'policy'],
    [[], 'policy'],
    [{ bindingz: [] }, 'policy'],
    [{ version: 2 }, 'policy.version'],
    [{ version: 'abc' }, 'policy.version'],
    [{ etag: 5 }, 'policy.etag'],
    [{ bindings: 'x' }, 'policy.bindings'],
    [{ bindings: [null] }, 'policy.bindings[0]'],
    [{ bindings: ['roles/owner'] }, 'policy.bindings[0]'],
    [{ bindings: [{ role: READER }] }, 'policy.bindings[0].members'],
    [{ bindings: [{ role: READER, members: 'allUsers' }] }, 'policy.bindings[0].members'],
    [{ bindings: [{ role: READER, members: [null] }] }, 'policy.bindings[0].members'],
    [{ bindings: [{ role: READER, members: ['alice@example.com'] }] }, 'policy.bindings[0].members'],
    [{ bindings: [{ members: ['allUsers'] }] }, 'policy.bindings[0].role'],
    [{ bindings: [{ role: 7, members: ['allUsers'] }] }, 'policy.bindings[0].role'],
    [{ bindings: [{ role: READER, members: ['allUsers'], extra: 1 }] }, 'policy.bindings[0]'],
    [{ version: 3, bindings: [{ role: READER, members: ['allUsers'], condition: 'x' }] }, 'policy.bindings[0].condition'],
    [{ version: 3, bindings: [{ role: READER, members: ['allUsers'], condition: { expression: 'true', title: 1 } }] }, 'policy.bindings[0].condition.title'],
    [{ bindings: [{ role: READER, members: ['allUsers'], condition: { expression: 'true' } }] }, 'policy.version'],
  ])('refuses %j naming %s', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('accepts an empty policy (it clears the bindings) and normalises members', () => {
    expect(validatePolicy({})).toEqual({ bindings: [] });
    expect(validatePolicy({ version: '1', etag: 'BwX=', bindings: [{ role: READER, members: ['user:b@x.com', 'user:a@x.com', 'user:b@x.com'] }] })).toEqual({
      version: 1, etag: 'BwX=', bindings: [{ role: READER, members: ['user:a@x.com', 'user:b@x.com'] }],
    });
  });

  it('keeps conditions of version 3 policies and ignores auditConfigs', () => {
    const condition = { expression: 'request.time < timestamp("2030-01-01T00:00:00Z")', title: 'until 2030' };
    expect(validatePolicy({ version: 3, auditConfigs: [], bindings: [{ role: READER, members: ['allUsers'], condition }] }).bindings[0]).toEqual({ role: READER, members: ['allUsers'], condition });
  });

  it('caps a policy at 1,500 principals', () => {
    const members = Array.from({ length: 1501 }, (_, i) => `user:u${i}@example.com`);
    expect(fieldOf({ bindings: [{ role: READER, members }] })).toBe('policy.bindings');
  });
});
