// The enforce-mode IAM matrix: every identity of matrix-model.ts × every operation of OPERATIONS below, over the
// registry (/v2/), the REST control plane (/v1/) and gRPC, including the catalog, cross-repository mounts with
// and without `from`, and tag moves. Expectations come from the role and operation tables, never from the
// emulator; the run reports bypasses (allowed, should be denied) and over-denials (denied, should be allowed),
// and both must be 0. Denial texts and statuses are checked against docs/iam.md's "Denial texts".
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../emulator/index.js';
import { PERMISSIONS } from '../../../emulator/iam/permissions.js';
import { sha256 } from '../../support/registry.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';
import {
  IDENTITIES, P, PUBLIC_GRANTS, Q, RANK, REPOSITORIES, expectAllowed, held, isAnonymous, isInvalid, missingPermission,
  type Identity, type Target, type Verdict,
} from './matrix-model.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const L = `projects/${P}/locations/us-central1`;
const REPO = (r: string) => `${L}/repositories/${r}`;
const MAIN = REPO('main');
const PKG = `${MAIN}/packages/app`;
const IMG = `${P}/main/app`;
const main: Target = { project: P, repo: 'main' };

interface Outcome {
  verdict: Verdict | 'error';
  status?: number;
  message?: string;
  /** catalog: the `project/repo` of every listed image */
  listed?: string[];
  /** testIamPermissions: the permissions answered */
  permissions?: string[];
}
type Kind = 'plain' | 'mount' | 'catalog';
interface Op {
  id: string;
  transport: 'registry' | 'rest' | 'grpc';
  /** the operation id whose rule decides (iam/permissions.ts) */
  operation: string;
  /** where the rule is evaluated: the repository, or a fresh one carrying its policy */
  target: Target;
  kind?: Kind;
  /** owner-side setup of the fresh resources this identity's call consumes */
  prepare?: (slug: string) => Promise<void>;
  run: (auth: Record<string, string>, slug: string) => Promise<Outcome>;
}

let emu: TestEmulator;
let client: ArtifactRegistryClient;
const clock = new ManualClock(Date.now());
const ownerAuth: Record<string, string> = {};
const auths = new Map<Identity, Record<string, string>>();
const digests = { a: '', b: '', layerA: '', mainPolicy: {} as Record<string, unknown> };

async function http(method: string, path: string, auth: Record<string, string>, opts: { json?: unknown; raw?: string; type?: string; accept?: string } = {}): Promise<Response> {
  return fetch(`${emu.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { 'content-type': opts.type ?? 'application/json', ...(opts.accept ? { accept: opts.accept } : {}), ...auth },
    ...(opts.raw !== undefined ? { body: opts.raw } : opts.json !== undefined ? { body: JSON.stringify(opts.json) } : {}),
  });
}
async function must(res: Promise<Response>): Promise<Response> {
  const r = await res;
  if (r.status >= 300) throw new Error(`setup: ${r.status} ${await r.text()}`);
  return r;
}
async function verdictOf(res: Response, extract?: (body: unknown) => Partial<Outcome>): Promise<Outcome> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const b = body as { errors?: Array<{ message: string }>; error?: { message: string } } | undefined;
  const message = b?.errors?.[0]?.message ?? b?.error?.message;
  if (res.status === 401 || res.status === 403) return { verdict: 'denied', status: res.status, ...(message !== undefined ? { message } : {}) };
  if (res.status < 300) return { verdict: 'allowed', status: res.status, ...(extract ? extract(body) : {}) };
  return { verdict: 'error', status: res.status, message: text.slice(0, 300) };
}
const rest = (method: string, path: string, opts: { json?: unknown } = {}, extract?: (body: unknown) => Partial<Outcome>) =>
  async (auth: Record<string, string>) => verdictOf(await http(method, `/v1/${path}`, auth, opts), extract);
async function grpc(call: (o: { otherArgs: { headers: Record<string, string> } }) => Promise<unknown>, auth: Record<string, string>, extract?: (r: unknown) => Partial<Outcome>): Promise<Outcome> {
  try {
    const result = await call({ otherArgs: { headers: auth } });
    return { verdict: 'allowed', status: 0, ...(extract ? extract(result) : {}) };
  } catch (err) {
    const e = err as { code?: number; details?: string };
    if (e.code === 16 || e.code === 7) return { verdict: 'denied', status: e.code, ...(e.details !== undefined ? { message: e.details } : {}) };
    return { verdict: 'error', status: e.code ?? -1, message: String(e.details ?? err).slice(0, 300) };
  }
}

const pushBlob = (name: string, data: string) =>
  must(http('POST', `/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, ownerAuth, { raw: data, type: 'application/octet-stream' })).then(() => sha256(data));
