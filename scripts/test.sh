#!/usr/bin/env bash
# The full test suite: the one command the README gives and .ci/run runs.
#   1. installs npm dependencies when missing (npm ci)
#   2. installs the real clients the integration tests drive (as root, idempotent)
#   3. typecheck (per-folder tsconfigs; also builds main/ and the dashboard in renderer/), lint (layering),
#      unit + component tests (main/ with a mocked electron), integration tests (real clients, the official
#      OCI conformance suite), the examples/vitest fixture project, browser tests with @playwright/test (the dashboard in Debian's Chromium, the
#      Electron smoke test where a binary exists)
# In CI (CI=true) a missing client fails the run instead of skipping its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
step() { printf '\n=== [%4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
quiet_npm() { npm "$@" 2>&1 | grep -v 'Unknown user config "nodedir"' || true; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  quiet_npm ci --no-audit --no-fund
  [ -d node_modules/vitest ] || { echo "npm ci failed" >&2; exit 1; }
fi

if [ "$(id -u)" = 0 ]; then
  step "real clients (scripts/install-test-clients.sh)"
  bash scripts/install-test-clients.sh
else
  echo "not root: skipping client installation; tests whose client is missing will say so" >&2
fi

step "typecheck (and build main/, renderer/)"
npx tsc -b emulator test bench main renderer
step "lint"
npx eslint .
RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT
step "unit and component tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$RESULTS/unit.json"
step "integration tests (real clients)"
FAILED=0
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$RESULTS/integration.json" || FAILED=1
step "examples (examples/vitest: the emulator as a vitest globalSetup fixture)"
npx vitest run --config examples/vitest/vitest.config.ts --reporter=default --reporter=json --outputFile.json="$RESULTS/examples.json" || FAILED=1
step "browser tests (@playwright/test: dashboard in Chromium, Electron smoke)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/browser.json" npx playwright test || FAILED=1
step "done in $(( $(date +%s) - T0 ))s"
# one plain closing line over all runs (vitest JSON and Playwright JSON)
node -e '
  let p = 0, f = 0, s = 0;
  for (const file of process.argv.slice(1)) {
    let r;
    try { r = require(file); } catch { f += 1; console.error(`no results in ${file}`); continue; }
    if (r.stats && r.numPassedTests === undefined) {
      p += r.stats.expected + r.stats.flaky; f += r.stats.unexpected + (r.errors?.length ?? 0); s += r.stats.skipped;
    } else {
      p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + r.numTodoTests;
    }
  }
  console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
' "$RESULTS/unit.json" "$RESULTS/integration.json" "$RESULTS/examples.json" "$RESULTS/browser.json"
exit $FAILED
