// The --secrets file: a JSON map from Secret Manager version names to values; errors name the version, never a value.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretsFile } from './secrets.js';

describe('SecretsFile', () => {
  it('resolves a version from the file, and names a missing one without any value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'are-secrets-'));
    try {
      const file = join(dir, 'secrets.json');
      await writeFile(file, JSON.stringify({ 'projects/p/secrets/hub/versions/1': 'hunter2' }));
      const s = new SecretsFile(file);
      expect(s.resolve('projects/p/secrets/hub/versions/1')).toBe('hunter2');
      expect(() => s.resolve('projects/p/secrets/hub/versions/2')).toThrow(/versions\/2 is not in the secrets file/);
      try {
        s.resolve('projects/p/secrets/hub/versions/2');
      } catch (err) {
        expect(String((err as Error).message)).not.toContain('hunter2');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads YAML too, reads a changed file again, and never quotes a bad file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'are-secrets-'));
    try {
      const file = join(dir, 'secrets.yaml');
      await writeFile(file, '# upstream passwords\nprojects/p/secrets/hub/versions/1: hunter2\n"projects/p/secrets/pypi/versions/latest": 12345\n');
      const s = new SecretsFile(file);
      expect(s.resolve('projects/p/secrets/hub/versions/1')).toBe('hunter2');
      expect(s.resolve('projects/p/secrets/pypi/versions/latest')).toBe('12345');
      await writeFile(file, 'projects/p/secrets/hub/versions/1: rotated-password-value\n');
      expect(s.resolve('projects/p/secrets/hub/versions/1')).toBe('rotated-password-value');
      await writeFile(file, 'projects/p/secrets/hub/versions/1: [unclosed hunter2\n');
      try {
        s.resolve('projects/p/secrets/hub/versions/1');
        expect.unreachable();
      } catch (err) {
        expect(String((err as Error).message)).toMatch(/cannot be read: it is neither JSON nor YAML/);
        expect(String((err as Error).message)).not.toContain('hunter2');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without --secrets says how to give one', () => {
    expect(() => new SecretsFile(undefined).resolve('projects/p/secrets/s/versions/1')).toThrow(/--secrets FILE/);
  });
});
