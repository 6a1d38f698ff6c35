// The scan pipeline and the Container Analysis occurrences API (issue 13, spec ar-fidelity §6.1-6.3), with a fake
// layer inventory extractor: each layer holds a JSON list of installed packages (what the real extractor would find
// in a dpkg status, a package-lock.json, a dist-info), or `FAIL:reason`. Images are pushed over HTTP (OCI
// distribution API); the seed advisory database is the one bundled. Asserts: a push produces exactly the expected
// occurrences (ids, severities, fixed versions) and nothing else; fixed versions produce none; an import updates stored
// images without a push; a tag move does not rescan; scanning DISABLED scans nothing; a failing extractor fails the
// scan, not the push; gcloud's filters; pages; errors in Google's JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Readable } from 'node:stream';
import { Registry, sha256 } from '../../support/registry.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { occurrenceId } from '../../../emulator/scanning/occurrences.js';
import { InventoryError, type ExtractInventory, type InventoryPackage } from '../../../emulator/scanning/inventory/types.js';

const P = TEST_PROJECT;
const L = TEST_LOCATION;

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** The fake extractor: a layer is `{"os": …, "packages": […]}` or `FAIL:reason`. */
const fakeExtract: ExtractInventory = async (layers) => {
  const packages: InventoryPackage[] = [];
  let os: { id: string; versionId?: string } | undefined;
  for (const layer of layers) {
    const body = await text(await layer.open());
    if (body.startsWith('FAIL:')) throw new InventoryError(body.slice(5));
    const doc = JSON.parse(body) as { os?: { id: string; versionId?: string }; packages: InventoryPackage[] };
    os = doc.os ?? os;
    packages.push(...doc.packages);
  }
  return { ...(os ? { os } : {}), packages, warnings: [] };
};

const dpkg = (name: string, version: string, source: string): InventoryPackage => ({
  ecosystem: 'Debian', name, version, source: { name: source, version }, release: '12', packageType: 'OS', filePath: '/var/lib/dpkg/status',
});
const npm = (name: string, version: string): InventoryPackage => ({ ecosystem: 'npm', name, version, packageType: 'NPM', filePath: '/app/package-lock.json' });
const pypi = (name: string, version: string): InventoryPackage => ({
  ecosystem: 'PyPI', name, version, packageType: 'PYPI', filePath: `/usr/lib/python3/dist-packages/${name}-${version}.dist-info/METADATA`,
});

const VULNERABLE = {
  os: { id: 'debian', versionId: '12' },
  packages: [
    dpkg('libc6', '2.36-9+deb12u1', 'glibc'),
    dpkg('libssl3', '3.0.11-1~deb12u1', 'openssl'),
    npm('lodash', '4.17.20'),
    npm('minimist', '1.2.5'),
    npm('express', '4.18.2'),
    pypi('requests', '2.30.0'),
  ],
};
const FIXED = {
  os: { id: 'debian', versionId: '12' },
  packages: [
    dpkg('libc6', '2.36-9+deb12u3', 'glibc'),
    dpkg('libssl3', '3.0.11-1~deb12u2', 'openssl'),
    npm('lodash', '4.17.21'),
    npm('minimist', '1.2.6'),
    npm('express', '4.18.2'),
    pypi('requests', '2.31.0'),
  ],
};

interface Occ {
  name: string;
  resourceUri: string;
  noteName: string;
  kind: string;
  vulnerability?: {
    severity?: string;
    cvssScore?: number;
    fixAvailable: boolean;
    shortDescription: string;
    type: string;
    packageIssue: Array<{ affectedPackage: string; affectedVersion: Record<string, unknown>; fixedVersion: Record<string, unknown>; fixAvailable: boolean; packageType: string; fileLocation: Array<{ filePath: string }> }>;
  };
  discovery?: { analysisStatus: string; continuousAnalysis: string; analysisStatusError?: { message: string }; lastScanTime?: string };
}

let emu: TestEmulator;
let reg: Registry;

async function pushImage(repo: string, image: string, tag: string, layer: string): Promise<{ digest: string; uri: string; status: number }> {
  const name = `${P}/${repo}/${image}`;
  const m = await reg.imageManifest(name, layer);
  const res = await reg.putManifest(name, tag, m);
  const body = JSON.stringify(m);
  await res.arrayBuffer();
  const digest = sha256(body);
  return { digest, uri: `https://${L}-docker.pkg.dev/${P}/${repo}/${image}@${digest}`, status: res.status };
}