async function pushImage(name: string, reference: string, layer: string, annotations?: Record<string, string>): Promise<string> {
  const config = await pushBlob(name, '{}');
  const layerDigest = await pushBlob(name, layer);
  const body = JSON.stringify({
    schemaVersion: 2, mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    ...(annotations ? { annotations } : {}),
  });
  await must(http('PUT', `/v2/${name}/manifests/${reference}`, ownerAuth, { raw: body, type: MANIFEST }));
  return sha256(body);
}
const manifestBody = async (layer: string) => (await (await must(http('GET', `/v2/${IMG}/manifests/${layer}`, ownerAuth, { accept: MANIFEST }))).text());
/** A fresh repository carrying main's policy, so the identity's grants on main apply to it. */
async function cloneOfMain(id: string): Promise<void> {
  await must(http('POST', `/v1/${L}/repositories?repositoryId=${id}`, ownerAuth, { json: { format: 'DOCKER' } }));
  await must(http('POST', `/v1/${REPO(id)}:setIamPolicy`, ownerAuth, { json: { policy: digests.mainPolicy } }));
}
const setTag = (tag: string, digest: string) => manifestBody(digest).then((body) => must(http('PUT', `/v2/${IMG}/manifests/${tag}`, ownerAuth, { raw: body, type: MANIFEST })));
const registry = (method: string, path: string, opts: { raw?: string; type?: string; accept?: string } = {}) =>
  async (auth: Record<string, string>) => verdictOf(await http(method, `/v2/${path}`, auth, opts));
const mountOutcome = async (res: Response): Promise<Outcome> => {
  if (res.status === 201) return { verdict: 'mounted', status: 201 };
  if (res.status === 202) return { verdict: 'upload', status: 202 };
  return verdictOf(res);
};
const annotate = { annotations: { matrix: 'yes' } };
/** The owner's rule for a package of its own (one rule per package), so each identity's call has its own. */
const ownerRule = (id: string) => must(http('POST', `/v1/${MAIN}/rules?ruleId=${id}`, ownerAuth, { json: { action: 'ALLOW', operation: 'DOWNLOAD', packageId: id } })).then(() => undefined);
/** An attachment of app@a (an OCI referrer; the annotation keeps each one's manifest distinct). */
const attachmentBody = (id: string) => ({ target: `${PKG}/versions/${digests.a}`, type: 'application/vnd.matrix+json', files: [`${MAIN}/files/${digests.layerA}`], annotations: { matrix: id } });
const ownerAttachment = (id: string) => must(http('POST', `/v1/${MAIN}/attachments?attachmentId=${id}`, ownerAuth, { json: attachmentBody(id) })).then(() => undefined);
const grpcPermissions = (r: unknown) => ({ permissions: ((r as [{ permissions?: string[] }])[0].permissions ?? []) });
const restPermissions = (b: unknown) => ({ permissions: (b as { permissions?: string[] }).permissions ?? [] });

