// Control-plane REST routes (`control.<resource>.<op>`): Artifact Registry REST v1 (spec ar-fidelity §1.5), in
// path-to-regexp v8 syntax (`\\:` is the literal colon of a custom method). Routes only. Custom-method routes
// (`:getIamPolicy`, `:download`, `:batchDelete`) come before the plain ones. The v1 methods the emulator does not
// implement yet answer 501 UNIMPLEMENTED naming the method (UNIMPLEMENTED_METHODS), not a 404.
import { EmulatorError } from '../core/errors.js';
import type { Handler } from '../http/context.js';
import { Routes, type RouteDef } from '../http/routes.js';
import type { ControlHandlerName } from './rest/handlers.js';
import type { AdminHandlerName } from './rest/admin-names.js';

const L = '/v1/projects/:project/locations/:location';
const R = `${L}/repositories/:repository`;
const P = `${R}/packages/:package`;
const SERVICE = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
/** rendered as google.rpc UNIMPLEMENTED, HTTP 501, with its message kept */
const NOT_IMPLEMENTED = 'UNSUPPORTED' as const;

/**
 * Methods of google.devtools.artifactregistry.v1.ArtifactRegistry (service.proto of @google-cloud/artifact-registry)
 * that the emulator does not implement yet: [RPC name, HTTP method, path].
 */
export const UNIMPLEMENTED_METHODS: ReadonlyArray<readonly [string, string, string]> = [];

function unimplementedRoute(rpc: string, method: string, path: string): RouteDef {
  const unimplemented: Handler = async () => {
    throw new EmulatorError(NOT_IMPLEMENTED, `Method ${SERVICE}.${rpc} is not implemented by the emulator.`);
  };
  return { name: `control.unimplemented.${rpc}`, method, path, handler: unimplemented };
}