const get = async (path: string) => {
  const res = await fetch(`${emu.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const listOccurrences = async (filter: string, extra = '') =>
  ((await get(`/v1/projects/${P}/occurrences?filter=${encodeURIComponent(filter)}&pageSize=1000${extra}`)).body.occurrences ?? []) as Occ[];
const discoveryOf = async (uri: string) =>
  (await listOccurrences(`(noteId = "PACKAGE_VULNERABILITY") AND (kind = "DISCOVERY") AND (resourceUrl = "${uri}")`))[0];
const vulnerabilitiesOf = (uri: string) => listOccurrences(`((kind = "VULNERABILITY")) AND ((resourceUrl = "${uri}"))`);

/** Polls until the image's DISCOVERY occurrence says FINISHED_* (and `ready`, when given, holds). */
async function scanned(uri: string, ready: (d: Occ) => boolean | Promise<boolean> = () => true): Promise<Occ> {
  for (let i = 0; i < 500; i++) {
    const d = await discoveryOf(uri);
    if (d && d.discovery?.analysisStatus.startsWith('FINISHED') && (await ready(d))) return d;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no finished scan for ${uri}`);
}

const summaryOf = (occs: Occ[]) =>
  occs
    .map((o) => ({
      id: o.vulnerability!.shortDescription,
      severity: o.vulnerability!.severity,
      packages: o.vulnerability!.packageIssue.map((p) => `${p.affectedPackage} ${String(p.affectedVersion.fullName)} -> ${p.fixedVersion.kind === 'MAXIMUM' ? '(none)' : String(p.fixedVersion.fullName)}`),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));

beforeAll(async () => {
  emu = await startEmulator({ extractInventory: fakeExtract });
  reg = new Registry(emu.url);
  await emu.createRepository('scanned');
  // the seed is loaded once the server is ready; the database's API answers after it
  expect((await get('/_emulator/vulndb')).body.advisories).toBe(12);
});
afterAll(() => emu?.stop());

describe('scan on push', () => {
  let vulnerable: { digest: string; uri: string; status: number };

  beforeAll(async () => {
    vulnerable = await pushImage('scanned', 'app', 'v1', JSON.stringify(VULNERABLE));
  });

  it('produces exactly the findings of the seed advisories, with ids stable per (image, advisory)', async () => {
    expect(vulnerable.status).toBe(201);
    const discovery = await scanned(vulnerable.uri);
    expect(discovery).toMatchObject({
      name: `projects/${P}/occurrences/${occurrenceId(vulnerable.uri, 'DISCOVERY')}`,
      resourceUri: vulnerable.uri,
      noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
      kind: 'DISCOVERY',
      discovery: { continuousAnalysis: 'ACTIVE', analysisStatus: 'FINISHED_SUCCESS' },
    });
    expect(discovery.discovery?.lastScanTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    const occs = await vulnerabilitiesOf(vulnerable.uri);
    expect(summaryOf(occs)).toEqual([
      { id: 'DSA-5514-1', severity: undefined, packages: ['glibc 2.36-9+deb12u1 -> 2.36-9+deb12u3'] },
      { id: 'DSA-5532-1', severity: undefined, packages: ['openssl 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2'] },
      { id: 'GHSA-35jh-r3h4-6jhm', severity: 'HIGH', packages: ['lodash 4.17.20 -> 4.17.21'] },
      { id: 'GHSA-j8r2-6x86-q33q', severity: 'MEDIUM', packages: ['requests 2.30.0 -> 2.31.0'] },
      { id: 'GHSA-xvch-5gv4-984h', severity: 'CRITICAL', packages: ['minimist 1.2.5 -> 1.2.6'] },
    ]);
    for (const o of occs) expect(o.name).toBe(`projects/${P}/occurrences/${occurrenceId(vulnerable.uri, o.vulnerability!.shortDescription)}`);
  });

  it('writes the Grafeas shape of spec §6.3', async () => {
    const [lodash] = (await vulnerabilitiesOf(vulnerable.uri)).filter((o) => o.vulnerability?.shortDescription === 'GHSA-35jh-r3h4-6jhm');
    expect(lodash).toMatchObject({
      resourceUri: vulnerable.uri,
      noteName: 'projects/goog-vulnz/notes/GHSA-35jh-r3h4-6jhm',
      kind: 'VULNERABILITY',
      vulnerability: {
        severity: 'HIGH', cvssScore: 7.2, effectiveSeverity: 'HIGH', fixAvailable: true, type: 'NPM',
        packageIssue: [{
          affectedPackage: 'lodash', affectedVersion: { name: '4.17.20', kind: 'NORMAL', fullName: '4.17.20' },
          fixedPackage: 'lodash', fixedVersion: { name: '4.17.21', kind: 'NORMAL', fullName: '4.17.21' },
          fixAvailable: true, packageType: 'NPM', effectiveSeverity: 'HIGH', fileLocation: [{ filePath: '/app/package-lock.json' }],
        }],
      },
    });
    const [openssl] = (await vulnerabilitiesOf(vulnerable.uri)).filter((o) => o.vulnerability?.shortDescription === 'DSA-5532-1');
    expect(openssl!.vulnerability!.packageIssue[0]).toMatchObject({
      affectedCpeUri: 'cpe:/o:debian:debian_linux:12',
      affectedVersion: { name: '3.0.11', revision: '1~deb12u1', kind: 'NORMAL', fullName: '3.0.11-1~deb12u1' },
      fixedVersion: { name: '3.0.11', revision: '1~deb12u2', kind: 'NORMAL', fullName: '3.0.11-1~deb12u2' },
      packageType: 'OS', fileLocation: [{ filePath: '/var/lib/dpkg/status' }],
    });
    // one by name, its note, the vulnerability note and the DISCOVERY note
    const id = lodash!.name.split('/').pop()!;
    expect((await get(`/v1/projects/${P}/occurrences/${id}`)).body).toEqual(lodash);
    expect((await get(`/v1/projects/${P}/locations/${L}/occurrences/${id}`)).body).toEqual(lodash);
    expect((await get(`/v1/projects/${P}/occurrences/${id}/notes`)).body).toMatchObject({ name: 'projects/goog-vulnz/notes/GHSA-35jh-r3h4-6jhm', kind: 'VULNERABILITY', vulnerability: { severity: 'HIGH', cvssScore: 7.2 } });
    expect((await get('/v1/projects/goog-analysis/notes/PACKAGE_VULNERABILITY')).body).toMatchObject({ kind: 'DISCOVERY' });
  });

  it('answers the vulnerability summary per image and severity', async () => {
    const { body } = await get(`/v1/projects/${P}/occurrences:vulnerabilitySummary?filter=${encodeURIComponent(`resourceUrl = "${vulnerable.uri}"`)}`);
    const counts = (body.counts as Array<Record<string, string>>).map((c) => `${c.severity ?? '-'} ${c.totalCount} ${c.fixableCount}`).sort();
    expect(counts).toEqual(['- 2 2', 'CRITICAL 1 1', 'HIGH 1 1', 'MEDIUM 1 1']);
  });

  it('does not scan a digest again when a tag is moved to it or it is pushed again', async () => {
    const name = `${P}/scanned/app`;
    const m = await reg.imageManifest(name, JSON.stringify(VULNERABLE));
    expect((await reg.putManifest(name, 'v1-again', m)).status).toBe(201);
    // a later image's scan finishing means the queue got past anything the retag could have queued
    const later = await pushImage('scanned', 'later', 'v1', JSON.stringify({ packages: [] }));
    await scanned(later.uri);
    const starts = emu.emulator.events.replay(0, 500).filter((e) => e.type === 'scan.started' && (e.data as { resourceUri: string }).resourceUri === vulnerable.uri);
    expect(starts).toHaveLength(1);
    const completed = emu.emulator.events.replay(0, 500).find((e) => e.type === 'scan.completed' && (e.data as { resourceUri: string }).resourceUri === vulnerable.uri);
    expect(completed?.data).toMatchObject({ counts: { CRITICAL: 1, HIGH: 1, MEDIUM: 1, SEVERITY_UNSPECIFIED: 2 }, total: 5, fixable: 5, worst: 'CRITICAL' });
  });

  it('finds nothing in the same image with the fixed versions', async () => {
    const fixed = await pushImage('scanned', 'app', 'v2', JSON.stringify(FIXED));
    expect((await scanned(fixed.uri)).discovery?.analysisStatus).toBe('FINISHED_SUCCESS');
    expect(await vulnerabilitiesOf(fixed.uri)).toEqual([]);
  });

  it('updates the findings of stored images when an advisory is imported, without a push', async () => {
    const fixed = await pushImage('scanned', 'app', 'v2', JSON.stringify(FIXED));
    await scanned(fixed.uri);
    // express 4.18.2 (in both images): CVE-2024-29041, fixed in 4.19.2
    const advisory = {
      schema_version: '1.6.0', id: 'GHSA-rv95-896h-c2vc', modified: '2024-03-25T19:40:26Z', published: '2024-03-25T19:40:26Z',
      aliases: ['CVE-2024-29041'], summary: 'Express.js Open Redirect in malformed URLs',
      affected: [{ package: { ecosystem: 'npm', name: 'express' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.19.2' }] }] }],
      database_specific: { severity: 'MODERATE' },
    };
    const res = await fetch(`${emu.url}/_emulator/vulndb:import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(advisory) });
    expect(((await res.json()) as { added: number }).added).toBe(1);
    const hasExpress = async (uri: string) => (await vulnerabilitiesOf(uri)).some((o) => o.vulnerability?.shortDescription === 'GHSA-rv95-896h-c2vc');
    await scanned(fixed.uri, () => hasExpress(fixed.uri));
    await scanned(vulnerable.uri, () => hasExpress(vulnerable.uri));
    expect(summaryOf(await vulnerabilitiesOf(fixed.uri))).toEqual([{ id: 'GHSA-rv95-896h-c2vc', severity: 'MEDIUM', packages: ['express 4.18.2 -> 4.19.2'] }]);
    // the earlier findings of the vulnerable image kept their ids
    const ids = (await vulnerabilitiesOf(vulnerable.uri)).map((o) => o.name).sort();
    expect(ids).toEqual(['DSA-5514-1', 'DSA-5532-1', 'GHSA-35jh-r3h4-6jhm', 'GHSA-j8r2-6x86-q33q', 'GHSA-rv95-896h-c2vc', 'GHSA-xvch-5gv4-984h']
      .map((a) => `projects/${P}/occurrences/${occurrenceId(vulnerable.uri, a)}`).sort());
  });

  it('scans on demand: POST /_emulator/scans by resourceUri or by repository, image and tag', async () => {
    const res = await fetch(`${emu.url}/_emulator/scans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: `projects/${P}/locations/${L}/repositories/scanned`, image: 'app', tag: 'v1' }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { resourceUri: string; status: string; counts: Record<string, number>; worst: string };
    expect(body).toMatchObject({ resourceUri: vulnerable.uri, status: 'FINISHED_SUCCESS', worst: 'CRITICAL', counts: { CRITICAL: 1, HIGH: 1, MEDIUM: 2 } });
    const missing = await fetch(`${emu.url}/_emulator/scans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceUri: `https://${L}-docker.pkg.dev/${P}/scanned/app@sha256:${'0'.repeat(64)}` }) });
    expect(missing.status).toBe(404);
    const bad = await fetch(`${emu.url}/_emulator/scans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceUri: 'docker.io/library/nginx' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
  });
});

describe('scanning turned off, failing scans', () => {
  it('scans nothing in a repository with vulnerabilityScanningConfig DISABLED, and says so', async () => {
    const create = await fetch(`${emu.url}/v1/projects/${P}/locations/${L}/repositories?repositoryId=noscan`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'DOCKER', vulnerabilityScanningConfig: { enablementConfig: 'DISABLED' } }),
    });
    expect(create.status).toBe(200);
    const repo = (await get(`/v1/projects/${P}/locations/${L}/repositories/noscan`)).body;
    expect(repo.vulnerabilityScanningConfig).toMatchObject({ enablementConfig: 'DISABLED', enablementState: 'SCANNING_DISABLED' });
    expect((repo.vulnerabilityScanningConfig as { enablementStateReason: string }).enablementStateReason).toMatch(/disabled/i);
    expect(((await get(`/v1/projects/${P}/locations/${L}/repositories/scanned`)).body.vulnerabilityScanningConfig as object)).toMatchObject({ enablementState: 'SCANNING_ACTIVE' });
    const off = await pushImage('noscan', 'app', 'v1', JSON.stringify(VULNERABLE));
    expect(off.status).toBe(201);
    const after = await pushImage('scanned', 'after-noscan', 'v1', JSON.stringify({ packages: [] }));
    await scanned(after.uri);
    expect(await listOccurrences(`has_prefix(resourceUrl, "https://${L}-docker.pkg.dev/${P}/noscan/")`)).toEqual([]);
    // patched on: the state follows (images already pushed are scanned by the next rescan or on demand)
    const patch = await fetch(`${emu.url}/v1/projects/${P}/locations/${L}/repositories/noscan?updateMask=vulnerabilityScanningConfig.enablementConfig`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vulnerabilityScanningConfig: { enablementConfig: 'INHERITED' } }),
    });
    expect(((await patch.json()) as { vulnerabilityScanningConfig: object }).vulnerabilityScanningConfig).toMatchObject({ enablementConfig: 'INHERITED', enablementState: 'SCANNING_ACTIVE' });
  });

  it('answers SCANNING_UNSUPPORTED for other formats', async () => {
    await emu.createRepository('npmrepo', { format: 'NPM' });
    expect(((await get(`/v1/projects/${P}/locations/${L}/repositories/npmrepo`)).body.vulnerabilityScanningConfig as object)).toMatchObject({ enablementState: 'SCANNING_UNSUPPORTED' });
  });

  it('records FINISHED_FAILED with the reason when the extractor fails, and the push is unaffected', async () => {
    const broken = await pushImage('scanned', 'broken', 'v1', 'FAIL:layer 1 is not a tar archive (invalid header)');
    expect(broken.status).toBe(201);
    const d = await scanned(broken.uri);
    expect(d.discovery).toMatchObject({ analysisStatus: 'FINISHED_FAILED', analysisStatusError: { message: 'layer 1 is not a tar archive (invalid header)' } });
    expect(await vulnerabilitiesOf(broken.uri)).toEqual([]);
    const failed = emu.emulator.events.replay(0, 500).find((e) => e.type === 'scan.failed' && (e.data as { resourceUri: string }).resourceUri === broken.uri);
    expect(failed?.data).toMatchObject({ reason: 'layer 1 is not a tar archive (invalid header)' });
    // the image is served
    expect((await reg.fetch(`/v2/${P}/scanned/broken/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).status).toBe(200);
  });
});

describe('filters and pages', () => {
  it('takes the filters gcloud sends (spec §6.2)', async () => {
    const prefix = `https://${L}-docker.pkg.dev/${P}/scanned/`;
    const all = await listOccurrences(`has_prefix(resourceUrl, "${prefix}")`);
    expect(all.length).toBeGreaterThan(6);
    expect(all.every((o) => o.resourceUri.startsWith(prefix))).toBe(true);
    const discoveries = await listOccurrences(`has_prefix(resourceUrl, "${prefix}") AND (kind = "DISCOVERY" OR kind = "IMAGE" OR kind = "BUILD")`);
    expect(discoveries.length).toBeGreaterThan(0);
    expect(discoveries.every((o) => o.kind === 'DISCOVERY')).toBe(true);
    const vulnz = await listOccurrences('noteProjectId = "goog-vulnz" AND kind = VULNERABILITY');
    expect(vulnz.every((o) => o.kind === 'VULNERABILITY' && o.noteName.startsWith('projects/goog-vulnz/'))).toBe(true);
    expect(await listOccurrences('kind = "VULNERABILITY" AND NOT has_prefix(resourceUrl, "https://")')).toEqual([]);
  });

  it('answers INVALID_ARGUMENT for a filter that does not parse or names another field', async () => {
    for (const filter of ['kind = ', '(kind = "DISCOVERY"', 'severity = "HIGH"', 'has_suffix(resourceUrl, "x")', 'kind = "A" AND AND']) {
      const res = await get(`/v1/projects/${P}/occurrences?filter=${encodeURIComponent(filter)}`);
      expect(res.status, filter).toBe(400);
      expect((res.body.error as { status: string }).status).toBe('INVALID_ARGUMENT');
    }
  });

  it('pages with pageSize and pageToken, and refuses a foreign token', async () => {
    const all = await listOccurrences('');
    const seen: string[] = [];
    let token = '';
    for (let i = 0; i < 100; i++) {
      const { body } = await get(`/v1/projects/${P}/occurrences?pageSize=3${token ? `&pageToken=${token}` : ''}`);
      seen.push(...((body.occurrences ?? []) as Occ[]).map((o) => o.name));
      if (!body.nextPageToken) break;
      token = body.nextPageToken as string;
    }
    expect(seen).toEqual(all.map((o) => o.name));
    expect((await get(`/v1/projects/${P}/occurrences?pageToken=nonsense`)).status).toBe(400);
  });

  it('answers NOT_FOUND for an unknown occurrence or note, in Google JSON', async () => {
    const res = await get(`/v1/projects/${P}/occurrences/00000000-0000-0000-0000-000000000000`);
    expect(res.status).toBe(404);
    expect((res.body.error as { status: string }).status).toBe('NOT_FOUND');
    expect((await get('/v1/projects/goog-vulnz/notes/CVE-0000-0000')).status).toBe(404);
    expect((await get('/v1/projects/another-project/occurrences')).body).toEqual({});
  });
});

describe('deletes', () => {
  const gone = async (uri: string) => {
    for (let i = 0; i < 500; i++) {
      if ((await listOccurrences(`resourceUrl = "${uri}"`)).length === 0) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  };

  it("drops an image's occurrences when its manifest is deleted, and a repository's when it is deleted", async () => {
    await emu.createRepository('todelete');
    const a = await pushImage('todelete', 'a', 'v1', JSON.stringify(VULNERABLE));
    const b = await pushImage('todelete', 'b', 'v1', JSON.stringify(VULNERABLE));
    await scanned(a.uri);
    await scanned(b.uri);
    expect((await vulnerabilitiesOf(a.uri)).length).toBe(6);
    expect((await reg.fetch(`/v2/${P}/todelete/a/manifests/${a.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect(await gone(a.uri)).toBe(true);
    expect((await vulnerabilitiesOf(b.uri)).length).toBe(6);
    const del = await fetch(`${emu.url}/v1/projects/${P}/locations/${L}/repositories/todelete`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await gone(b.uri)).toBe(true);
  });
});

describe('manifest lists', () => {
  const INDEX = 'application/vnd.oci.image.index.v1+json';
  async function child(image: string, layer: string) {
    const name = `${P}/scanned/${image}`;
    const m = await reg.imageManifest(name, layer);
    const body = JSON.stringify(m);
    expect((await reg.putManifest(name, sha256(body), m)).status).toBe(201);
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(body), size: Buffer.byteLength(body) };
  }

  it('scans the first linux/amd64 image of a manifest list', async () => {
    const arm = await child('multi', JSON.stringify({ packages: [npm('ua-parser-js', '0.7.29')] }));
    const amd = await child('multi', JSON.stringify({ packages: [npm('minimist', '1.2.5')] }));
    const index = { schemaVersion: 2, mediaType: INDEX, manifests: [
      { ...arm, platform: { os: 'linux', architecture: 'arm64' } },
      { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
    ] };
    const res = await reg.putManifest(`${P}/scanned/multi`, 'latest', index, INDEX);
    expect(res.status).toBe(201);
    const uri = `https://${L}-docker.pkg.dev/${P}/scanned/multi@${sha256(JSON.stringify(index))}`;
    expect((await scanned(uri)).discovery?.analysisStatus).toBe('FINISHED_SUCCESS');
    expect(summaryOf(await vulnerabilitiesOf(uri))).toEqual([{ id: 'GHSA-xvch-5gv4-984h', severity: 'CRITICAL', packages: ['minimist 1.2.5 -> 1.2.6'] }]);
  });

  it('answers FINISHED_UNSUPPORTED for a list without a linux/amd64 image', async () => {
    const arm = await child('armonly', JSON.stringify({ packages: [] }));
    const index = { schemaVersion: 2, mediaType: INDEX, manifests: [{ ...arm, platform: { os: 'linux', architecture: 'arm64' } }] };
    expect((await reg.putManifest(`${P}/scanned/armonly`, 'latest', index, INDEX)).status).toBe(201);
    const d = await scanned(`https://${L}-docker.pkg.dev/${P}/scanned/armonly@${sha256(JSON.stringify(index))}`);
    expect(d.discovery).toMatchObject({ analysisStatus: 'FINISHED_UNSUPPORTED', analysisStatusError: { message: expect.stringMatching(/linux\/amd64/) } });
  });
});