/** THE table: one row per operation and transport. */
const OPERATIONS: Op[] = [
  // registry
  { id: 'GET manifest', transport: 'registry', operation: 'docker.pull', target: main, run: registry('GET', `${IMG}/manifests/v1`, { accept: MANIFEST }) },
  { id: 'HEAD manifest', transport: 'registry', operation: 'docker.pull', target: main, run: registry('HEAD', `${IMG}/manifests/v1`) },
  { id: 'GET blob', transport: 'registry', operation: 'docker.pull', target: main, run: (a) => registry('GET', `${IMG}/blobs/${digests.layerA}`)(a) },
  { id: 'tags/list', transport: 'registry', operation: 'docker.pull', target: main, run: registry('GET', `${IMG}/tags/list`) },
  { id: 'referrers', transport: 'registry', operation: 'docker.pull', target: main, run: (a) => registry('GET', `${IMG}/referrers/${digests.a}`)(a) },
  { id: 'GET manifest of the project-only repository', transport: 'registry', operation: 'docker.pull', target: { project: P, repo: 'vault' }, run: registry('GET', `${P}/vault/app/manifests/v1`, { accept: MANIFEST }) },
  { id: 'GET manifest of the allUsers repository', transport: 'registry', operation: 'docker.pull', target: { project: P, repo: 'pub' }, run: registry('GET', `${P}/pub/app/manifests/v1`, { accept: MANIFEST }) },
  { id: 'GET manifest of the allAuthenticatedUsers repository', transport: 'registry', operation: 'docker.pull', target: { project: P, repo: 'authpub' }, run: registry('GET', `${P}/authpub/app/manifests/v1`, { accept: MANIFEST }) },
  { id: 'GET manifest of another project', transport: 'registry', operation: 'docker.pull', target: { project: Q, repo: 'theirs' }, run: registry('GET', `${Q}/theirs/app/manifests/v1`, { accept: MANIFEST }) },
  { id: 'start upload', transport: 'registry', operation: 'docker.push', target: main, run: registry('POST', `${IMG}/blobs/uploads/`) },
  { id: 'monolithic blob upload', transport: 'registry', operation: 'docker.push', target: main, run: (a, s) => registry('POST', `${IMG}/blobs/uploads/?digest=${sha256(`blob-${s}`)}`, { raw: `blob-${s}`, type: 'application/octet-stream' })(a) },
  { id: 'PUT manifest creating a tag', transport: 'registry', operation: 'docker.push', target: main, run: async (a, s) => registry('PUT', `${IMG}/manifests/new-${s}`, { raw: await manifestBody(digests.a), type: MANIFEST })(a) },
  { id: 'PUT manifest moving a tag', transport: 'registry', operation: 'docker.tagMove', target: main, prepare: (s) => setTag(`mv-${s}`, digests.a).then(() => undefined), run: async (a, s) => registry('PUT', `${IMG}/manifests/mv-${s}`, { raw: await manifestBody(digests.b), type: MANIFEST })(a) },
  { id: 'DELETE manifest by tag', transport: 'registry', operation: 'docker.delete', target: main, prepare: (s) => setTag(`del-${s}`, digests.a).then(() => undefined), run: (a, s) => registry('DELETE', `${IMG}/manifests/del-${s}`)(a) },
  { id: 'mount with from (source: project-only repository)', transport: 'registry', operation: 'docker.push', target: main, kind: 'mount', prepare: (s) => pushBlob(`${P}/vault/app`, `from-${s}`).then(() => undefined), run: async (a, s) => mountOutcome(await http('POST', `/v2/${IMG}/blobs/uploads/?mount=${sha256(`from-${s}`)}&from=${P}/vault/app`, a)) },
  { id: 'automatic mount (blob only in the project-only repository)', transport: 'registry', operation: 'docker.push', target: main, kind: 'mount', prepare: (s) => pushBlob(`${P}/vault/app`, `auto-${s}`).then(() => undefined), run: async (a, s) => mountOutcome(await http('POST', `/v2/${IMG}/blobs/uploads/?mount=${sha256(`auto-${s}`)}`, a)) },
  {
    id: '_catalog', transport: 'registry', operation: 'docker.pull', target: main, kind: 'catalog',
    run: async (a) => verdictOf(await http('GET', '/v2/_catalog', a), (b) => ({ listed: [...new Set((b as { repositories: string[] }).repositories.map((n) => n.split('/').slice(0, 2).join('/')))] })),
  },
  // REST
  { id: 'repositories.get', transport: 'rest', operation: 'control.repositories.get', target: main, run: rest('GET', MAIN) },
  { id: 'repositories.list', transport: 'rest', operation: 'control.repositories.list', target: { project: P }, run: rest('GET', `${L}/repositories`) },
  { id: 'repositories.create', transport: 'rest', operation: 'control.repositories.create', target: { project: P }, run: (a, s) => rest('POST', `${L}/repositories?repositoryId=rc-${s}`, { json: { format: 'DOCKER' } })(a) },
  { id: 'repositories.patch', transport: 'rest', operation: 'control.repositories.update', target: main, run: rest('PATCH', `${MAIN}?updateMask=description`, { json: { description: 'matrix' } }) },
  { id: 'repositories.delete', transport: 'rest', operation: 'control.repositories.delete', target: main, prepare: (s) => cloneOfMain(`rd-${s}`), run: (a, s) => rest('DELETE', REPO(`rd-${s}`))(a) },
  { id: 'repositories.getIamPolicy', transport: 'rest', operation: 'control.repositories.getIamPolicy', target: main, run: rest('GET', `${MAIN}:getIamPolicy`) },
  { id: 'repositories.setIamPolicy', transport: 'rest', operation: 'control.repositories.setIamPolicy', target: main, prepare: (s) => cloneOfMain(`rs-${s}`), run: (a, s) => rest('POST', `${REPO(`rs-${s}`)}:setIamPolicy`, { json: { policy: digests.mainPolicy } })(a) },
  { id: 'repositories.testIamPermissions', transport: 'rest', operation: 'control.repositories.testIamPermissions', target: main, run: rest('POST', `${MAIN}:testIamPermissions`, { json: { permissions: PERMISSIONS } }, restPermissions) },
  { id: 'packages.list', transport: 'rest', operation: 'control.packages.list', target: main, run: rest('GET', `${MAIN}/packages`) },
  { id: 'packages.get', transport: 'rest', operation: 'control.packages.get', target: main, run: rest('GET', PKG) },
  { id: 'packages.patch', transport: 'rest', operation: 'control.packages.update', target: main, run: rest('PATCH', `${PKG}?updateMask=annotations`, { json: annotate }) },
  { id: 'packages.delete', transport: 'rest', operation: 'control.packages.delete', target: main, prepare: (s) => pushImage(`${P}/main/pd-${s}`, 'v1', 'pd').then(() => undefined), run: (a, s) => rest('DELETE', `${MAIN}/packages/pd-${s}`)(a) },
  { id: 'versions.list', transport: 'rest', operation: 'control.versions.list', target: main, run: rest('GET', `${PKG}/versions`) },
  { id: 'versions.get', transport: 'rest', operation: 'control.versions.get', target: main, run: (a) => rest('GET', `${PKG}/versions/${digests.a}`)(a) },
  { id: 'versions.patch', transport: 'rest', operation: 'control.versions.update', target: main, run: (a) => rest('PATCH', `${PKG}/versions/${digests.a}?updateMask=annotations`, { json: annotate })(a) },
  { id: 'versions.delete', transport: 'rest', operation: 'control.versions.delete', target: main, prepare: (s) => pushImage(IMG, `vd-${s}`, 'layer-a', { slug: `vd-${s}` }).then(() => undefined), run: async (a, s) => rest('DELETE', `${PKG}/versions/${await versionOfTag(`vd-${s}`)}?force=true`)(a) },
  { id: 'tags.list', transport: 'rest', operation: 'control.tags.list', target: main, run: rest('GET', `${PKG}/tags`) },
  { id: 'tags.get', transport: 'rest', operation: 'control.tags.get', target: main, run: rest('GET', `${PKG}/tags/v1`) },
  { id: 'tags.create', transport: 'rest', operation: 'control.tags.create', target: main, run: (a, s) => rest('POST', `${PKG}/tags?tagId=tc-${s}`, { json: { version: `${PKG}/versions/${digests.a}` } })(a) },
  { id: 'tags.patch', transport: 'rest', operation: 'control.tags.update', target: main, prepare: (s) => setTag(`tu-${s}`, digests.a).then(() => undefined), run: (a, s) => rest('PATCH', `${PKG}/tags/tu-${s}?updateMask=version`, { json: { version: `${PKG}/versions/${digests.b}` } })(a) },
  { id: 'tags.delete', transport: 'rest', operation: 'control.tags.delete', target: main, prepare: (s) => setTag(`td-${s}`, digests.a).then(() => undefined), run: (a, s) => rest('DELETE', `${PKG}/tags/td-${s}`)(a) },
  { id: 'files.list', transport: 'rest', operation: 'control.files.list', target: main, run: rest('GET', `${MAIN}/files`) },
  { id: 'files.get', transport: 'rest', operation: 'control.files.get', target: main, run: (a) => rest('GET', `${MAIN}/files/${digests.a}`)(a) },
  { id: 'files.download', transport: 'rest', operation: 'control.files.download', target: main, run: (a) => rest('GET', `${MAIN}/files/${digests.a}:download?alt=media`)(a) },
  { id: 'files.patch', transport: 'rest', operation: 'control.files.update', target: main, run: (a) => rest('PATCH', `${MAIN}/files/${digests.a}?updateMask=annotations`, { json: annotate })(a) },
  { id: 'dockerImages.list', transport: 'rest', operation: 'control.dockerImages.list', target: main, run: rest('GET', `${MAIN}/dockerImages`) },
  { id: 'dockerImages.get', transport: 'rest', operation: 'control.dockerImages.get', target: main, run: (a) => rest('GET', `${MAIN}/dockerImages/app@${digests.a}`)(a) },
  // rules, attachments, VPC-SC config, export (issue 17): fresh resources per identity (one rule per package)
  { id: 'rules.list', transport: 'rest', operation: 'control.rules.list', target: main, run: rest('GET', `${MAIN}/rules`) },
  { id: 'rules.get', transport: 'rest', operation: 'control.rules.get', target: main, prepare: (s) => ownerRule(`rg-${s}`), run: (a, s) => rest('GET', `${MAIN}/rules/rg-${s}`)(a) },
  { id: 'rules.create', transport: 'rest', operation: 'control.rules.create', target: main, run: (a, s) => rest('POST', `${MAIN}/rules?ruleId=rc-${s}`, { json: { action: 'ALLOW', operation: 'DOWNLOAD', packageId: `rc-${s}` } })(a) },
  { id: 'rules.patch', transport: 'rest', operation: 'control.rules.update', target: main, prepare: (s) => ownerRule(`ru-${s}`), run: (a, s) => rest('PATCH', `${MAIN}/rules/ru-${s}?updateMask=action`, { json: { action: 'DENY' } })(a) },
  { id: 'rules.delete', transport: 'rest', operation: 'control.rules.delete', target: main, prepare: (s) => ownerRule(`rd-${s}`), run: (a, s) => rest('DELETE', `${MAIN}/rules/rd-${s}`)(a) },
  { id: 'attachments.list', transport: 'rest', operation: 'control.attachments.list', target: main, run: rest('GET', `${MAIN}/attachments`) },
  { id: 'attachments.get', transport: 'rest', operation: 'control.attachments.get', target: main, prepare: (s) => ownerAttachment(`ag-${s}`), run: (a, s) => rest('GET', `${MAIN}/attachments/ag-${s}`)(a) },
  { id: 'attachments.create', transport: 'rest', operation: 'control.attachments.create', target: main, run: (a, s) => rest('POST', `${MAIN}/attachments?attachmentId=ac-${s}`, { json: attachmentBody(`ac-${s}`) })(a) },
  { id: 'attachments.delete', transport: 'rest', operation: 'control.attachments.delete', target: main, prepare: (s) => ownerAttachment(`ad-${s}`), run: (a, s) => rest('DELETE', `${MAIN}/attachments/ad-${s}`)(a) },
  { id: 'vpcscConfig.get', transport: 'rest', operation: 'control.vpcscConfig.get', target: { project: P }, run: rest('GET', `${L}/vpcscConfig`) },
  { id: 'vpcscConfig.patch', transport: 'rest', operation: 'control.vpcscConfig.update', target: { project: P }, run: rest('PATCH', `${L}/vpcscConfig?updateMask=vpcsc_policy`, { json: { vpcscPolicy: 'ALLOW' } }) },
  { id: 'repositories.exportArtifact', transport: 'rest', operation: 'control.repositories.exportArtifact', target: main, run: (a, s) => rest('POST', `${MAIN}:exportArtifact`, { json: { sourceTag: `${PKG}/tags/v1`, gcsPath: `matrix/${s}` } })(a) },
  { id: 'projectSettings.get', transport: 'rest', operation: 'control.projectSettings.get', target: { project: P }, run: rest('GET', `projects/${P}/projectSettings`) },
  { id: 'locations.list', transport: 'rest', operation: 'control.locations.list', target: { project: P }, run: rest('GET', `projects/${P}/locations`) },
  { id: 'locations.get', transport: 'rest', operation: 'control.locations.get', target: { project: P }, run: rest('GET', L) },
  // gRPC
  { id: 'GetRepository', transport: 'grpc', operation: 'control.repositories.get', target: main, run: (a) => grpc((o) => client.getRepository({ name: MAIN }, o), a) },
  { id: 'ListRepositories', transport: 'grpc', operation: 'control.repositories.list', target: { project: P }, run: (a) => grpc((o) => client.listRepositories({ parent: L }, o), a) },
  { id: 'CreateRepository', transport: 'grpc', operation: 'control.repositories.create', target: { project: P }, run: (a, s) => grpc((o) => client.createRepository({ parent: L, repositoryId: `gc-${s}`, repository: { format: 'DOCKER' } }, o), a) },
  { id: 'UpdateRepository', transport: 'grpc', operation: 'control.repositories.update', target: main, run: (a) => grpc((o) => client.updateRepository({ repository: { name: MAIN, description: 'grpc' }, updateMask: { paths: ['description'] } }, o), a) },
  { id: 'DeleteRepository', transport: 'grpc', operation: 'control.repositories.delete', target: main, prepare: (s) => cloneOfMain(`gd-${s}`), run: (a, s) => grpc((o) => client.deleteRepository({ name: REPO(`gd-${s}`) }, o), a) },
  { id: 'GetIamPolicy', transport: 'grpc', operation: 'control.repositories.getIamPolicy', target: main, run: (a) => grpc((o) => client.getIamPolicy({ resource: MAIN }, o), a) },
  { id: 'SetIamPolicy', transport: 'grpc', operation: 'control.repositories.setIamPolicy', target: main, prepare: (s) => cloneOfMain(`gs-${s}`), run: (a, s) => grpc((o) => client.setIamPolicy({ resource: REPO(`gs-${s}`), policy: { bindings: digests.mainPolicy.bindings as never } }, o), a) },
  { id: 'TestIamPermissions', transport: 'grpc', operation: 'control.repositories.testIamPermissions', target: main, run: (a) => grpc((o) => client.testIamPermissions({ resource: MAIN, permissions: [...PERMISSIONS] }, o), a, grpcPermissions) },
  { id: 'ListPackages', transport: 'grpc', operation: 'control.packages.list', target: main, run: (a) => grpc((o) => client.listPackages({ parent: MAIN }, o), a) },
  { id: 'GetPackage', transport: 'grpc', operation: 'control.packages.get', target: main, run: (a) => grpc((o) => client.getPackage({ name: PKG }, o), a) },
  { id: 'UpdatePackage', transport: 'grpc', operation: 'control.packages.update', target: main, run: (a) => grpc((o) => client.updatePackage({ package: { name: PKG, annotations: { matrix: 'grpc' } }, updateMask: { paths: ['annotations'] } }, o), a) },
  { id: 'DeletePackage', transport: 'grpc', operation: 'control.packages.delete', target: main, prepare: (s) => pushImage(`${P}/main/gpd-${s}`, 'v1', 'pd').then(() => undefined), run: (a, s) => grpc((o) => client.deletePackage({ name: `${MAIN}/packages/gpd-${s}` }, o), a) },
  { id: 'ListVersions', transport: 'grpc', operation: 'control.versions.list', target: main, run: (a) => grpc((o) => client.listVersions({ parent: PKG }, o), a) },
  { id: 'GetVersion', transport: 'grpc', operation: 'control.versions.get', target: main, run: (a) => grpc((o) => client.getVersion({ name: `${PKG}/versions/${digests.a}` }, o), a) },
  { id: 'DeleteVersion', transport: 'grpc', operation: 'control.versions.delete', target: main, prepare: (s) => pushImage(IMG, `gvd-${s}`, 'layer-a', { slug: `gvd-${s}` }).then(() => undefined), run: async (a, s) => { const v = await versionOfTag(`gvd-${s}`); return grpc((o) => client.deleteVersion({ name: `${PKG}/versions/${v}`, force: true }, o), a); } },
  { id: 'ListTags', transport: 'grpc', operation: 'control.tags.list', target: main, run: (a) => grpc((o) => client.listTags({ parent: PKG }, o), a) },
  { id: 'GetTag', transport: 'grpc', operation: 'control.tags.get', target: main, run: (a) => grpc((o) => client.getTag({ name: `${PKG}/tags/v1` }, o), a) },
  { id: 'CreateTag', transport: 'grpc', operation: 'control.tags.create', target: main, run: (a, s) => grpc((o) => client.createTag({ parent: PKG, tagId: `gtc-${s}`, tag: { version: `${PKG}/versions/${digests.a}` } }, o), a) },
  { id: 'UpdateTag', transport: 'grpc', operation: 'control.tags.update', target: main, prepare: (s) => setTag(`gtu-${s}`, digests.a).then(() => undefined), run: (a, s) => grpc((o) => client.updateTag({ tag: { name: `${PKG}/tags/gtu-${s}`, version: `${PKG}/versions/${digests.b}` }, updateMask: { paths: ['version'] } }, o), a) },
  { id: 'DeleteTag', transport: 'grpc', operation: 'control.tags.delete', target: main, prepare: (s) => setTag(`gtd-${s}`, digests.a).then(() => undefined), run: (a, s) => grpc((o) => client.deleteTag({ name: `${PKG}/tags/gtd-${s}` }, o), a) },
  { id: 'ListFiles', transport: 'grpc', operation: 'control.files.list', target: main, run: (a) => grpc((o) => client.listFiles({ parent: MAIN }, o), a) },
  { id: 'GetFile', transport: 'grpc', operation: 'control.files.get', target: main, run: (a) => grpc((o) => client.getFile({ name: `${MAIN}/files/${digests.a}` }, o), a) },
  { id: 'ListDockerImages', transport: 'grpc', operation: 'control.dockerImages.list', target: main, run: (a) => grpc((o) => client.listDockerImages({ parent: MAIN }, o), a) },
  { id: 'GetDockerImage', transport: 'grpc', operation: 'control.dockerImages.get', target: main, run: (a) => grpc((o) => client.getDockerImage({ name: `${MAIN}/dockerImages/app@${digests.a}` }, o), a) },
  { id: 'ListRules', transport: 'grpc', operation: 'control.rules.list', target: main, run: (a) => grpc((o) => client.listRules({ parent: MAIN }, o), a) },
  { id: 'CreateRule', transport: 'grpc', operation: 'control.rules.create', target: main, run: (a, s) => grpc((o) => client.createRule({ parent: MAIN, ruleId: `grc-${s}`, rule: { action: 'ALLOW', operation: 'DOWNLOAD', packageId: `grc-${s}` } }, o), a) },
  { id: 'GetAttachment', transport: 'grpc', operation: 'control.attachments.get', target: main, prepare: (s) => ownerAttachment(`gag-${s}`), run: (a, s) => grpc((o) => client.getAttachment({ name: `${MAIN}/attachments/gag-${s}` }, o), a) },
  { id: 'CreateAttachment', transport: 'grpc', operation: 'control.attachments.create', target: main, run: (a, s) => grpc((o) => client.createAttachment({ parent: MAIN, attachmentId: `gac-${s}`, attachment: attachmentBody(`gac-${s}`) }, o), a) },
  { id: 'GetVPCSCConfig', transport: 'grpc', operation: 'control.vpcscConfig.get', target: { project: P }, run: (a) => grpc((o) => client.getVPCSCConfig({ name: `${L}/vpcscConfig` }, o), a) },
  { id: 'ExportArtifact', transport: 'grpc', operation: 'control.repositories.exportArtifact', target: main, run: (a, s) => grpc((o) => client.exportArtifact({ repository: MAIN, sourceTag: `${PKG}/tags/v1`, gcsPath: `matrix/g-${s}` }, o), a) },
  { id: 'GetProjectSettings', transport: 'grpc', operation: 'control.projectSettings.get', target: { project: P }, run: (a) => grpc((o) => client.getProjectSettings({ name: `projects/${P}/projectSettings` }, o), a) },
];

