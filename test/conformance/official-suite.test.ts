// The official OCI distribution-spec conformance suite (../shared/tools/oci-conformance, the spec's main
// branch) against a fresh emulator, all four workflows, default switches: any failed check fails the run,
// so no change can regress the registry unnoticed. The TypeScript port beside this file stays for its
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

  it('passes every check with the default switches (pull, push, discovery, management)', async () => {
    const env = {
      ...process.env,
      CONFORMANCE_BIN: SUITE,
      OCI_REPO1: 'test-project/conformance/app',
      OCI_REPO2: 'test-project/conformance/other',
      CONFORMANCE_TIMEOUT: '600',
    };
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile('bash', [RUNNER, emu.url, results], { env, timeout: 660_000 }, (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    const summary = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(run.stdout);
    const console_ = await readFile(join(results, 'console.log'), 'utf8').catch(() => '');
    const failures = console_.split('\n').filter((l) => /\b(FAIL|Error)\b/.test(l) && !/^\s*(FAIL|Error)\.+:/.test(l));
    process.stdout.write(`[oci-conformance] ${summary?.[0] ?? 'no summary'}\n`);
    expect(summary, `no summary line; stderr: ${run.stderr.slice(-2000)}`).not.toBeNull();
    expect(Number(summary![2]), `failed checks:\n${failures.slice(0, 40).join('\n')}`).toBe(0);
    expect(Number(summary![1])).toBeGreaterThan(800);
    expect(run.code).toBe(0);
  });
});
