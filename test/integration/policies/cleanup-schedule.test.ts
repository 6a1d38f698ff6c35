// The scheduled cleanup (issue 11, item 3): with `cleanupIntervalMs` left at its 24 h, moving the virtual clock
// past the next run runs every repository's policies, and the run is a `cleanup.completed` event. The policies
// are set the way gcloud sends them (`set-cleanup-policies` turns a file's `"action": {"type": "Delete"}` and
// `"olderThan": "1d"` into `action: "DELETE"` and a "86400.0s" Duration on the wire).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPO = 'scheduled';
const REPOSITORY = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPO}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let emu: TestEmulator;
const completed: Array<EmulatorEvent & { data: { repository: string; dryRun: boolean; deleted: Array<{ package: string; version: string; policy: string }>; keptCount: number } }> = [];
const digests: Record<string, string> = {};

const sha = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

async function pushImage(image: string, layer: string, reference?: string): Promise<string> {
  const name = `${TEST_PROJECT}/${REPO}/${image}`;
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  for (const blob of [config, layer]) {
    const res = await fetch(`${emu.url}/v2/${name}/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: blob });
    expect(res.status).toBe(201);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  });
  const res = await fetch(`${emu.url}/v2/${name}/manifests/${reference ?? sha(manifest)}`, { method: 'PUT', headers: { 'content-type': MANIFEST }, body: manifest });
  expect(res.status).toBe(201);
  return sha(manifest);
}

const versionsOf = async (image: string) => {
  const r = await call('GET', `/v1/${REPOSITORY}/packages/${image}/versions`);
  return ((r.body.versions ?? []) as Array<{ name: string }>).map((v) => decodeURIComponent(v.name.split('/versions/')[1]!)).sort();
};

/** Resolves with the next `cleanup.completed` of the repository (events arrive in order); fails if none comes. */
function nextCleanup(after: number) {
  const giveUp = Date.now() + 15_000;
  return new Promise<(typeof completed)[number]>((resolve, reject) => {
    const check = () => {
      const e = completed.find((x, i) => i >= after && x.data.repository === REPOSITORY);
      if (e) resolve(e);
      else if (Date.now() > giveUp) reject(new Error('the scheduled cleanup did not run (no cleanup.completed event)'));
      else setTimeout(check, 20);
    };
    check();
  });
}

beforeAll(async () => {
  emu = await startEmulator(); // cleanupIntervalMs left at its default, 24 h of emulator time
  emu.emulator.events.on('cleanup.completed', (e) => void completed.push(e as (typeof completed)[number]));
  await emu.createRepository(REPO);
  digests.untaggedA = await pushImage('app', 'layer a');
  digests.untaggedB = await pushImage('app', 'layer b');
  digests.tagged = await pushImage('app', 'layer c', 'v1');
  digests.otherTagged = await pushImage('tools', 'layer d', 'stable');
});

afterAll(() => emu?.stop());

it('accepts policies as gcloud sends them and stores them canonically', async () => {
  const r = await call('PATCH', `/v1/${REPOSITORY}?updateMask=cleanupPolicies`, {
    cleanupPolicies: {
      'delete-untagged': { id: 'delete-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '86400.0s' } },
      'keep-tools': { id: 'keep-tools', action: 'KEEP', mostRecentVersions: { packageNamePrefixes: ['tools'], keepCount: 5 } },
    },
  });
  expect(r.status).toBe(200);
  expect(r.body.cleanupPolicies).toEqual({
    'delete-untagged': { id: 'delete-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '86400s' } },
    'keep-tools': { id: 'keep-tools', action: 'KEEP', mostRecentVersions: { packageNamePrefixes: ['tools'], keepCount: 5 } },
  });
  expect(r.body.cleanupPolicyDryRun ?? false).toBe(false);
});

it('advancing the clock by 25 h runs the policies on schedule: cleanup.completed arrives and the old untagged versions are gone', async () => {
  expect(await versionsOf('app')).toHaveLength(3);
  // 12 h: the first run is not due yet
  expect((await call('POST', '/_emulator/clock', { advance: '43200s' })).status).toBe(200);
  // 13 h more: 25 h since startup, the images are 25 h old, past the policy's day
  expect((await call('POST', '/_emulator/clock', { advance: '13h' })).status).toBe(200);
  const event = await nextCleanup(0);
  expect(event.data.dryRun).toBe(false);
  expect([...event.data.deleted].sort((a, b) => a.version.localeCompare(b.version))).toEqual(
    [digests.untaggedA!, digests.untaggedB!].sort().map((version) => ({ package: 'app', version, policy: 'delete-untagged' })),
  );
  expect(event.data.keptCount).toBe(2);
  // exactly one run: the 12 h move did not run the policies (a run then would have come first, deleting nothing)
  expect(completed.filter((e) => e.data.repository === REPOSITORY)).toHaveLength(1);
  expect(await versionsOf('app')).toEqual([digests.tagged]);
  expect(await versionsOf('tools')).toEqual([digests.otherTagged]);
});

it('runs again a day later, and honours cleanupPolicyDryRun on the schedule', async () => {
  const untagged = await pushImage('app', 'layer e');
  expect((await call('PATCH', `/v1/${REPOSITORY}?updateMask=cleanupPolicyDryRun`, { cleanupPolicyDryRun: true })).status).toBe(200);
  const seen = completed.length;
  expect((await call('POST', '/_emulator/clock', { advance: '25h' })).status).toBe(200);
  const event = await nextCleanup(seen);
  expect(event.data.dryRun).toBe(true);
  expect(event.data.deleted).toEqual([{ package: 'app', version: untagged, policy: 'delete-untagged' }]);
  expect(await versionsOf('app')).toEqual([digests.tagged, untagged].sort());
});

it('after the clock goes back (reset), the next run is still at most one interval away', async () => {
  expect((await call('PATCH', `/v1/${REPOSITORY}?updateMask=cleanupPolicyDryRun`, { cleanupPolicyDryRun: false })).status).toBe(200);
  // far ahead: a run, and the next one due a day after that
  let seen = completed.length;
  expect((await call('POST', '/_emulator/clock', { advance: '30d' })).status).toBe(200);
  await nextCleanup(seen);
  expect(await versionsOf('app')).toEqual([digests.tagged]);
  // back to real time; push an untagged image and let a bit over a day pass
  expect((await call('POST', '/_emulator/clock', { reset: true })).body.offsetSeconds).toBe(0);
  const fresh = await pushImage('app', 'layer f');
  seen = completed.length;
  expect((await call('POST', '/_emulator/clock', { advance: '25h' })).status).toBe(200);
  const event = await nextCleanup(seen);
  expect(event.data.deleted).toEqual([{ package: 'app', version: fresh, policy: 'delete-untagged' }]);
  expect(await versionsOf('app')).toEqual([digests.tagged]);
});

it('a run asked for while the scheduled one is due waits for it: each version is deleted once, none reported failed', async () => {
  const pushedNow = [await pushImage('app', 'layer g'), await pushImage('app', 'layer h'), await pushImage('app', 'layer i')];
  const seen = completed.length;
  // the move makes the scheduled run due; the on-demand run is asked for at once, before it has finished
  const [moved, onDemand] = await Promise.all([
    call('POST', '/_emulator/clock', { advance: '2d' }),
    new Promise((r) => setImmediate(r)).then(() => call('POST', '/_emulator/cleanup:run', { repository: REPOSITORY })),
  ]);
  expect(moved.status).toBe(200);
  expect(onDemand.status).toBe(200);
  expect(onDemand.body.failed).toBeUndefined();
  await nextCleanup(seen);
  while (completed.length < seen + 2) await new Promise((r) => setTimeout(r, 20));
  const deleted = completed.slice(seen).flatMap((e) => e.data.deleted.map((x) => x.version));
  expect(deleted.sort()).toEqual([...pushedNow].sort());
  expect(await versionsOf('app')).toEqual([digests.tagged]);
});
