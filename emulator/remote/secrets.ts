// Upstream passwords: `usernamePasswordCredentials.passwordSecretVersion` names a Secret Manager version
// (`projects/P/secrets/S/versions/V`); the emulator resolves it from the local file given with `--secrets FILE`
// (JSON, a map from version names to values). Values are never logged nor returned by any API.
import { readFileSync } from 'node:fs';
import { EmulatorError } from '../core/errors.js';
import type { SecretResolver } from '../content/upstream.js';


export class SecretsFile implements SecretResolver {
  private values: Map<string, string> | undefined;

  constructor(private readonly file: string | undefined) {}

  /** The secret's value; FAILED_PRECONDITION naming the version (never a value) when it cannot be resolved. */
  resolve(version: string): string {
    const value = this.load().get(version);
    if (value === undefined) {
      throw new EmulatorError(
        'FAILED_PRECONDITION',
        this.file ? `secret version ${version} is not in the secrets file given with --secrets` : `secret version ${version} cannot be resolved: start the emulator with --secrets FILE`,
      );
    }
    return value;
  }

  private load(): Map<string, string> {
    if (this.values) return this.values;
    const values = new Map<string, string>();
    if (this.file) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(this.file, 'utf8'));
      } catch (err) {
        throw new EmulatorError('FAILED_PRECONDITION', `the secrets file cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'not JSON'}`);
      }
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
          if (typeof v === 'string' || typeof v === 'number') values.set(k, String(v));
        }
      }
    }
    this.values = values;
    return values;
  }
}
