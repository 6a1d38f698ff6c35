// Hash routing of the dashboard: well-formed links open their view; a link with malformed percent-encoding
// (anyone can write one) opens the not-found view instead of throwing a URIError in the renderer.
import { describe, expect, it } from 'vitest';
import { packageId, parseRoute, safeDecode } from './routes.js';

const REPO = 'projects/p/locations/us-central1/repositories/r';

describe('parseRoute', () => {
  it.each([
    ['#/feed', { view: 'feed' }],
    ['', { view: 'feed' }],
    ['#/repositories', { view: 'repositories' }],
    ['#/repositories/p/us-central1/r', { view: 'repository', repository: REPO }],
    ['#/image/p/us-central1/r/a%2Fb/sha256%3Aabc', { view: 'image', repository: REPO, pkg: 'a/b', digest: 'sha256:abc' }],
    ['#/iam/p/us-central1/r', { view: 'iam', repository: REPO }],
    ['#/settings', { view: 'settings' }],
  ])('routes %s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it.each(['#/repositories/%E0%A4%A', '#/repositories/p/%/r', '#/image/p/l/r/%zz/sha256:x', '#/iam/p/l/%C0%AF', '#/%', '#/settings/%E0%A4'])(
    'opens the not-found view for the malformed link %s, without throwing',
    (hash) => {
      expect(parseRoute(hash)).toEqual({ view: 'not-found', hash });
    },
  );
});

describe('safeDecode and packageId', () => {
  it('decodes valid escapes and gives undefined for malformed ones', () => {
    expect(safeDecode('a%2Fb')).toBe('a/b');
    expect(safeDecode('%E0%A4%A')).toBeUndefined();
    expect(safeDecode('%')).toBeUndefined();
  });

  it('leaves a package id that cannot be decoded as it is', () => {
    expect(packageId(`${REPO}/packages/a%2Fb`)).toBe('a/b');
    expect(packageId(`${REPO}/packages/bad%zz`)).toBe('bad%zz');
  });
});
