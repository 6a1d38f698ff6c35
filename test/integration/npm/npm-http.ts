// Plain-fetch helpers for npm registry component tests: a running emulator with an NPM repository, and
// publish documents built the way libnpmpublish builds them (no client imitation beyond the wire shape).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

export interface NpmRegistry {
  emu: TestEmulator;
  /** `http://127.0.0.1:PORT/test-project/REPO` */
  base: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** PUTs a publish of NAME@VERSION with `tarball` as its bytes; returns the response. */
  publish(name: string, version: string, tarball?: Buffer, extra?: { tag?: string; manifest?: Record<string, unknown> }): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }>;
}

export function publishDocument(name: string, version: string, tarball: Buffer, extra: { tag?: string; manifest?: Record<string, unknown> } = {}) {
  return {
    _id: name, name, description: `about ${name}`, 'dist-tags': { [extra.tag ?? 'latest']: version },
    versions: { [version]: {
      name, version, _id: `${name}@${version}`, ...extra.manifest,
      dist: {
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        shasum: createHash('sha1').update(tarball).digest('hex'),
        tarball: `http://elsewhere.invalid/${name}/-/${name}-${version}.tgz`,
      },
    } },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  };
}

/** An emulator (started before the file's tests, stopped after) with NPM repository `repo`. */
export function useNpmRegistry(repo = 'npm-repo'): NpmRegistry {
  const r = { base: '' } as NpmRegistry;
  beforeAll(async () => {
    r.emu = await startEmulator();
    await r.emu.createRepository(repo, { format: 'NPM' });
    r.base = `${r.emu.url}/${TEST_PROJECT}/${repo}`;
  });
  afterAll(() => r.emu?.stop());
  r.fetch = (path, init = {}) => fetch(`${r.base}${path}`, init);
  r.publish = (name, version, tarball = Buffer.from(`tarball of ${name}@${version}`), extra = {}) =>
    r.fetch(`/${name.replace('/', '%2f')}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(publishDocument(name, version, tarball, extra)) });
  r.json = async <T>(path: string, init?: RequestInit) => {
    const res = await r.fetch(path, init);
    return { status: res.status, headers: res.headers, body: (res.status === 304 ? {} : await res.json()) as T };
  };
  return r;
}
