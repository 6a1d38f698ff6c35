// Cleanup policies on NPM and PYTHON repositories (issue 11, acceptance 2: "cleanup of an npm repository works").
// npm: a version a dist-tag points at counts as tagged (the control plane lists dist-tags as tags), so
// "delete untagged older than 30 days" spares `latest` and `beta`; the deleted versions leave the packument and
// their tarballs 404. Python has no tags: every version is untagged, and mostRecentVersions keeps the newest.
// Published over HTTP the way npm and twine send it; the real npm then reads the packument back.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient, type NpmClient } from '../npm/npm-client.js';
import { publishDocument } from '../npm/npm-http.js';

const NPM_REPO = 'npm-aged';
const PY_REPO = 'py-aged';
const name = (repo: string) => `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${repo}`;

let emu: TestEmulator;
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
};
const ok = async (method: string, path: string, body?: unknown) => {
  const r = await call(method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const advance = (by: string) => ok('POST', '/_emulator/clock', { advance: by });
const publish = async (pkg: string, version: string, tag?: string) => {
  const res = await fetch(`${emu.url}/${TEST_PROJECT}/${NPM_REPO}/${pkg.replace('/', '%2f')}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(publishDocument(pkg, version, Buffer.from(`tarball of ${pkg}@${version}`), tag ? { tag } : {})),
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`publish ${pkg}@${version}: ${res.status} ${await res.text()}`);
};
const packument = async (pkg: string) => (await fetch(`${emu.url}/${TEST_PROJECT}/${NPM_REPO}/${pkg.replace('/', '%2f')}`)).json() as Promise<{ versions: Record<string, { dist: { tarball: string } }>; 'dist-tags': Record<string, string>; time?: Record<string, string> }>;

async function uploadSdist(pkg: string, version: string, data: string): Promise<void> {
  const form = new FormData();
  const bytes = Buffer.from(data);
  for (const [k, v] of Object.entries({ ':action': 'file_upload', name: pkg, version, filetype: 'sdist', sha256_digest: createHash('sha256').update(bytes).digest('hex') })) form.append(k, v);
  form.append('content', new Blob([bytes]), `${pkg}-${version}.tar.gz`);
  const res = await fetch(`${emu.url}/${TEST_PROJECT}/${PY_REPO}/`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`upload ${pkg} ${version}: ${res.status} ${await res.text()}`);
}

let tarballOf100 = '';

beforeAll(async () => {
  emu = await startEmulator({ cleanupIntervalMs: 1000 * 86_400_000 });
  await emu.createRepository(NPM_REPO, { format: 'NPM' });
  await emu.createRepository(PY_REPO, { format: 'PYTHON' });
  // day 0..3: four versions of @lab/aged, one of them under `beta`; `latest` moves with each plain publish
  await publish('@lab/aged', '1.0.0');
  await advance('1d');
  await publish('@lab/aged', '1.1.0');
  await advance('1d');
  await publish('@lab/aged', '2.0.0-beta.1', 'beta');
  await advance('1d');
  await publish('@lab/aged', '2.0.0');
  await publish('plain', '0.1.0');
  await uploadSdist('demo', '0.1', 'demo 0.1');
  await advance('1d');
  await uploadSdist('demo', '0.2', 'demo 0.2');
  tarballOf100 = (await packument('@lab/aged')).versions['1.0.0']!.dist.tarball;
  expect((await fetch(tarballOf100)).status).toBe(200);
  // 40 days later, one fresh version of each
  await advance('40d');
  await publish('@lab/aged', '2.1.0');
  await uploadSdist('demo', '0.3', 'demo 0.3');
});

afterAll(() => emu?.stop());

const DELETE_UNTAGGED_30D = { 'delete-untagged-30d': { id: 'delete-untagged-30d', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '2592000s' } } };

describe('cleanup of an NPM repository', () => {
  it('the packument dates the versions in emulator time', async () => {
    const time = (await packument('@lab/aged')).time!;
    const days = (a: string, b: string) => (Date.parse(time[b]!) - Date.parse(time[a]!)) / 86_400_000;
    expect(days('1.0.0', '1.1.0')).toBeCloseTo(1, 3);
    expect(days('1.0.0', '2.1.0')).toBeCloseTo(44, 3);
  });

  it('a dry run names the old versions no dist-tag points at, and the packument is untouched', async () => {
    await ok('PATCH', `/v1/${name(NPM_REPO)}?updateMask=cleanupPolicies`, { cleanupPolicies: DELETE_UNTAGGED_30D });
    const before = await packument('@lab/aged');
    expect(before['dist-tags']).toEqual({ latest: '2.1.0', beta: '2.0.0-beta.1' });
    const report = await ok('POST', '/_emulator/cleanup:run', { repository: name(NPM_REPO), dryRun: true });
    const expected = [
      { package: '@lab/aged', version: '1.0.0', policy: 'delete-untagged-30d' },
      { package: '@lab/aged', version: '1.1.0', policy: 'delete-untagged-30d' },
      { package: '@lab/aged', version: '2.0.0', policy: 'delete-untagged-30d' },
    ];
    // `plain@0.1.0` is old too, but `latest` points at it
    expect(report).toEqual({ repository: name(NPM_REPO), dryRun: true, deleted: expected, keptCount: 3 });
    expect(Object.keys((await packument('@lab/aged')).versions).sort()).toEqual(Object.keys(before.versions).sort());
  });

  it('the real run deletes them: gone from the packument, the version list and the tarball URL', async () => {
    const report = await ok('POST', '/_emulator/cleanup:run', { repository: name(NPM_REPO) });
    expect((report.deleted as Array<{ version: string }>).map((d) => d.version)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    const after = await packument('@lab/aged');
    expect(Object.keys(after.versions).sort()).toEqual(['2.0.0-beta.1', '2.1.0']);
    expect(after['dist-tags']).toEqual({ latest: '2.1.0', beta: '2.0.0-beta.1' });
    const versions = await ok('GET', `/v1/${name(NPM_REPO)}/packages/@lab%2Faged/versions`);
    expect((versions.versions as Array<{ name: string }>).map((v) => v.name.split('/versions/')[1]).sort()).toEqual(['2.0.0-beta.1', '2.1.0']);
    expect((await fetch(tarballOf100)).status).toBe(404);
    expect(Object.keys((await packument('plain')).versions)).toEqual(['0.1.0']);
  });
});

describeWithClients(['npm'], 'the real npm reads the cleaned packument', () => {
  let c: NpmClient;
  beforeAll(async () => {
    c = await npmClient(`${emu.url}/${TEST_PROJECT}/${NPM_REPO}/`, { scopes: ['@lab'] });
  });
  afterAll(() => c?.dispose());

  it('npm view lists only the versions cleanup kept', async () => {
    const out = JSON.parse((await c.npm(['view', '@lab/aged', 'versions', '--json'])).stdout) as string[];
    expect(out).toEqual(['2.0.0-beta.1', '2.1.0']);
    const failed = await c.npmFails(['view', '@lab/aged@1.1.0', 'version', '--json']);
    expect(failed).toMatch(/E404|No match found|is not in this registry/i);
  }, 120_000);
});

describe('cleanup of a PYTHON repository (no tags: every version counts as untagged)', () => {
  it('deletes versions older than 30 days except the newest kept by mostRecentVersions', async () => {
    await ok('PATCH', `/v1/${name(PY_REPO)}?updateMask=cleanupPolicies`, {
      cleanupPolicies: {
        'delete-old': { id: 'delete-old', action: 'DELETE', condition: { olderThan: '2592000s' } },
        'keep-tagged': { id: 'keep-tagged', action: 'KEEP', condition: { tagState: 'TAGGED' } },
        'keep-newest-2': { id: 'keep-newest-2', action: 'KEEP', mostRecentVersions: { packageNamePrefixes: ['demo'], keepCount: 2 } },
      },
    });
    const dry = await ok('POST', '/_emulator/cleanup:run', { repository: name(PY_REPO), dryRun: true });
    expect(dry).toEqual({ repository: name(PY_REPO), dryRun: true, deleted: [{ package: 'demo', version: '0.1', policy: 'delete-old' }], keptCount: 2 });
    const real = await ok('POST', '/_emulator/cleanup:run', { repository: name(PY_REPO), dryRun: false });
    expect(real.deleted).toEqual([{ package: 'demo', version: '0.1', policy: 'delete-old' }]);
    const page = await (await fetch(`${emu.url}/${TEST_PROJECT}/${PY_REPO}/simple/demo/`)).text();
    expect(page).not.toContain('demo-0.1.tar.gz');
    expect(page).toContain('demo-0.2.tar.gz');
    expect(page).toContain('demo-0.3.tar.gz');
    expect((await fetch(`${emu.url}/${TEST_PROJECT}/${PY_REPO}/packages/demo/demo-0.1.tar.gz`)).status).toBe(404);
  });
});
