// Download rules (rule.proto) through a remote npm repository, with the real npm: the course material's
// ua-parser-js scenario. The hijacked versions (0.7.29, 0.8.0, 1.0.0) were unpublished from the public registry long
// ago, so the upstream here is the fake registry serving them beside clean ones. A DENY rule on them makes
// `npm install` fail with the rule's text and a policy.violated event, before any upstream request for the
// tarball; clean versions install. Then the precedence: a DENY for the whole repository and an ALLOW for
// ua-parser-js let ua-parser-js in and keep everything else out.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/core/events.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient, type NpmClient } from '../npm/npm-client.js';
import { FakeNpmUpstream } from './fake-npm-upstream.js';

const REPO = 'npm-guarded';
const FULL = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPO}`;
const HIJACKED = ['0.7.29', '0.8.0', '1.0.0'];

describeWithClients(['npm'], 'download rules through a remote npm repository (npm install)', () => {
  let emu: TestEmulator;
  let up: FakeNpmUpstream;
  let c: NpmClient;
  const events: EmulatorEvent[] = [];
  const v1 = (path: string, init: RequestInit = {}) =>
    fetch(`${emu.url}/v1/${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const install = async (spec: string) => {
    const project = await c.makeProject();
    await c.npm(['install', spec], { cwd: project });
    return JSON.parse(await readFile(join(project, 'node_modules', spec.slice(0, spec.lastIndexOf('@')), 'package.json'), 'utf8')) as { version: string };
  };
  const installFails = async (spec: string) => c.npmFails(['install', spec], { cwd: await c.makeProject() });

  beforeAll(async () => {
    up = await new FakeNpmUpstream().start();
    for (const v of ['0.7.28', ...HIJACKED, '0.7.30']) up.add('ua-parser-js', v);
    up.add('left-pad', '1.3.0');
    emu = await startEmulator();
    emu.emulator.events.onAny((e) => void events.push(e));
    const res = await v1(`projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=${REPO}`, {
      method: 'POST',
      body: JSON.stringify({ format: 'NPM', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { npmRepository: { customRepository: { uri: up.url } } } }),
    });
    expect(res.status, await res.text()).toBe(200);
    c = await npmClient(`${emu.url}/${TEST_PROJECT}/${REPO}/`, { token: null });
  });
  afterAll(async () => {
    await c?.dispose();
    await emu?.stop();
    await up?.stop();
  });

  it('a DENY rule on the hijacked versions fails npm install of each with the rule named, before any upstream tarball request', async () => {
    const res = await v1(`${FULL}/rules?ruleId=block-ua-parser-js-hijack`, {
      method: 'POST',
      body: JSON.stringify({
        action: 'DENY', operation: 'DOWNLOAD', packageId: 'ua-parser-js',
        condition: { expression: `pkg.version.id in ${JSON.stringify(HIJACKED).replace(/"/g, "'")}`, title: 'CVE-2021-41265: hijacked releases' },
      }),
    });
    expect(res.status, await res.text()).toBe(200);
    for (const v of HIJACKED) {
      const from = events.length;
      const out = await installFails(`ua-parser-js@${v}`);
      expect(out).toMatch(/403/);
      expect(out).toContain(`Download of version "${v}" of package "ua-parser-js" in ${FULL} is denied by rule "${FULL}/rules/block-ua-parser-js-hijack".`);
      const violation = events.slice(from).find((e) => e.type === 'policy.violated');
      expect(violation?.data).toMatchObject({ permission: 'artifactregistry.repositories.downloadArtifacts', resource: FULL, operation: 'download', rule: `${FULL}/rules/block-ua-parser-js-hijack` });
      expect(up.count(`/ua-parser-js-${v}.tgz`)).toBe(0);
    }
    expect((await install('ua-parser-js@0.7.30')).version).toBe('0.7.30');
  });

  it('precedence: a package ALLOW rule wins over a repository-wide DENY; other packages stay blocked', async () => {
    expect((await v1(`${FULL}/rules/block-ua-parser-js-hijack`, { method: 'DELETE' })).status).toBe(200);
    expect((await v1(`${FULL}/rules?ruleId=deny-all`, { method: 'POST', body: JSON.stringify({ action: 'DENY', operation: 'DOWNLOAD' }) })).status).toBe(200);
    expect((await v1(`${FULL}/rules?ruleId=allow-ua`, { method: 'POST', body: JSON.stringify({ action: 'ALLOW', operation: 'DOWNLOAD', packageId: 'ua-parser-js' }) })).status).toBe(200);
    expect((await install('ua-parser-js@0.7.28')).version).toBe('0.7.28');
    const out = await installFails('left-pad@1.3.0');
    expect(out).toContain(`is denied by rule "${FULL}/rules/deny-all"`);
    expect(up.count('/left-pad-1.3.0.tgz')).toBe(0);
    const listed = (await (await v1(`${FULL}/rules`)).json()) as { rules: Array<{ name: string; action: string; packageId?: string }> };
    expect(listed.rules.map((r) => [r.name.split('/').pop(), r.action, r.packageId])).toEqual([['allow-ua', 'ALLOW', 'ua-parser-js'], ['deny-all', 'DENY', undefined]]);
  });

  it('VPC-SC DENY on the location stops upstream fetches: what is cached still installs, what is not fails without an upstream request', async () => {
    expect((await v1(`${FULL}/rules/deny-all`, { method: 'DELETE' })).status).toBe(200);
    const vpcsc = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/vpcscConfig`;
    const set = await v1(`${vpcsc}?updateMask=vpcsc_policy`, { method: 'PATCH', body: JSON.stringify({ name: vpcsc, vpcscPolicy: 'DENY' }) });
    expect(set.status, await set.text()).toBe(200);
    const before = up.requests.length;
    const from = events.length;
    expect((await install('ua-parser-js@0.7.28')).version).toBe('0.7.28');
    const out = await installFails('left-pad@1.3.0');
    expect(out).toMatch(/403[^]*VPC Service Controls/);
    expect(up.requests.length).toBe(before);
    const failed = events.slice(from).filter((e) => e.type === 'upstream.failed').map((e) => (e.data as { reason: string }).reason);
    expect(failed.some((r) => r.startsWith('vpcsc: VPC Service Controls'))).toBe(true);
    await v1(`${vpcsc}?updateMask=vpcsc_policy`, { method: 'PATCH', body: JSON.stringify({ name: vpcsc, vpcscPolicy: 'ALLOW' }) });
    expect((await install('left-pad@1.3.0')).version).toBe('1.3.0');
  });
});