async function versionOfTag(tag: string): Promise<string> {
  return (await must(http('HEAD', `/v2/${IMG}/manifests/${tag}`, ownerAuth, { accept: MANIFEST }))).headers.get('docker-content-digest')!;
}

/** What the tables say the identity's call should do. */
function expected(id: Identity, op: Op): { verdict: Verdict; listed?: string[] } {
  if (op.kind === 'mount') {
    if (!expectAllowed(id, 'docker.push', main)) return { verdict: 'denied' };
    return { verdict: expectAllowed(id, 'docker.pull', { project: P, repo: 'vault' }) ? 'mounted' : 'upload' };
  }
  if (op.kind === 'catalog') {
    // The catalog needs a signed-in caller, then lists the repositories it may pull from (docs/iam.md).
    if (isInvalid(id) || isAnonymous(id)) return { verdict: 'denied' };
    return { verdict: 'allowed', listed: REPOSITORIES.filter((r) => expectAllowed(id, 'docker.pull', r)).map((r) => `${r.project}/${r.repo}`) };
  }
  return { verdict: expectAllowed(id, op.operation, op.target) ? 'allowed' : 'denied' };
}

/** The denial text docs/iam.md promises for this call, as a pattern (resource names vary with fresh resources). */
function expectedDenial(id: Identity, op: Op): { status: number; text?: RegExp } {
  const esc = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const permission = op.kind === 'mount' || op.kind === 'catalog' ? missingPermission(id, 'docker.push', main) : missingPermission(id, op.operation, op.target);
  const grpcStatus = (http: number) => (http === 401 ? 16 : 7);
  if (isInvalid(id)) return { status: op.transport === 'grpc' ? 16 : 401 };
  if (isAnonymous(id)) {
    if (op.transport === 'registry') return { status: 401, ...(permission && op.kind !== 'catalog' ? { text: new RegExp(`^Unauthenticated request\\. Unauthenticated requests do not have permission "${esc(permission)}" on resource "projects/[^"]+" \\(or it may not exist\\)$`) } : {}) };
    return { status: op.transport === 'grpc' ? 16 : 401, text: /^Request is missing required authentication credential\./ };
  }
  const status = op.transport === 'grpc' ? grpcStatus(403) : 403;
  if (!permission) return { status };
  if (op.transport === 'registry') return { status, text: new RegExp(`^Permission "${esc(permission)}" denied on resource "projects/[^"]+" \\(or it may not exist\\)$`) };
  if (/IamPolicy$/.test(op.operation)) return { status, text: /^The caller does not have permission$/ };
  return { status, text: new RegExp(`^Permission '${esc(permission)}' denied on resource '//artifactregistry\\.googleapis\\.com/projects/[^']+' \\(or it may not exist\\)\\.$`) };
}

