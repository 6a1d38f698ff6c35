// REST adapters: each builds the RPC request from the path, query and body, calls ControlApi, and writes
// the JSON answer. Names are rebuilt from the path so they match what the gRPC transport receives.
import { readJson } from '../../http/body.js';
import type { AppContext, Handler, RouteParams } from '../../http/context.js';
import type { ControlApi, Json } from '../api.js';
import { boolQuery, intQuery, listQuery, maskQuery, query, respond, seg } from './request.js';

const repo = (p: RouteParams) => `projects/${seg(p.project)}/locations/${seg(p.location)}/repositories/${seg(p.repository)}`;
const pkg = (p: RouteParams) => `${repo(p)}/packages/${seg(p.package)}`;
const body = async (ctx: AppContext) => (await readJson(ctx, 1 << 20)) as Json;
/** `{gcsSource: {uris, useWildcards}}` (also the proto field names, `gcs_source`/`use_wildcards`) */
const importBody = (b: Json) => {
  const src = asJson(b.gcsSource ?? b.gcs_source);
  return { gcsSource: { uris: Array.isArray(src.uris) ? src.uris.map(String) : [], useWildcards: (src.useWildcards ?? src.use_wildcards) === true } };
};
const asJson = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

/**
 * A warning about a request that succeeded, as an RFC 7234 `Warning: 299 - "…"` header ("miscellaneous persistent
 * warning"; gcloud and curl -i show it). The text is quoted-string safe and ASCII.
 */
