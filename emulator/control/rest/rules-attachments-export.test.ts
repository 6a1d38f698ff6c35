// Rules, attachments, VPC-SC config and ExportArtifact over REST (issue 17): shapes, validation texts, and what each
// does to the data plane (a rule blocks a download, an attachment is an OCI referrer, VPC-SC DENY stops upstream
// fetches, an export writes the version's files under the Cloud Storage root).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRegistry, sha256 } from '../../../test/support/registry.js';

const t = useRegistry(['repo']);
const P = 'projects/test-project/locations/us-central1';
const REPO = `${P}/repositories/repo`;
type ErrorBody = { error?: { code: number; status: string; message: string; details?: Array<{ fieldViolations?: Array<{ field: string }> }> } };

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${t.emu.url}/v1/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & ErrorBody };
};
const multipart = (meta: unknown, bytes: string) => `--b\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(meta)}\r\n--b\r\n\r\n${bytes}\r\n--b--\r\n`;

let digest = '';
let layer = '';
beforeAll(async () => {
  const manifest = await t.reg.imageManifest('test-project/repo/app', 'layer-bytes-for-export');
  layer = (manifest.layers as Array<{ digest: string }>)[0]!.digest;
  const res = await t.reg.putManifest('test-project/repo/app', 'v1', manifest);
  digest = res.headers.get('docker-content-digest')!;
});

describe('createRule', () => {
  it('stores a rule with its condition and answers it; refuses a second rule for the same package and a duplicate id', async () => {
    const created = await call('POST', `${REPO}/rules?ruleId=no-old`, { action: 'DENY', operation: 'DOWNLOAD', packageId: 'app', condition: { expression: "pkg.version.id.startsWith('sha256:0')", title: 't' } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ name: `${REPO}/rules/no-old`, action: 'DENY', operation: 'DOWNLOAD', packageId: 'app', condition: { expression: "pkg.version.id.startsWith('sha256:0')", title: 't' } });
    expect((await call('POST', `${REPO}/rules?ruleId=no-old`, { action: 'ALLOW', packageId: 'other' })).status).toBe(409);
    const same = await call('POST', `${REPO}/rules?ruleId=second`, { action: 'ALLOW', packageId: 'app' });
    expect([same.status, same.body.error?.message]).toEqual([409, `A rule for package "app" already exists: ${REPO}/rules/no-old.`]);
  });

  it('refuses a bad CEL condition, a missing action, an invalid id and unknown fields, naming the field', async () => {
    const cel = await call('POST', `${REPO}/rules?ruleId=bad`, { action: 'DENY', condition: { expression: 'pkg.version.id <' } });
    expect([cel.status, cel.body.error?.details?.[0]?.fieldViolations?.[0]?.field]).toEqual([400, 'rule.condition.expression']);
    const typed = await call('POST', `${REPO}/rules?ruleId=bad`, { action: 'DENY', condition: { expression: 'pkg.nope == 1' } });
    expect(typed.status).toBe(400);
    const action = await call('POST', `${REPO}/rules?ruleId=bad`, { operation: 'DOWNLOAD' });
    expect(action.body.error?.message).toBe('Invalid value for field "rule.action": ALLOW or DENY is required.');
    expect((await call('POST', `${REPO}/rules?ruleId=${encodeURIComponent('bad id')}`, { action: 'DENY' })).status).toBe(400);
    const unknown = await call('POST', `${REPO}/rules?ruleId=bad`, { action: 'DENY', colour: 'red' });
    expect(unknown.body.error?.message).toBe('Invalid JSON payload received. Unknown name "colour" at \'rule\': Cannot find field.');
  });
});

describe('getRule', () => {
  it('answers the stored rule; NOT_FOUND for another id', async () => {
    expect((await call('GET', `${REPO}/rules/no-old`)).body.action).toBe('DENY');
    expect((await call('GET', `${REPO}/rules/nothing`)).status).toBe(404);
  });
});

