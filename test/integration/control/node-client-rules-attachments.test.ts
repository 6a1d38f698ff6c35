// The unmodified Node client (@google-cloud/artifact-registry) over both transports (REST fallback and plaintext
// gRPC) for the methods of issue 17: rules (create/list/get/update/delete, and a DENY rule refusing a pull), attachments
// (create and delete as long-running operations, list with a filter, get), the VPC-SC config, and ExportArtifact with
// its metadata. One scenario, run per transport (../shared/STYLE.md §E.4); images are pushed over the registry API.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeClientFor } from '../../support/node-client.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';
import { Registry } from '../../support/registry.js';

const PARENT = 'projects/test-project/locations/us-central1';


/** Enum values as the client hands them back: names over gRPC, and over REST (numeric enums on the wire) too. */
const name = (v: unknown, names: string[]) => (typeof v === 'number' ? names[v] : v);

describe.each(['rest', 'grpc'] as const)('the Node client over %s: rules, attachments, VPC-SC, export', (transport) => {
  let emu: TestEmulator;
  let client: ArtifactRegistryClient;
  let reg: Registry;
  const repoId = `r-${transport}`;
  const REPO = `${PARENT}/repositories/${repoId}`;
  let digest = '';
  let sbom = '';

  beforeAll(async () => {
    emu = await startEmulator();
    client = nodeClientFor(emu, transport);
    await emu.createRepository(repoId);
    reg = new Registry(emu.url);
    const manifest = await reg.imageManifest(`test-project/${repoId}/app`, 'node-client-layer');
    digest = (await reg.putManifest(`test-project/${repoId}/app`, 'v1', manifest)).headers.get('docker-content-digest')!;
    sbom = await reg.pushBlob(`test-project/${repoId}/app`, '{"spdxVersion":"SPDX-2.3"}');
  });
  afterAll(async () => {
    await client?.close();
    await emu?.stop();
  });

  it('creates, lists, gets, updates and deletes a rule; a DENY rule refuses the pull', async () => {
    const [created] = await client.createRule({ parent: REPO, ruleId: 'deny-app', rule: { action: 'DENY', operation: 'DOWNLOAD', packageId: 'app', condition: { expression: "pkg.version.id.startsWith('sha256:')" } } });
    expect(created.name).toBe(`${REPO}/rules/deny-app`);
    expect(name(created.action, ['ACTION_UNSPECIFIED', 'ALLOW', 'DENY'])).toBe('DENY');
    expect(created.condition?.expression).toBe("pkg.version.id.startsWith('sha256:')");
    expect((await reg.fetch(`/v2/test-project/${repoId}/app/manifests/v1`)).status).toBe(403);
    const [rules] = await client.listRules({ parent: REPO });
    expect(rules.map((r) => r.name)).toEqual([`${REPO}/rules/deny-app`]);
    const [got] = await client.getRule({ name: `${REPO}/rules/deny-app` });
    expect(got.packageId).toBe('app');
    const [updated] = await client.updateRule({ rule: { name: `${REPO}/rules/deny-app`, action: 'ALLOW' }, updateMask: { paths: ['action'] } });
    expect(name(updated.action, ['ACTION_UNSPECIFIED', 'ALLOW', 'DENY'])).toBe('ALLOW');
    expect((await reg.fetch(`/v2/test-project/${repoId}/app/manifests/v1`)).status).toBe(200);
    await client.deleteRule({ name: `${REPO}/rules/deny-app` });
    const [none] = await client.listRules({ parent: REPO });
    expect(none).toEqual([]);
  });

  it('creates an attachment (LRO) stored as an OCI referrer, lists it by type, gets it and deletes it (LRO)', async () => {
    const [op] = await client.createAttachment({
      parent: REPO, attachmentId: 'sbom',
      attachment: { target: `${REPO}/packages/app/versions/${digest}`, type: 'application/spdx+json', attachmentNamespace: 'example.com', files: [`${REPO}/files/${sbom}`] },
    });
    const [attachment] = await op.promise();
    expect(attachment.name).toBe(`${REPO}/attachments/sbom`);
    expect(attachment.ociVersionName).toMatch(new RegExp(`^${REPO}/packages/app/versions/sha256:[0-9a-f]{64}$`));
    const referrers = (await (await reg.fetch(`/v2/test-project/${repoId}/app/referrers/${digest}`)).json()) as { manifests: Array<{ artifactType: string }> };
    expect(referrers.manifests.map((m) => m.artifactType)).toEqual(['application/spdx+json']);
    const [listed] = await client.listAttachments({ parent: REPO, filter: 'type="application/spdx+json"' });
    expect(listed.map((a) => a.name)).toEqual([`${REPO}/attachments/sbom`]);
    const [got] = await client.getAttachment({ name: `${REPO}/attachments/sbom` });
    expect(got.files).toEqual([`${REPO}/files/${sbom}`]);
    const [del] = await client.deleteAttachment({ name: `${REPO}/attachments/sbom` });
    await del.promise();
    const [left] = await client.listAttachments({ parent: REPO });
    expect(left).toEqual([]);
  });

  it('reads and updates the VPC-SC config', async () => {
    const [initial] = await client.getVPCSCConfig({ name: `${PARENT}/vpcscConfig` });
    expect(name(initial.vpcscPolicy, ['VPCSC_POLICY_UNSPECIFIED', 'DENY', 'ALLOW'])).toBe('VPCSC_POLICY_UNSPECIFIED');
    const [updated] = await client.updateVPCSCConfig({ vpcscConfig: { name: `${PARENT}/vpcscConfig`, vpcscPolicy: 'DENY' }, updateMask: { paths: ['vpcsc_policy'] } });
    expect(name(updated.vpcscPolicy, ['VPCSC_POLICY_UNSPECIFIED', 'DENY', 'ALLOW'])).toBe('DENY');
    const [again] = await client.getVPCSCConfig({ name: `${PARENT}/vpcscConfig` });
    expect(name(again.vpcscPolicy, ['VPCSC_POLICY_UNSPECIFIED', 'DENY', 'ALLOW'])).toBe('DENY');
  });

  it('exports an image version to the Cloud Storage root with the real metadata', async () => {
    const [op] = await client.exportArtifact({ repository: REPO, sourceTag: `${REPO}/packages/app/tags/v1`, gcsPath: `exports-${transport}` });
    const [response, metadata] = await op.promise();
    expect(response.exportedVersion?.name).toBe(`${REPO}/packages/app/versions/${digest}`);
    const files = (metadata as { exportedFiles?: Array<{ name?: string; gcsObjectPath?: string; hashes?: Array<{ value?: unknown }> }> }).exportedFiles ?? [];
    expect(files).toHaveLength(1);
    expect(files[0]!.gcsObjectPath).toMatch(new RegExp(`^exports-${transport}/sha256:[0-9a-f]{64}$`));
    expect(files[0]!.hashes).toHaveLength(1);
    expect(await readFile(join(emu.dataDir, 'gcs', files[0]!.gcsObjectPath!), 'utf8')).toBe('node-client-layer');
  });
});
