// Decides whether a real-client suite can run: skipped with a printed reason locally, failed in CI.
// Only looks for executables on PATH; it never installs anything (see scripts/install-test-clients.sh).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { beforeAll, describe } from 'vitest';

export interface ClientCheck {
  ok: boolean;
  missing: string[];
}

const INSTALL_HINT = 'install them as root with: npm run clients (scripts/install-test-clients.sh)';
/**
 * Clients the install script cannot install (neither Debian nor the npm registry has them): a suite that needs one
 * is skipped with its reason when it is missing, in CI too. The Google Cloud CLI comes only from Google's own
 * package repository.
 */
const OPTIONAL_CLIENTS: Record<string, string> = {
  gcloud: 'the Google Cloud CLI is not in Debian or on the npm registry, so the install script cannot install it; install it to run this suite',
};

/** Looks up each binary on PATH (like `command -v`). */
export function requireClients(...names: string[]): ClientCheck {
  const missing = names.filter((name) => !isOnPath(name));
  return { ok: missing.length === 0, missing };
}

/** Whether missing clients must fail the run instead of skipping it. */
export function isCi(): boolean {
  return process.env.CI === 'true';
}

/**
 * `describe(title, body)` that needs real client binaries.
 * All present: runs normally. Missing and CI=true: runs, but a first beforeAll throws, so every test
 * in the suite fails with the list of missing binaries (unless every missing one is in OPTIONAL_CLIENTS). Missing
 * otherwise: skipped, with a warning.
 */
export function describeWithClients(clients: readonly string[], title: string, body: () => void): void {
  const check = requireClients(...clients);
  const optional = check.missing.length > 0 && check.missing.every((c) => OPTIONAL_CLIENTS[c] !== undefined);
  const failInsteadOfSkip = !check.ok && isCi() && !optional;
  const reason = optional
    ? `missing client binaries: ${check.missing.join(', ')} (${check.missing.map((c) => OPTIONAL_CLIENTS[c]).join('; ')})`
    : `missing client binaries: ${check.missing.join(', ')} (${INSTALL_HINT})`;
  if (!check.ok && !failInsteadOfSkip) console.warn(`[skipped] ${title}: ${reason}`);

  describe.skipIf(!check.ok && !failInsteadOfSkip)(title, () => {
    if (failInsteadOfSkip) {
      beforeAll(() => {
        throw new Error(`CI=true and ${reason}`);
      });
    }
    body();
  });
}

function isOnPath(name: string): boolean {
  const dirs = name.includes('/') ? [''] : (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => {
    try {
      accessSync(dir ? join(dir, name) : name, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
