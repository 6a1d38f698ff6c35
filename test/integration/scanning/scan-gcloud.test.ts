// Real gcloud against the occurrences API: `gcloud artifacts vulnerabilities list IMAGE@sha256:…` (with the
// containeranalysis and artifactregistry endpoints overridden, credentials disabled) sends the filters of spec §6.2
// and prints the findings and the latest scan of an image pushed here (scanned with a fake inventory extractor).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { Registry, sha256 } from '../../support/registry.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import type { ExtractInventory } from '../../../emulator/scanning/inventory/types.js';

const P = TEST_PROJECT;
const extract: ExtractInventory = async () => ({
  os: { id: 'debian', versionId: '12' },
  packages: [
    { ecosystem: 'npm', name: 'lodash', version: '4.17.20', packageType: 'NPM', filePath: '/app/package-lock.json' },
    { ecosystem: 'Debian', name: 'libssl3', version: '3.0.11-1~deb12u1', source: { name: 'openssl' }, release: '12', packageType: 'OS', filePath: '/var/lib/dpkg/status' },
  ],
  warnings: [],
});

describeWithClients(['gcloud'], 'gcloud artifacts vulnerabilities list', () => {
  let emu: TestEmulator;
  let config: string;
  let image: string;

  beforeAll(async () => {
    emu = await startEmulator({ extractInventory: extract, grpcPort: false });
    config = await mkdtemp(join(tmpdir(), 'are-gcloud-'));
    await emu.createRepository('repo');
    await fetch(`${emu.url}/_emulator/vulndb`).then((r) => r.json());
    const reg = new Registry(emu.url);
    const manifest = await reg.imageManifest(`${P}/repo/app`, 'layer');
    expect((await reg.putManifest(`${P}/repo/app`, 'v1', manifest)).status).toBe(201);
    image = `us-central1-docker.pkg.dev/${P}/repo/app@${sha256(JSON.stringify(manifest))}`;
    for (let i = 0; i < 500; i++) {
      const res = await fetch(`${emu.url}/v1/projects/${P}/occurrences?filter=${encodeURIComponent('kind = "DISCOVERY"')}`);
      const body = (await res.json()) as { occurrences?: Array<{ discovery: { analysisStatus: string } }> };
      if (body.occurrences?.[0]?.discovery.analysisStatus === 'FINISHED_SUCCESS') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  afterAll(async () => {
    await emu?.stop();
    if (config) await rm(config, { recursive: true, force: true });
  });

  const gcloud = (args: string[]) =>
    promisify(execFile)('gcloud', args, {
      env: {
        ...process.env, CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_DISABLE_PROMPTS: '1', CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true', CLOUDSDK_CORE_PROJECT: P,
        CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINERANALYSIS: `${emu.url}/`, CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${emu.url}/`,
      },
      timeout: 120_000,
    });

  it('lists the findings of the image as JSON', async () => {
    const { stdout } = await gcloud(['artifacts', 'vulnerabilities', 'list', image, '--format=json']);
    const rows = (JSON.parse(stdout) as Array<{ occurrence: { noteName: string; resourceUri: string; vulnerability: { fixAvailable: boolean } } }>)
      .map((r) => `${r.occurrence.noteName} ${r.occurrence.vulnerability.fixAvailable}`).sort();
    expect(rows).toEqual(['projects/goog-vulnz/notes/DSA-5532-1 true', 'projects/goog-vulnz/notes/GHSA-35jh-r3h4-6jhm true']);
  }, 130_000);

  it('prints the table with the latest scan', async () => {
    const { stdout } = await gcloud(['artifacts', 'vulnerabilities', 'list', image]);
    expect(stdout).toMatch(/Latest scan was at/);
    expect(stdout).toMatch(/GHSA-35jh-r3h4-6jhm\s*│\s*HIGH\s*│\s*7\.2\s*│\s*True/);
    expect(stdout).toMatch(/DSA-5532-1/);
  }, 130_000);

  // gcloud filters by the repository's pkg.dev prefix AND the images' dockerImages `uri` (here the emulator's host),
  // then keys the occurrences by `https://` + that uri: the emulator matches both forms and answers in the second.
  it('docker images list --show-occurrences shows the scan and the findings of each image', async () => {
    const { stdout } = await gcloud(['artifacts', 'docker', 'images', 'list', `us-central1-docker.pkg.dev/${P}/repo`, '--show-occurrences', '--format=json']);
    const rows = JSON.parse(stdout) as Array<{ package: string; version: string; DISCOVERY?: Array<{ resourceUri: string; discovery: { analysisStatus: string } }>; vuln_counts?: Record<string, number> }>;
    expect(rows).toHaveLength(1);
    expect(`${rows[0]!.package}@${rows[0]!.version}`).toBe(`${emu.registryHost.replace('127.0.0.1', 'localhost')}/${P}/repo/app@${image.split('@')[1]}`);
    expect(rows[0]!.DISCOVERY?.[0]?.discovery.analysisStatus).toBe('FINISHED_SUCCESS');
    // GHSA-35jh-r3h4-6jhm is HIGH; DSA-5532-1 carries no severity (the summary counts it without one)
    expect(rows[0]!.vuln_counts).toEqual({ HIGH: 1 });
  }, 130_000);
});
