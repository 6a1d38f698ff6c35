// The repository signing key, checked by the verifier apt itself runs (gpgv): an InRelease clearsigned and a
// detached Release.gpg verify against the published binary key; a changed byte does not; the key survives a reload.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { MemoryMetaStore } from '../storage/memory-meta-store.js';
import { createRepoSigner } from './repo-signing.js';

const dir = mkdtempSync(join(tmpdir(), 'repo-signing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasGpgv = spawnSync('gpgv', ['--version']).status === 0;
if (!hasGpgv) console.warn('[skipped] gpgv checks: gpgv is not on PATH (Debian installs it with apt)');

const meta = new MemoryMetaStore();
const signer = createRepoSigner({ meta, clock: systemClock });
const gpgv = (keyring: string, ...files: string[]) => spawnSync('gpgv', ['--homedir', dir, '--keyring', keyring, ...files], { encoding: 'utf8' });

describe('repository signing key', () => {
  it('is one key per location, kept in the metadata store', async () => {
    const a = await signer.fingerprint('us-central1');
    expect(a).toMatch(/^[0-9A-F]{40}$/);
    expect(await signer.fingerprint('us-central1')).toBe(a);
    expect(await signer.fingerprint('europe-west1')).not.toBe(a);
    const again = createRepoSigner({ meta, clock: systemClock });
    expect(await again.fingerprint('us-central1')).toBe(a);
    expect(await signer.publicKeyArmored('us-central1')).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
  });

  it.skipIf(!hasGpgv)('signs what gpgv verifies, and a changed byte fails', async () => {
    const keyring = join(dir, 'key.gpg');
    writeFileSync(keyring, await signer.publicKeyBinary('us-central1'));
    const release = 'Origin: test\nSuite: r\nDate: Wed, 02 Dec 2026 00:00:00 UTC\n';
    writeFileSync(join(dir, 'InRelease'), await signer.clearsign('us-central1', release));
    expect(gpgv(keyring, join(dir, 'InRelease')).status).toBe(0);
    writeFileSync(join(dir, 'Release'), release);
    writeFileSync(join(dir, 'Release.gpg'), await signer.detachSign('us-central1', release));
    expect(gpgv(keyring, join(dir, 'Release.gpg'), join(dir, 'Release')).status).toBe(0);
    writeFileSync(join(dir, 'Release'), release.replace('test', 'tost'));
    expect(gpgv(keyring, join(dir, 'Release.gpg'), join(dir, 'Release')).status).not.toBe(0);
    // another location's key does not verify it
    writeFileSync(join(dir, 'other.gpg'), await signer.publicKeyBinary('europe-west1'));
    expect(gpgv(join(dir, 'other.gpg'), join(dir, 'InRelease')).status).not.toBe(0);
    expect(execFileSync('gpg', ['--homedir', dir, '--show-keys', '--with-colons', keyring], { encoding: 'utf8' })).toContain('ed25519');
  });
});