const warnHeader = (ctx: AppContext) => (message: string) => {
  const text = message.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`).slice(0, 2000);
  ctx.append('Warning', `299 - "${text}"`);
};

export type ControlHandlerName =
  | 'listLocations' | 'getLocation' | 'getOperation' | 'importAptArtifacts' | 'importYumArtifacts'
  | 'createRepository' | 'getRepository' | 'listRepositories' | 'updateRepository' | 'deleteRepository'
  | 'listPackages' | 'getPackage' | 'updatePackage' | 'deletePackage'
  | 'listVersions' | 'getVersion' | 'updateVersion' | 'deleteVersion' | 'batchDeleteVersions'
  | 'listTags' | 'getTag' | 'createTag' | 'updateTag' | 'deleteTag'
  | 'listFiles' | 'getFile' | 'updateFile' | 'deleteFile' | 'downloadFile'
  | 'listDockerImages' | 'getDockerImage'
  | 'listNpmPackages' | 'getNpmPackage' | 'listPythonPackages' | 'getPythonPackage' | 'listMavenArtifacts' | 'getMavenArtifact'
  | 'getProjectSettings' | 'updateProjectSettings'
  | 'getIamPolicy' | 'setIamPolicy' | 'testIamPermissions'
  | 'listRules' | 'getRule' | 'createRule' | 'updateRule' | 'deleteRule'
  | 'listAttachments' | 'getAttachment' | 'createAttachment' | 'deleteAttachment'
  | 'getVpcscConfig' | 'updateVpcscConfig' | 'exportArtifact';

export function restHandlers(api: ControlApi): Record<ControlHandlerName, Handler> {
  return {
    listLocations: async (ctx, p) => respond(ctx, await api.listLocations({ name: `projects/${p.project}`, pageSize: intQuery(ctx, 'pageSize'), pageToken: query(ctx, 'pageToken') })),
    getLocation: async (ctx, p) => respond(ctx, await api.getLocation({ name: `projects/${p.project}/locations/${p.location}` })),
    getOperation: async (ctx, p) => respond(ctx, await api.getOperation({ name: `projects/${p.project}/locations/${p.location}/operations/${seg(p.operation)}` })),
    importAptArtifacts: async (ctx, p) => respond(ctx, await api.importAptArtifacts({ ...importBody(await body(ctx)), parent: repo(p) })),
    importYumArtifacts: async (ctx, p) => respond(ctx, await api.importYumArtifacts({ ...importBody(await body(ctx)), parent: repo(p) })),

    createRepository: async (ctx, p) => respond(ctx, await api.createRepository({
      parent: `projects/${p.project}/locations/${p.location}`, repositoryId: query(ctx, 'repositoryId') ?? '', repository: asJson(await readJson(ctx, 1 << 20)), warn: warnHeader(ctx),
    })),
    getRepository: async (ctx, p) => respond(ctx, await api.getRepository({ name: repo(p) })),
    listRepositories: async (ctx, p) => respond(ctx, await api.listRepositories({ parent: `projects/${p.project}/locations/${p.location}`, ...listQuery(ctx) })),
    updateRepository: async (ctx, p) => respond(ctx, await api.updateRepository({ repository: { ...(await body(ctx)), name: repo(p) }, updateMask: maskQuery(ctx), warn: warnHeader(ctx) })),
    deleteRepository: async (ctx, p) => respond(ctx, await api.deleteRepository({ name: repo(p) })),

    listPackages: async (ctx, p) => respond(ctx, await api.listPackages({ parent: repo(p), ...listQuery(ctx) })),
    getPackage: async (ctx, p) => respond(ctx, await api.getPackage({ name: pkg(p) })),
    updatePackage: async (ctx, p) => respond(ctx, await api.updatePackage({ package: { ...(await body(ctx)), name: pkg(p) }, updateMask: maskQuery(ctx) })),
    deletePackage: async (ctx, p) => respond(ctx, await api.deletePackage({ name: pkg(p) })),

    listVersions: async (ctx, p) => respond(ctx, await api.listVersions({ parent: pkg(p), ...listQuery(ctx), view: query(ctx, 'view') })),
    getVersion: async (ctx, p) => respond(ctx, await api.getVersion({ name: `${pkg(p)}/versions/${seg(p.version)}`, view: query(ctx, 'view') })),
    updateVersion: async (ctx, p) => respond(ctx, await api.updateVersion({ version: { ...(await body(ctx)), name: `${pkg(p)}/versions/${seg(p.version)}` }, updateMask: maskQuery(ctx) })),
    deleteVersion: async (ctx, p) => respond(ctx, await api.deleteVersion({ name: `${pkg(p)}/versions/${seg(p.version)}`, force: boolQuery(ctx, 'force') })),
    batchDeleteVersions: async (ctx, p) => {
      const b = await body(ctx);
      respond(ctx, await api.batchDeleteVersions({ parent: pkg(p), names: (b.names as string[]) ?? [], validateOnly: b.validateOnly === true }));
    },

    listTags: async (ctx, p) => respond(ctx, await api.listTags({ parent: pkg(p), ...listQuery(ctx) })),
    getTag: async (ctx, p) => respond(ctx, await api.getTag({ name: `${pkg(p)}/tags/${seg(p.tag)}` })),
    createTag: async (ctx, p) => respond(ctx, await api.createTag({ parent: pkg(p), tagId: query(ctx, 'tagId') ?? '', tag: await body(ctx) })),
    updateTag: async (ctx, p) => respond(ctx, await api.updateTag({ tag: { ...(await body(ctx)), name: `${pkg(p)}/tags/${seg(p.tag)}` }, updateMask: maskQuery(ctx) })),
    deleteTag: async (ctx, p) => respond(ctx, await api.deleteTag({ name: `${pkg(p)}/tags/${seg(p.tag)}` })),

    listFiles: async (ctx, p) => respond(ctx, await api.listFiles({ parent: repo(p), ...listQuery(ctx) })),
    getFile: async (ctx, p) => respond(ctx, await api.getFile({ name: `${repo(p)}/files/${seg(p.file)}` })),
    updateFile: async (ctx, p) => respond(ctx, await api.updateFile({ file: { ...(await body(ctx)), name: `${repo(p)}/files/${seg(p.file)}` }, updateMask: maskQuery(ctx) })),
    deleteFile: async (ctx, p) => respond(ctx, await api.deleteFile({ name: `${repo(p)}/files/${seg(p.file)}` })),
    downloadFile: async (ctx, p) => {
      const media = query(ctx, 'alt') === 'media';
      const range = media ? ctx.get('Range') : '';
      const { file, body: bytes, span } = await api.downloadFile({ name: `${repo(p)}/files/${seg(p.file)}`, ...(range ? { range } : {}) });
      if (!media) {
        (bytes as { destroy?: () => void }).destroy?.();
        return respond(ctx, {});
      }
      const size = Number(file.sizeBytes ?? 0);
      ctx.set('Content-Type', 'application/octet-stream');
      ctx.set('Accept-Ranges', 'bytes');
      if (!span) {
        ctx.length = size;
        ctx.body = bytes as never;
        return;
      }
      ctx.status = 206;
      ctx.set('Content-Range', `bytes ${span.start}-${span.end}/${size}`);
      ctx.length = span.end - span.start + 1;
      ctx.body = bytes as never;
    },

    listDockerImages: async (ctx, p) => respond(ctx, await api.listDockerImages({ parent: repo(p), ...listQuery(ctx) })),
    getDockerImage: async (ctx, p) => respond(ctx, await api.getDockerImage({ name: `${repo(p)}/dockerImages/${seg(p.image)}` })),

    listNpmPackages: async (ctx, p) => respond(ctx, await api.listNpmPackages({ parent: repo(p), pageSize: intQuery(ctx, 'pageSize'), pageToken: query(ctx, 'pageToken') })),
    getNpmPackage: async (ctx, p) => respond(ctx, await api.getNpmPackage({ name: `${repo(p)}/npmPackages/${seg(p.artifact)}` })),
    listPythonPackages: async (ctx, p) => respond(ctx, await api.listPythonPackages({ parent: repo(p), pageSize: intQuery(ctx, 'pageSize'), pageToken: query(ctx, 'pageToken') })),
    getPythonPackage: async (ctx, p) => respond(ctx, await api.getPythonPackage({ name: `${repo(p)}/pythonPackages/${seg(p.artifact)}` })),
    listMavenArtifacts: async (ctx, p) => respond(ctx, await api.listMavenArtifacts({ parent: repo(p), pageSize: intQuery(ctx, 'pageSize'), pageToken: query(ctx, 'pageToken') })),
    getMavenArtifact: async (ctx, p) => respond(ctx, await api.getMavenArtifact({ name: `${repo(p)}/mavenArtifacts/${seg(p.artifact)}` })),

    getProjectSettings: async (ctx, p) => respond(ctx, await api.getProjectSettings({ name: `projects/${p.project}/projectSettings` })),
    updateProjectSettings: async (ctx, p) => respond(ctx, await api.updateProjectSettings({ projectSettings: { ...(await body(ctx)), name: `projects/${p.project}/projectSettings` }, updateMask: maskQuery(ctx) })),

    listRules: async (ctx, p) => respond(ctx, await api.listRules({ parent: repo(p), pageSize: intQuery(ctx, 'pageSize'), pageToken: query(ctx, 'pageToken') })),
    getRule: async (ctx, p) => respond(ctx, await api.getRule({ name: `${repo(p)}/rules/${seg(p.rule)}` })),
    createRule: async (ctx, p) => respond(ctx, await api.createRule({ parent: repo(p), ruleId: query(ctx, 'ruleId') ?? '', rule: await body(ctx) })),
    updateRule: async (ctx, p) => respond(ctx, await api.updateRule({ rule: { ...(await body(ctx)), name: `${repo(p)}/rules/${seg(p.rule)}` }, updateMask: maskQuery(ctx) })),
    deleteRule: async (ctx, p) => respond(ctx, await api.deleteRule({ name: `${repo(p)}/rules/${seg(p.rule)}` })),

    listAttachments: async (ctx, p) => respond(ctx, await api.listAttachments({ parent: repo(p), ...listQuery(ctx) })),
    getAttachment: async (ctx, p) => respond(ctx, await api.getAttachment({ name: `${repo(p)}/attachments/${seg(p.attachment)}` })),
    createAttachment: async (ctx, p) => respond(ctx, await api.createAttachment({ parent: repo(p), attachmentId: query(ctx, 'attachmentId') ?? '', attachment: await body(ctx) })),
    deleteAttachment: async (ctx, p) => respond(ctx, await api.deleteAttachment({ name: `${repo(p)}/attachments/${seg(p.attachment)}` })),

    getVpcscConfig: async (ctx, p) => respond(ctx, await api.getVpcscConfig({ name: `projects/${seg(p.project)}/locations/${seg(p.location)}/vpcscConfig` })),
    updateVpcscConfig: async (ctx, p) => respond(ctx, await api.updateVpcscConfig({
      vpcscConfig: { ...(await body(ctx)), name: `projects/${seg(p.project)}/locations/${seg(p.location)}/vpcscConfig` }, updateMask: maskQuery(ctx),
    })),
    exportArtifact: async (ctx, p) => {
      const b = await body(ctx);
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const sourceVersion = str(b.sourceVersion ?? b.source_version);
      const sourceTag = str(b.sourceTag ?? b.source_tag);
      const gcsPath = str(b.gcsPath ?? b.gcs_path);
      respond(ctx, await api.exportArtifact({
        repository: repo(p), ...(sourceVersion !== undefined ? { sourceVersion } : {}), ...(sourceTag !== undefined ? { sourceTag } : {}), ...(gcsPath !== undefined ? { gcsPath } : {}),
      }));
    },

    getIamPolicy: async (ctx, p) => respond(ctx, await api.getIamPolicy({ resource: repo(p), options: { requestedPolicyVersion: intQuery(ctx, 'options.requestedPolicyVersion') ?? 0 } })),
    setIamPolicy: async (ctx, p) => {
      const b = await body(ctx);
      respond(ctx, await api.setIamPolicy({ resource: repo(p), policy: b.policy as Json, updateMask: typeof b.updateMask === 'string' ? b.updateMask.split(',') : undefined }));
    },
    testIamPermissions: async (ctx, p) => {
      const b = await body(ctx);
      const caller = ctx.state.principal ? { principal: ctx.state.principal, groups: ctx.state.groups ?? [] } : undefined;
      respond(ctx, await api.testIamPermissions({ resource: repo(p), permissions: Array.isArray(b.permissions) ? (b.permissions as string[]) : [], ...(caller ? { caller } : {}) }));
    },
  };
}