export function controlRoutes(h: Record<ControlHandlerName | AdminHandlerName, Handler>): Routes {
  const r = (name: string, method: string, path: string, handler: Handler): RouteDef => ({ name: `control.${name}`, method, path, handler });
  return new Routes([
    r('admin.projects.getIamPolicy', 'POST', '/v1/projects/:project\\:getIamPolicy', h.getProjectIamPolicy),
    r('admin.projects.setIamPolicy', 'POST', '/v1/projects/:project\\:setIamPolicy', h.setProjectIamPolicy),
    r('admin.serviceAccounts.list', 'GET', '/v1/projects/:project/serviceAccounts', h.listServiceAccounts),
    r('admin.serviceAccounts.create', 'POST', '/v1/projects/:project/serviceAccounts', h.createServiceAccount),
    r('admin.serviceAccountKeys.create', 'POST', '/v1/projects/:project/serviceAccounts/:account/keys', h.createServiceAccountKey),
    r('locations.list', 'GET', '/v1/projects/:project/locations', h.listLocations),
    r('projectSettings.get', 'GET', '/v1/projects/:project/projectSettings', h.getProjectSettings),
    r('projectSettings.update', 'PATCH', '/v1/projects/:project/projectSettings', h.updateProjectSettings),
    r('operations.get', 'GET', `${L}/operations/:operation`, h.getOperation),
    r('repositories.list', 'GET', `${L}/repositories`, h.listRepositories),
    r('repositories.create', 'POST', `${L}/repositories`, h.createRepository),
    r('repositories.getIamPolicy', 'GET', `${R}\\:getIamPolicy`, h.getIamPolicy),
    r('repositories.setIamPolicy', 'POST', `${R}\\:setIamPolicy`, h.setIamPolicy),
    r('repositories.testIamPermissions', 'POST', `${R}\\:testIamPermissions`, h.testIamPermissions),
    r('repositories.exportArtifact', 'POST', `${R}\\:exportArtifact`, h.exportArtifact),
    r('aptArtifacts.import', 'POST', `${R}/aptArtifacts\\:import`, h.importAptArtifacts),
    r('yumArtifacts.import', 'POST', `${R}/yumArtifacts\\:import`, h.importYumArtifacts),
    r('repositories.get', 'GET', R, h.getRepository),
    r('repositories.update', 'PATCH', R, h.updateRepository),
    r('repositories.delete', 'DELETE', R, h.deleteRepository),
    r('packages.list', 'GET', `${R}/packages`, h.listPackages),
    r('packages.get', 'GET', P, h.getPackage),
    r('packages.update', 'PATCH', P, h.updatePackage),
    r('packages.delete', 'DELETE', P, h.deletePackage),
    r('versions.batchDelete', 'POST', `${P}/versions\\:batchDelete`, h.batchDeleteVersions),
    r('versions.list', 'GET', `${P}/versions`, h.listVersions),
    r('versions.get', 'GET', `${P}/versions/:version`, h.getVersion),
    r('versions.update', 'PATCH', `${P}/versions/:version`, h.updateVersion),
    r('versions.delete', 'DELETE', `${P}/versions/:version`, h.deleteVersion),
    r('tags.list', 'GET', `${P}/tags`, h.listTags),
    r('tags.create', 'POST', `${P}/tags`, h.createTag),
    r('tags.get', 'GET', `${P}/tags/:tag`, h.getTag),
    r('tags.update', 'PATCH', `${P}/tags/:tag`, h.updateTag),
    r('tags.delete', 'DELETE', `${P}/tags/:tag`, h.deleteTag),
    r('files.list', 'GET', `${R}/files`, h.listFiles),
    r('files.download', 'GET', `${R}/files/:file\\:download`, h.downloadFile),
    r('files.get', 'GET', `${R}/files/*file`, h.getFile),
    r('files.update', 'PATCH', `${R}/files/:file`, h.updateFile),
    r('files.delete', 'DELETE', `${R}/files/:file`, h.deleteFile),
    r('dockerImages.list', 'GET', `${R}/dockerImages`, h.listDockerImages),
    r('dockerImages.get', 'GET', `${R}/dockerImages/:image`, h.getDockerImage),
    r('npmPackages.list', 'GET', `${R}/npmPackages`, h.listNpmPackages),
    r('npmPackages.get', 'GET', `${R}/npmPackages/:artifact`, h.getNpmPackage),
    r('pythonPackages.list', 'GET', `${R}/pythonPackages`, h.listPythonPackages),
    r('pythonPackages.get', 'GET', `${R}/pythonPackages/:artifact`, h.getPythonPackage),
    r('mavenArtifacts.list', 'GET', `${R}/mavenArtifacts`, h.listMavenArtifacts),
    r('mavenArtifacts.get', 'GET', `${R}/mavenArtifacts/:artifact`, h.getMavenArtifact),
    r('rules.list', 'GET', `${R}/rules`, h.listRules),
    r('rules.create', 'POST', `${R}/rules`, h.createRule),
    r('rules.get', 'GET', `${R}/rules/:rule`, h.getRule),
    r('rules.update', 'PATCH', `${R}/rules/:rule`, h.updateRule),
    r('rules.delete', 'DELETE', `${R}/rules/:rule`, h.deleteRule),
    r('attachments.list', 'GET', `${R}/attachments`, h.listAttachments),
    r('attachments.create', 'POST', `${R}/attachments`, h.createAttachment),
    r('attachments.get', 'GET', `${R}/attachments/:attachment`, h.getAttachment),
    r('attachments.delete', 'DELETE', `${R}/attachments/:attachment`, h.deleteAttachment),
    r('vpcscConfig.get', 'GET', `${L}/vpcscConfig`, h.getVpcscConfig),
    r('vpcscConfig.update', 'PATCH', `${L}/vpcscConfig`, h.updateVpcscConfig),
    r('locations.get', 'GET', L, h.getLocation),
    ...UNIMPLEMENTED_METHODS.map(([rpc, method, path]) => unimplementedRoute(rpc, method, path)),
  ]);
}
