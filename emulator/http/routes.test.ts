// Named routes on @koa/router: the patterns the formats use (OCI names contain `/`), method lists for 405s, and
// URLs built from route names.
import { describe, expect, it } from 'vitest';
import type { Handler } from './context.js';
import { Routes } from './routes.js';

const h: Handler = async () => {};
const oci = new Routes([
  { name: 'docker.tags.list', method: 'GET', path: '/v2/*name/tags/list', handler: h },
  { name: 'docker.manifest.head', method: 'HEAD', path: '/v2/*name/manifests/:reference', handler: h },
  { name: 'docker.manifest.get', method: 'GET', path: '/v2/*name/manifests/:reference', handler: h },
  { name: 'docker.manifest.put', method: 'PUT', path: '/v2/*name/manifests/:reference', handler: h },
  { name: 'docker.blobUpload.start', method: 'POST', path: '/v2/*name/blobs/uploads/', handler: h },
  { name: 'docker.blobUpload.patch', method: 'PATCH', path: '/v2/*name/blobs/uploads/:uuid', handler: h },
  { name: 'docker.blob.get', method: 'GET', path: '/v2/*name/blobs/:digest', handler: h },
  { name: 'control.repositories.getIamPolicy', method: 'GET', path: '/v1/projects/:project/repositories/:repository\\:getIamPolicy', handler: h },
  { name: 'control.repositories.get', method: 'GET', path: '/v1/projects/:project/repositories/:repository', handler: h },
]);

describe('Routes.match', () => {
  it.each([
    ['GET', '/v2/a/tags/list', 'docker.tags.list', { name: 'a' }],
    ['GET', '/v2/tags/tags/list', 'docker.tags.list', { name: 'tags' }],
    ['GET', '/v2/a/b/c/manifests/latest', 'docker.manifest.get', { name: 'a/b/c', reference: 'latest' }],
    ['GET', '/v2/manifests/manifests/manifests', 'docker.manifest.get', { name: 'manifests', reference: 'manifests' }],
    ['GET', '/v2/manifests/manifests/manifests/x', 'docker.manifest.get', { name: 'manifests/manifests', reference: 'x' }],
    ['HEAD', '/v2/a/manifests/sha256:abc', 'docker.manifest.head', { name: 'a', reference: 'sha256:abc' }],
    ['POST', '/v2/blobs/uploads/blobs/uploads/', 'docker.blobUpload.start', { name: 'blobs/uploads' }],
    ['PATCH', '/v2/blobs/uploads/blobs/uploads/u-1', 'docker.blobUpload.patch', { name: 'blobs/uploads', uuid: 'u-1' }],
    ['GET', '/v2/a/blobs/uploads/blobs/sha256:abc', 'docker.blob.get', { name: 'a/blobs/uploads', digest: 'sha256:abc' }],
    ['GET', '/v2/a%2Fb/manifests/x%3Ay', 'docker.manifest.get', { name: 'a%2Fb', reference: 'x%3Ay' }],
    ['GET', '/v1/projects/p/repositories/r:getIamPolicy', 'control.repositories.getIamPolicy', { project: 'p', repository: 'r' }],
    ['GET', '/v1/projects/p/repositories/r', 'control.repositories.get', { project: 'p', repository: 'r' }],
  ])('%s %s → %s with raw (still percent-encoded) parameters', (method, path, name, params) => {
    const m = oci.match(method, path);
    expect(m).toMatchObject({ kind: 'found', route: { name }, params });
  });

  it('answers HEAD with a GET route when no HEAD route is listed', () => {
    expect(oci.match('HEAD', '/v2/a/tags/list')).toMatchObject({ kind: 'found', route: { name: 'docker.tags.list' } });
  });

  it('lists the allowed methods when the path matches but the method does not', () => {
    const m = oci.match('DELETE', '/v2/a/manifests/latest');
    expect(m.kind).toBe('method-not-allowed');
    expect(m.kind === 'method-not-allowed' && [...m.allowed].sort()).toEqual(['GET', 'HEAD', 'PUT']);
  });

  it('matches nothing for an unknown path, a trailing slash the pattern lacks, or another letter case', () => {
    for (const path of ['/v2/a/nothing', '/v2/a/tags/list/', '/V2/a/tags/list', '/v2//tags/list']) expect(oci.match('GET', path)).toEqual({ kind: 'none' });
  });
});

describe('Routes.url', () => {
  it('builds paths from route names, encoding each name segment and keeping digests readable', () => {
    expect(oci.url('docker.blobUpload.patch', { name: 'a/b c', uuid: 'u/1' })).toBe('/v2/a/b%20c/blobs/uploads/u%2F1');
    expect(oci.url('docker.blob.get', { name: 'a', digest: 'sha256:abc' })).toBe('/v2/a/blobs/sha256:abc');
    expect(oci.url('control.repositories.getIamPolicy', { project: 'p', repository: 'r' })).toBe('/v1/projects/p/repositories/r:getIamPolicy');
  });

  it('adds a query without the undefined values', () => {
    expect(oci.url('docker.tags.list', { name: 'x/y' }, { n: 2, last: 'a b', skip: undefined })).toBe('/v2/x/y/tags/list?n=2&last=a%20b');
  });

  it('refuses an unknown route name or a missing parameter', () => {
    expect(() => oci.url('docker.nothing', {})).toThrow(/unknown route/);
    expect(() => oci.url('docker.blob.get', { name: 'a' })).toThrow(/needs digest/);
  });

  it('refuses a duplicate route name', () => {
    expect(() => new Routes([
      { name: 'x', method: 'GET', path: '/a', handler: h },
      { name: 'x', method: 'PUT', path: '/a', handler: h },
    ])).toThrow(/duplicate/);
  });
});