interface Finding {
  identity: string;
  transport: Op['transport'];
  operation: string;
  expected: string;
  actual: string;
}
const findings = { bypasses: [] as Finding[], overDenials: [] as Finding[], errors: [] as Finding[], texts: [] as Finding[] };
let cells = 0;

function record(id: Identity, op: Op, outcome: Outcome): void {
  cells++;
  const want = expected(id, op);
  const base = { identity: id.name, transport: op.transport, operation: op.id };
  if (outcome.verdict === 'error') {
    findings.errors.push({ ...base, expected: want.verdict, actual: `${outcome.status} ${outcome.message ?? ''}` });
    return;
  }
  if (RANK[outcome.verdict] > RANK[want.verdict]) findings.bypasses.push({ ...base, expected: want.verdict, actual: outcome.verdict });
  if (RANK[outcome.verdict] < RANK[want.verdict]) findings.overDenials.push({ ...base, expected: want.verdict, actual: outcome.verdict });
  if (want.listed && outcome.listed) {
    const extra = outcome.listed.filter((r) => !want.listed!.includes(r));
    const missing = want.listed.filter((r) => !outcome.listed!.includes(r));
    if (extra.length) findings.bypasses.push({ ...base, expected: `lists ${want.listed.join(', ') || 'nothing'}`, actual: `also lists ${extra.join(', ')}` });
    if (missing.length) findings.overDenials.push({ ...base, expected: `lists ${want.listed.join(', ')}`, actual: `omits ${missing.join(', ')}` });
  }
  if (outcome.permissions) {
    const h = held(id, main);
    const should = PERMISSIONS.filter((p) => h === 'all' || h.has(p));
    const extra = outcome.permissions.filter((p) => !(should as string[]).includes(p));
    const missing = should.filter((p) => !outcome.permissions!.includes(p));
    if (extra.length) findings.bypasses.push({ ...base, expected: 'the permissions held', actual: `also answers ${extra.join(', ')}` });
    if (missing.length) findings.overDenials.push({ ...base, expected: 'the permissions held', actual: `omits ${missing.join(', ')}` });
  }
  if (outcome.verdict === 'denied' && want.verdict === 'denied') {
    const denial = expectedDenial(id, op);
    const textOk = !denial.text || outcome.message === undefined || denial.text.test(outcome.message);
    if (outcome.status !== denial.status || !textOk || (denial.text && outcome.message === undefined && op.id !== 'HEAD manifest')) {
      findings.texts.push({ ...base, expected: `${denial.status} ${denial.text ?? ''}`, actual: `${outcome.status} ${outcome.message ?? '(no body)'}` });
    }
  }
}