describe('listRules', () => {
  it('lists the repository rules, with numeric enums when asked', async () => {
    expect((await call('GET', `${REPO}/rules`)).body.rules).toHaveLength(1);
    const ints = await call('GET', `${REPO}/rules?%24alt=json%3Benum-encoding%3Dint`);
    expect((ints.body.rules as Array<{ action: number; operation: number }>)[0]).toMatchObject({ action: 2, operation: 1 });
  });
});

describe('updateRule', () => {
  it('changes only the fields in the mask; a repository-wide DENY then blocks docker pulls with the rule named', async () => {
    const updated = await call('PATCH', `${REPO}/rules/no-old?updateMask=condition,package_id`, { action: 'ALLOW' });
    expect(updated.body).toEqual({ name: `${REPO}/rules/no-old`, action: 'DENY', operation: 'DOWNLOAD' });
    const pull = await t.reg.fetch('/v2/test-project/repo/app/manifests/v1');
    expect(pull.status).toBe(403);
    expect(JSON.stringify(await pull.json())).toContain(`is denied by rule \\"${REPO}/rules/no-old\\"`);
    expect((await call('PATCH', `${REPO}/rules/no-old?updateMask=name`, {})).status).toBe(400);
  });
});

describe('deleteRule', () => {
  it('removes the rule and the download goes on again', async () => {
    expect((await call('DELETE', `${REPO}/rules/no-old`)).body).toEqual({});
    expect((await t.reg.fetch('/v2/test-project/repo/app/manifests/v1')).status).toBe(200);
    expect((await call('DELETE', `${REPO}/rules/no-old`)).status).toBe(404);
  });
});

describe('createAttachment', () => {
  it('stores an attachment of an image as an OCI referrer the registry lists, and answers a done operation', async () => {
    const sbom = await t.reg.pushBlob('test-project/repo/app', '{"spdxVersion":"SPDX-2.3"}');
    const op = await call('POST', `${REPO}/attachments?attachmentId=sbom`, {
      target: `${REPO}/packages/app/versions/${digest}`, type: 'application/spdx+json', attachmentNamespace: 'example.com',
      files: [`${REPO}/files/${sbom}`], annotations: { tool: 'syft' },
    });
    expect(op.status).toBe(200);
    const attachment = (op.body as { response: Record<string, unknown>; done: boolean }).response;
    expect(op.body.done).toBe(true);
    expect(attachment).toMatchObject({ '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.Attachment', name: `${REPO}/attachments/sbom`, type: 'application/spdx+json', files: [`${REPO}/files/${sbom}`] });
    const referrers = (await (await t.reg.fetch(`/v2/test-project/repo/app/referrers/${digest}`)).json()) as { manifests: Array<{ digest: string; artifactType: string; annotations?: Record<string, string> }> };
    expect(referrers.manifests).toHaveLength(1);
    expect(referrers.manifests[0]).toMatchObject({ artifactType: 'application/spdx+json', annotations: { tool: 'syft' } });
    expect(attachment.ociVersionName).toBe(`${REPO}/packages/app/versions/${referrers.manifests[0]!.digest}`);
    expect((await call('POST', `${REPO}/attachments?attachmentId=sbom`, { target: `${REPO}/packages/app/versions/${digest}`, type: 'x', files: [`${REPO}/files/${sbom}`] })).status).toBe(409);
  });

  it('refuses a missing target or files, a target in another repository and a file that is not there', async () => {
    expect((await call('POST', `${REPO}/attachments?attachmentId=a1`, { files: [] })).body.error?.message).toBe('Field "attachment.target" is required.');
    expect((await call('POST', `${REPO}/attachments?attachmentId=a1`, { target: REPO, files: [] })).status).toBe(400);
    expect((await call('POST', `${REPO}/attachments?attachmentId=a1`, { target: `${P}/repositories/other`, files: [`${REPO}/files/${layer}`] })).status).toBe(400);
    expect((await call('POST', `${REPO}/attachments?attachmentId=a1`, { target: REPO, files: [`${REPO}/files/${sha256('none')}`] })).status).toBe(404);
  });
});

