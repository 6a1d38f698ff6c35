import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../core/errors.js';
import type { RepositoryRecord } from '../core/repository.js';
import { immutableTagsPolicy, type ImmutabilityViolation } from './immutable-tags.js';

const repo = (immutableTags: boolean): RepositoryRecord => ({
  project: 'p', location: 'us-central1', repository: 'r', format: 'DOCKER', mode: 'STANDARD_REPOSITORY',
  dockerConfig: { immutableTags }, createTime: '', updateTime: '',
});
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

function refused(fn: () => void): EmulatorError {
  try {
    fn();
  } catch (err) {
    return err as EmulatorError;
  }
  throw new Error('expected a refusal');
}

describe('immutableTagsPolicy', () => {
  it('refuses moving or deleting an existing tag, naming the tag and the digest it holds', () => {
    const heard: ImmutabilityViolation[] = [];
    const policy = immutableTagsPolicy((v) => heard.push(v));
    const moved = refused(() => policy.checkTagChange!({ repository: repo(true), pkg: 'img', tag: 'v1.0', from: A, to: B }));
    expect(moved.code).toBe('TAG_IMMUTABLE');
    expect(moved.message).toBe(`Tag "v1.0" of "img" cannot be moved to ${B}: repository projects/p/locations/us-central1/repositories/r has immutable tags and the tag holds ${A}.`);
    const deleted = refused(() => policy.checkTagChange!({ repository: repo(true), pkg: 'img', tag: 'v1.0', from: A }));
    expect(deleted.message).toMatch(/^Tag "v1.0" of "img" cannot be deleted: .* holds sha256:a+\.$/);
    expect(heard.map((h) => h.operation)).toEqual(['tag.move', 'tag.delete']);
  });

  it('allows a new tag, the same digest again, and anything in a mutable repository', () => {
    const policy = immutableTagsPolicy();
    expect(() => policy.checkTagChange!({ repository: repo(true), pkg: 'img', tag: 'v2', to: A })).not.toThrow();
    expect(() => policy.checkTagChange!({ repository: repo(true), pkg: 'img', tag: 'v1', from: A, to: A })).not.toThrow();
    expect(() => policy.checkTagChange!({ repository: repo(false), pkg: 'img', tag: 'v1', from: A, to: B })).not.toThrow();
    expect(() => policy.checkVersionDelete!({ repository: repo(false), pkg: 'img', version: A, tags: ['v1'] })).not.toThrow();
  });

  it('refuses deleting a tagged version, allows an untagged one', () => {
    const policy = immutableTagsPolicy();
    const err = refused(() => policy.checkVersionDelete!({ repository: repo(true), pkg: 'img', version: A, tags: ['v1', 'latest'] }));
    expect(err.message).toBe(`Version ${A} of "img" cannot be deleted: repository projects/p/locations/us-central1/repositories/r has immutable tags and the version is tagged "v1", "latest".`);
    expect(() => policy.checkVersionDelete!({ repository: repo(true), pkg: 'img', version: B, tags: [] })).not.toThrow();
  });
});
