// The NPMJS preset resolver: npm_config_registry first, else one `npm config get registry` (cached), else a clear error.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmjsRegistry, registryFromEnv } from './npm-registry.js';

describe('the NPMJS preset registry', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-npmreg-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const fakeNpm = async (name: string, script: string) => {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${script}\n`);
    await chmod(path, 0o755);
    return path;
  };

  it('takes npm_config_registry (any case) first, without its trailing slash', async () => {
    expect(registryFromEnv({ NPM_CONFIG_REGISTRY: 'http://127.0.0.1:4873/' })).toBe('http://127.0.0.1:4873');
    expect(await npmjsRegistry({ env: { npm_config_registry: 'https://mirror.example.test/npm/' }, npm: '/nonexistent' })()).toBe('https://mirror.example.test/npm');
  });

  it('asks `npm config get registry` once when the environment says nothing', async () => {
    const counter = join(dir, 'count');
    const npm = await fakeNpm('npm-ok', `echo x >> ${counter}; echo http://127.0.0.1:9/registry/`);
    const resolve = npmjsRegistry({ env: {}, npm });
    expect(await resolve()).toBe('http://127.0.0.1:9/registry');
    expect(await resolve()).toBe('http://127.0.0.1:9/registry');
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(counter, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('fails clearly when npm is missing, prints no URL, or hangs', async () => {
    await expect(npmjsRegistry({ env: {}, npm: join(dir, 'missing') })()).rejects.toThrow(/npm_config_registry is not set.*npm is not on PATH/);
    await expect(npmjsRegistry({ env: {}, npm: await fakeNpm('npm-undef', 'echo undefined') })()).rejects.toThrow(/not an http\(s\) URL/);
    await expect(npmjsRegistry({ env: {}, npm: await fakeNpm('npm-slow', 'sleep 5'), timeoutMs: 200 })()).rejects.toThrow(/did not answer within 200 ms/);
  });
});