describe('listAttachments', () => {
  it('lists created attachments and referrers pushed by clients, filtered by type', async () => {
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: await t.reg.pushBlob('test-project/repo/app', '{}'), size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: await t.reg.pushBlob('test-project/repo/app', 'sig'), size: 3 }],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 } };
    const pushed = await t.reg.putManifest('test-project/repo/app', sha256(JSON.stringify(manifest)), manifest);
    expect(pushed.status).toBe(201);
    const all = (await call('GET', `${REPO}/attachments`)).body.attachments as Array<{ name: string; type: string }>;
    expect(all.map((a) => a.type).sort()).toEqual(['application/spdx+json', 'application/vnd.dev.cosign.simplesigning.v1+json']);
    const signed = all.find((a) => a.type.includes('cosign'))!;
    expect(signed.name).toBe(`${REPO}/attachments/oci-${pushed.headers.get('docker-content-digest')!.slice('sha256:'.length)}`);
    const filtered = (await call('GET', `${REPO}/attachments?filter=${encodeURIComponent('type="application/spdx+json"')}`)).body.attachments as unknown[];
    expect(filtered).toHaveLength(1);
  });
});

describe('getAttachment', () => {
  it('answers a created attachment and a client-pushed referrer by name', async () => {
    expect((await call('GET', `${REPO}/attachments/sbom`)).body.attachmentNamespace).toBe('example.com');
    const all = (await call('GET', `${REPO}/attachments`)).body.attachments as Array<{ name: string }>;
    const oci = all.find((a) => a.name.includes('/oci-'))!;
    expect((await call('GET', oci.name)).body).toEqual(oci);
    expect((await call('GET', `${REPO}/attachments/none`)).status).toBe(404);
  });
});

describe('deleteAttachment', () => {
  it('deletes the attachment and its OCI referrer', async () => {
    const op = await call('DELETE', `${REPO}/attachments/sbom`);
    expect(op.body).toMatchObject({ done: true, response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } });
    const left = (await call('GET', `${REPO}/attachments`)).body.attachments as Array<{ type: string }>;
    expect(left.map((a) => a.type)).toEqual(['application/vnd.dev.cosign.simplesigning.v1+json']);
    const referrers = (await (await t.reg.fetch(`/v2/test-project/repo/app/referrers/${digest}`)).json()) as { manifests: unknown[] };
    expect(referrers.manifests).toHaveLength(1);
  });
});

describe('getVpcscConfig', () => {
  it('answers VPCSC_POLICY_UNSPECIFIED for a location never configured', async () => {
    expect((await call('GET', `${P}/vpcscConfig`)).body).toEqual({ name: `${P}/vpcscConfig`, vpcscPolicy: 'VPCSC_POLICY_UNSPECIFIED' });
    expect((await call('GET', 'projects/test-project/locations/nowhere-9/vpcscConfig')).status).toBe(400);
  });
});

describe('updateVpcscConfig', () => {
  it('stores DENY and ALLOW; refuses other mask paths and values', async () => {
    expect((await call('PATCH', `${P}/vpcscConfig?updateMask=vpcsc_policy`, { vpcscPolicy: 'DENY' })).body.vpcscPolicy).toBe('DENY');
    expect((await call('GET', `${P}/vpcscConfig`)).body.vpcscPolicy).toBe('DENY');
    expect((await call('PATCH', `${P}/vpcscConfig`, { vpcscPolicy: 'ALLOW' })).body.vpcscPolicy).toBe('ALLOW');
    expect((await call('PATCH', `${P}/vpcscConfig?updateMask=name`, { vpcscPolicy: 'DENY' })).status).toBe(400);
    expect((await call('PATCH', `${P}/vpcscConfig`, { vpcscPolicy: 'MAYBE' })).status).toBe(400);
    expect((await call('PATCH', `${P}/vpcscConfig?updateMask=vpcsc_policy`, { vpcscPolicy: 'VPCSC_POLICY_UNSPECIFIED' })).body.vpcscPolicy).toBe('VPCSC_POLICY_UNSPECIFIED');
  });
});

