// The official OCI distribution-spec conformance suite (../shared/tools/oci-conformance, the spec's main
// branch) against a fresh emulator, all four workflows: with the default switches and with OCI_VERSION=dev (every
// optional API), any failed check fails the run, so no change can regress the registry unnoticed; with sparse
// manifests on as well, only the sparse checks may fail (docs/conformance.md). The TypeScript port beside this file stays for its
// finer-grained assertions.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../support/clients/require-client.js';
import { startEmulator, type TestEmulator } from '../support/emulator.js';

const TOOLS = resolve(new URL('.', import.meta.url).pathname, '..', '..', '..', 'shared', 'tools');
const SUITE = process.env.OCI_CONFORMANCE_BIN ?? join(TOOLS, 'oci-conformance');
const RUNNER = join(TOOLS, 'run-oci-conformance.sh');

describeWithClients([SUITE, RUNNER], 'official OCI distribution-spec conformance suite', () => {
  let emu: TestEmulator;
  let results: string;

  beforeAll(async () => {
    emu = await startEmulator();
    await emu.createRepository('conformance');
    results = await mkdtemp(join(tmpdir(), 'are-oci-conformance-'));
  });

  afterAll(async () => {
    await emu?.stop();
    if (results) await rm(results, { recursive: true, force: true });
  });

  const runSuite = async (extraEnv: Record<string, string>) => {
    const dir = await mkdtemp(join(results, 'run-'));
    const env = {
      ...process.env,
      CONFORMANCE_BIN: SUITE,
      OCI_REPO1: 'test-project/conformance/app',
      OCI_REPO2: 'test-project/conformance/other',
      CONFORMANCE_TIMEOUT: '600',
      ...extraEnv,
    };
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile('bash', [RUNNER, emu.url, dir], { env, timeout: 660_000 }, (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    const summary = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(run.stdout);
    const console_ = await readFile(join(dir, 'console.log'), 'utf8').catch(() => '');
    const failures = console_.split('\n').filter((l) => /\b(FAIL|Error)\b/.test(l) && !/^\s*(FAIL|Error)\.+:/.test(l));
    process.stdout.write(`[oci-conformance ${JSON.stringify(extraEnv)}] ${summary?.[0] ?? 'no summary'}\n`);
    expect(summary, `no summary line; stderr: ${run.stderr.slice(-2000)}`).not.toBeNull();
    return { code: run.code, passed: Number(summary![1]), failed: Number(summary![2]), skipped: Number(summary![3]), failures };
  };

  it('passes every check with the default switches (pull, push, discovery, management)', async () => {
    const r = await runSuite({});
    expect(r.failed, `failed checks:\n${r.failures.slice(0, 40).join('\n')}`).toBe(0);
    expect(r.passed).toBeGreaterThan(800);
    expect(r.code).toBe(0);
  });

  it('passes every check with OCI_VERSION=dev (every optional API on: upload cancel, digest headers, ?tag=)', async () => {
    const r = await runSuite({ OCI_VERSION: 'dev' });
    expect(r.failed, `failed checks:\n${r.failures.slice(0, 40).join('\n')}`).toBe(0);
    expect(r.skipped).toBe(0);
    expect(r.passed).toBeGreaterThan(900);
    expect(r.code).toBe(0);
  });

  it('fails only the sparse-manifest checks with OCI_DATA_SPARSE=true too (the real service refuses sparse indexes)', async () => {
    const r = await runSuite({ OCI_VERSION: 'dev', OCI_DATA_SPARSE: 'true' });
    const notSparse = r.failures.filter((l) => /Test\/|Test:/.test(l) && !/Test\/sparse\b/.test(l) && !/OCI Conformance (Test|Result): FAIL/.test(l) && !/Sparse Manifests/.test(l));
    expect(r.failed).toBeGreaterThan(0);
    expect(notSparse, `non-sparse failures:\n${notSparse.slice(0, 40).join('\n')}`).toEqual([]);
  });
});
