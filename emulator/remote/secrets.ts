// Upstream passwords: `usernamePasswordCredentials.passwordSecretVersion` names a Secret Manager version
// (`projects/P/secrets/S/versions/V`); the emulator resolves it from the local file given with `--secrets FILE`
// (JSON or YAML, a map from version names to values; read again when the file changes). Values are never logged
// nor returned by any API.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EmulatorError } from '../core/errors.js';
import type { SecretResolver } from '../content/upstream.js';

const require = createRequire(import.meta.url);

export class SecretsFile implements SecretResolver {
  private values: Map<string, string> | undefined;
  private loadedStamp = '';

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
    const stamp = this.stamp();
    if (this.values && stamp === this.loadedStamp) return this.values;
    const values = new Map<string, string>();
    if (this.file) {
      let parsed: unknown;
      try {
        parsed = parseSecrets(readFileSync(this.file, 'utf8'));
      } catch (err) {
        // the parser's message may quote the file's text (a secret): only its kind is said
        throw new EmulatorError('FAILED_PRECONDITION', `the secrets file cannot be read: ${(err as NodeJS.ErrnoException).syscall ? (err as NodeJS.ErrnoException).code : 'it is neither JSON nor YAML'}`);
      }
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
          if (typeof v === 'string' || typeof v === 'number') values.set(k, String(v));
        }
      }
    }
    this.values = values;
    this.loadedStamp = stamp;
    return values;
  }

  /** size and mtime of the file: a changed file is read again on the next resolve */
  private stamp(): string {
    if (!this.file) return '';
    try {
      const st = statSync(this.file);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }
}

/** JSON (a YAML subset, but JSON.parse is exact about it) or YAML (loaded on first use: startup stays instant). */
function parseSecrets(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return JSON.parse(text);
  const yaml = require('yaml') as typeof import('yaml');
  return yaml.parse(text, { prettyErrors: false });
}
