// The upstream a remote Docker repository's config names, Docker Hub's `library/` rule, and the tag TTL label.
import { describe, expect, it } from 'vitest';
import type { RepositoryRecord } from '../../../core/repository.js';
import { DEFAULT_TAG_TTL_SECONDS, DOCKER_HUB_REGISTRY, tagTtlSeconds, upstreamOf, upstreamUrl } from './remote.js';

const rec = (remoteRepositoryConfig: Record<string, unknown>, labels?: Record<string, string>): RepositoryRecord => ({
  project: 'p', location: 'us-central1', repository: 'r', format: 'DOCKER', mode: 'REMOTE_REPOSITORY', createTime: '', updateTime: '',
  remoteRepositoryConfig, ...(labels ? { labels } : {}),
});

describe('remote Docker upstream', () => {
  it('maps DOCKER_HUB images without a slash to library/', () => {
    const hub = rec({ dockerRepository: { publicRepository: 'DOCKER_HUB' } });
    expect(upstreamUrl(hub, 'nginx', 'manifests', 'latest')).toBe(`${DOCKER_HUB_REGISTRY}/v2/library/nginx/manifests/latest`);
    expect(upstreamUrl(hub, 'team/app', 'blobs', 'sha256:ab')).toBe(`${DOCKER_HUB_REGISTRY}/v2/team/app/blobs/sha256:ab`);
  });

  it('uses a custom or common URI as given, without the library/ rule', () => {
    const custom = rec({ dockerRepository: { customRepository: { uri: 'http://127.0.0.1:5000/' } } });
    expect(upstreamUrl(custom, 'nginx', 'manifests', '1')).toBe('http://127.0.0.1:5000/v2/nginx/manifests/1');
    expect(upstreamOf(rec({ commonRepository: { uri: 'http://localhost:1' } })).base).toBe('http://localhost:1');
  });

  it('reads credentials and the tag TTL label', () => {
    const r = rec({ dockerRepository: { publicRepository: 'DOCKER_HUB' }, upstreamCredentials: { usernamePasswordCredentials: { username: 'u', passwordSecretVersion: 'projects/p/secrets/s/versions/1' } } }, { 'emulator-tag-ttl-seconds': '60' });
    expect(upstreamOf(r).credentials).toEqual({ username: 'u', passwordSecretVersion: 'projects/p/secrets/s/versions/1' });
    expect(tagTtlSeconds(r)).toBe(60);
    expect(tagTtlSeconds(rec({}))).toBe(DEFAULT_TAG_TTL_SECONDS);
  });
});