const headerFor = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce', clock });
  client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
  const mint = async (principal: string, ttlSeconds?: number) =>
    ((await (await must(http('POST', '/_emulator/iam/tokens', {}, { json: { principal, ...(ttlSeconds ? { ttlSeconds } : {}) } }))).json()) as { accessToken: string }).accessToken;
  Object.assign(ownerAuth, headerFor(await mint('user:owner@ar-emulator.local')));

  // service accounts, groups, credentials
  const expiring: Array<[Identity, string]> = [];
  for (const id of IDENTITIES) {
    const sa = /^serviceAccount:([^@]+)@([^.]+)\./.exec(id.principal ?? '');
    if (sa && !isInvalid(id)) await must(http('POST', `/v1/projects/${sa[2]}/serviceAccounts`, {}, { json: { accountId: sa[1] } }));
    if (id.group) await must(http('PUT', `/_emulator/iam/groups/${id.group}`, {}, { json: { members: [id.principal] } }));
  }
  for (const id of IDENTITIES) {
    if (id.auth === 'owner') auths.set(id, ownerAuth);
    else if (id.auth === 'anonymous') auths.set(id, {});
    else if (id.auth === 'token') auths.set(id, headerFor(await mint(id.principal!)));
    else if (id.auth === 'expired') expiring.push([id, await mint(id.principal!, 60)]);
    else if (id.auth === 'tampered') {
      const token = await mint(id.principal!);
      auths.set(id, headerFor(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`));
    } else {
      const email = id.principal!.slice('serviceAccount:'.length);
      const key = (await (await must(http('POST', `/v1/projects/${P}/serviceAccounts/${email}/keys`, {}, { json: {} }))).json()) as { privateKeyData: string };
      auths.set(id, { authorization: `Basic ${Buffer.from(`_json_key:${Buffer.from(key.privateKeyData, 'base64').toString()}`).toString('base64')}` });
    }
  }
  clock.advance(120_000);
  for (const [id, token] of expiring) auths.set(id, headerFor(token));

  // repositories and their policies, built from the grants of the table
  for (const r of REPOSITORIES) await must(http('POST', `/v1/projects/${r.project}/locations/us-central1/repositories?repositoryId=${r.repo}`, ownerAuth, { json: { format: 'DOCKER' } }));
  const bindingsOn = (t: Target) => {
    const byRole = new Map<string, string[]>();
    for (const id of IDENTITIES.filter((i) => !isInvalid(i))) {
      for (const g of id.grants) if (g.project === t.project && g.repo === t.repo) byRole.set(g.role, [...(byRole.get(g.role) ?? []), id.member ?? id.principal!]);
    }
    for (const g of PUBLIC_GRANTS) if (g.project === t.project && g.repo === t.repo) byRole.set(g.role, [...(byRole.get(g.role) ?? []), g.member]);
    return [...byRole].map(([role, members]) => ({ role, members }));
  };
  for (const project of [P, Q]) await must(http('POST', `/v1/projects/${project}:setIamPolicy`, ownerAuth, { json: { policy: { bindings: bindingsOn({ project }) } } }));
  for (const r of REPOSITORIES) await must(http('POST', `/v1/${`projects/${r.project}/locations/us-central1/repositories/${r.repo}`}:setIamPolicy`, ownerAuth, { json: { policy: { bindings: bindingsOn(r) } } }));
  digests.mainPolicy = { bindings: bindingsOn(main) };

  // images
  for (const r of REPOSITORIES) await pushImage(`${r.project}/${r.repo}/app`, 'v1', `layer-${r.repo}`);
  digests.a = await pushImage(IMG, 'v1', 'layer-a');
  digests.b = await pushImage(IMG, 'b', 'layer-b');
  digests.layerA = sha256('layer-a');

  // the run: per identity, each operation's fresh resources, then the call
  for (const [i, id] of IDENTITIES.entries()) {
    const slug = `i${i}`;
    for (const op of OPERATIONS) {
      await op.prepare?.(slug);
      record(id, op, await op.run(auths.get(id)!, slug));
    }
  }
  const summary = (name: string, list: Finding[]) => `${name}: ${list.length}${list.length ? `\n  ${list.map((f) => `${f.identity} × ${f.transport} ${f.operation}: expected ${f.expected}, got ${f.actual}`).join('\n  ')}` : ''}`;
  console.info(`IAM enforce matrix: ${IDENTITIES.length} identities × ${OPERATIONS.length} operations = ${cells} calls\n${summary('bypasses', findings.bypasses)}\n${summary('over-denials', findings.overDenials)}\n${summary('unexpected errors', findings.errors)}\n${summary('denial text or status mismatches', findings.texts)}`);
}, 600_000);

afterAll(async () => {
  await client?.close();
  await emu?.stop();
});

describe('IAM enforce matrix (identities × operations, registry, REST and gRPC)', () => {
  it('covers every identity and operation of the table', () => {
    expect(cells).toBe(IDENTITIES.length * OPERATIONS.length);
    expect(new Set(OPERATIONS.map((o) => o.transport))).toEqual(new Set(['registry', 'rest', 'grpc']));
  });

  it.each(['registry', 'rest', 'grpc'] as const)('reports 0 bypasses over %s', (transport) => {
    expect(findings.bypasses.filter((f) => f.transport === transport)).toEqual([]);
  });

  it.each(['registry', 'rest', 'grpc'] as const)('reports 0 over-denials over %s', (transport) => {
    expect(findings.overDenials.filter((f) => f.transport === transport)).toEqual([]);
  });

  it('answers every allowed call without an error (the fixtures are sound)', () => {
    expect(findings.errors).toEqual([]);
  });

  it('words denials as docs/iam.md says, with 401 for missing or bad credentials and 403 otherwise', () => {
    expect(findings.texts).toEqual([]);
  });
});