describe('exportArtifact', () => {
  it('writes the version\'s layers under the Cloud Storage root and lists them with hashes in the metadata', async () => {
    const op = await call('POST', `${REPO}:exportArtifact`, { sourceTag: `${REPO}/packages/app/tags/v1`, gcsPath: 'exports/app' });
    expect(op.status).toBe(200);
    const metadata = op.body.metadata as { '@type': string; exportedFiles: Array<{ name: string; gcsObjectPath: string; hashes: Array<{ type: string; value: string }> }> };
    expect(metadata['@type']).toBe('type.googleapis.com/google.devtools.artifactregistry.v1.ExportArtifactMetadata');
    expect(metadata.exportedFiles).toEqual([{ name: `${REPO}/files/${layer}`, gcsObjectPath: `exports/app/${layer}`, hashes: [{ type: 'SHA256', value: Buffer.from(layer.slice(7), 'hex').toString('base64') }] }]);
    expect((op.body.response as { exportedVersion: { name: string } }).exportedVersion.name).toBe(`${REPO}/packages/app/versions/${digest}`);
    expect(await readFile(join(t.emu.dataDir, 'gcs', 'exports', 'app', layer), 'utf8')).toBe('layer-bytes-for-export');
  });

  it('exports a generic version\'s files; refuses a gs:// path, a path that climbs, and both or neither source', async () => {
    await t.emu.createRepository('gen', { format: 'GENERIC' });
    const up = await fetch(`${t.emu.url}/upload/v1/${P}/repositories/gen/genericArtifacts:create?uploadType=multipart`, {
      method: 'POST', headers: { 'content-type': 'multipart/related; boundary=b' }, body: multipart({ packageId: 'tool', versionId: '1.0', filename: 'tool.bin' }, 'tool-bytes'),
    });
    expect(up.status).toBe(200);
    const op = await call('POST', `${P}/repositories/gen:exportArtifact`, { sourceVersion: `${P}/repositories/gen/packages/tool/versions/1.0`, gcsPath: 'bucket-1' });
    expect((op.body.metadata as { exportedFiles: Array<{ gcsObjectPath: string }> }).exportedFiles.map((f) => f.gcsObjectPath)).toEqual(['bucket-1/tool.bin']);
    expect(await readFile(join(t.emu.dataDir, 'gcs', 'bucket-1', 'tool.bin'), 'utf8')).toBe('tool-bytes');
    const bad = (gcsPath: string) => call('POST', `${P}/repositories/gen:exportArtifact`, { sourceVersion: `${P}/repositories/gen/packages/tool/versions/1.0`, gcsPath });
    expect((await bad('gs://bucket-1')).status).toBe(400);
    expect((await bad('bucket-1/../../etc')).status).toBe(400);
    expect((await call('POST', `${REPO}:exportArtifact`, { gcsPath: 'b1x' })).status).toBe(400);
  });
});

describe('rules on other download paths', () => {
  it('a package DENY refuses files.download of that package in a generic repository, in Google JSON, and leaves other packages alone', async () => {
    const gen = `${P}/repositories/gen`;
    const upload = (pkg: string) => fetch(`${t.emu.url}/upload/v1/${gen}/genericArtifacts:create?uploadType=multipart`, {
      method: 'POST', headers: { 'content-type': 'multipart/related; boundary=b' }, body: multipart({ packageId: pkg, versionId: '2.0', filename: `${pkg}.bin` }, `${pkg}-bytes`),
    });
    expect((await upload('blocked')).status).toBe(200);
    expect((await upload('free')).status).toBe(200);
    expect((await call('POST', `${gen}/rules?ruleId=no-blocked`, { action: 'DENY', packageId: 'blocked', condition: { expression: "pkg.version.id == '2.0'" } })).status).toBe(200);
    const denied = await fetch(`${t.emu.url}/v1/${gen}/files/blocked:2.0:blocked.bin:download?alt=media`);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as ErrorBody).error).toMatchObject({ status: 'PERMISSION_DENIED', message: `Download of version "2.0" of package "blocked" in ${gen} is denied by rule "${gen}/rules/no-blocked".` });
    const free = await fetch(`${t.emu.url}/v1/${gen}/files/free:2.0:free.bin:download?alt=media`);
    expect([free.status, await free.text()]).toEqual([200, 'free-bytes']);
  });
});
