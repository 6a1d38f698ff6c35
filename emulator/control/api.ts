// The control plane as one transport-neutral API: one method per RPC of
// google.devtools.artifactregistry.v1.ArtifactRegistry (+ Operations and Locations), taking and returning
// proto3-JSON-shaped objects (lowerCamelCase, enums as canonical names, int64 as strings, timestamps as
// RFC 3339). REST (`rest/`) and gRPC (`grpc/`) are adapters over it; there is no second implementation.
import type { OperationResource } from './dto.js';

export type Json = Record<string, unknown>;
/** A warning about a request that succeeded (REST: a `Warning: 299` header; gRPC: `x-emulator-warning` trailing metadata). */
export type Warn = (message: string) => void;

export interface ListRequest {
  parent: string;
  pageSize?: number;
  pageToken?: string;
  filter?: string;
  orderBy?: string;
}

/** ImportAptArtifactsRequest / ImportYumArtifactsRequest: `{parent, gcsSource: {uris[], useWildcards}}` */
export interface ImportRequest {
  parent: string;
  gcsSource?: { uris?: string[]; useWildcards?: boolean };
}

export interface ControlApi {
  listLocations(req: { name: string; pageSize?: number; pageToken?: string }): Promise<{ locations?: Json[]; nextPageToken?: string }>;
  getLocation(req: { name: string }): Promise<Json>;
  getOperation(req: { name: string }): Promise<OperationResource>;

  /** Imports `gcsSource.uris` (local files in place of Cloud Storage: storage/gcs-source.ts) into an APT repository. */
  importAptArtifacts(req: ImportRequest): Promise<OperationResource>;
  /** Imports `gcsSource.uris` into a YUM repository. */
  importYumArtifacts(req: ImportRequest): Promise<OperationResource>;

  /** `warn`: given each warning about the stored config (a virtual repository's dependency-confusion risk) for the transport to pass on */
  createRepository(req: { parent: string; repositoryId: string; repository: Json; warn?: Warn }): Promise<OperationResource>;
  getRepository(req: { name: string }): Promise<Json>;
  listRepositories(req: ListRequest): Promise<{ repositories?: Json[]; nextPageToken?: string }>;
  updateRepository(req: { repository: Json; updateMask?: string[]; warn?: Warn }): Promise<Json>;
  deleteRepository(req: { name: string }): Promise<OperationResource>;

  listPackages(req: ListRequest): Promise<{ packages?: Json[]; nextPageToken?: string }>;
  getPackage(req: { name: string }): Promise<Json>;
  updatePackage(req: { package: Json; updateMask?: string[] }): Promise<Json>;
  deletePackage(req: { name: string }): Promise<OperationResource>;

  listVersions(req: ListRequest & { view?: string }): Promise<{ versions?: Json[]; nextPageToken?: string }>;
  getVersion(req: { name: string; view?: string }): Promise<Json>;
  updateVersion(req: { version: Json; updateMask?: string[] }): Promise<Json>;
  deleteVersion(req: { name: string; force?: boolean }): Promise<OperationResource>;
  batchDeleteVersions(req: { parent: string; names: string[]; validateOnly?: boolean }): Promise<OperationResource>;

  listTags(req: ListRequest): Promise<{ tags?: Json[]; nextPageToken?: string }>;
  getTag(req: { name: string }): Promise<Json>;
  createTag(req: { parent: string; tagId: string; tag: Json }): Promise<Json>;
  updateTag(req: { tag: Json; updateMask?: string[] }): Promise<Json>;
  deleteTag(req: { name: string }): Promise<Json>;

  listFiles(req: ListRequest): Promise<{ files?: Json[]; nextPageToken?: string }>;
  getFile(req: { name: string }): Promise<Json>;
  updateFile(req: { file: Json; updateMask?: string[] }): Promise<Json>;
  deleteFile(req: { name: string }): Promise<OperationResource>;
  /** The bytes of a file (REST `:download?alt=media`); with `range` (a `Range` header) the bytes of `span` only. */
  downloadFile(req: { name: string; range?: string }): Promise<{ file: Json; body: AsyncIterable<Uint8Array>; span?: { start: number; end: number } }>;

  listDockerImages(req: ListRequest): Promise<{ dockerImages?: Json[]; nextPageToken?: string }>;
  getDockerImage(req: { name: string }): Promise<Json>;

  /** Each version of each package of an NPM repository (`…/npmPackages/PACKAGE:VERSION`); pageSize/pageToken only. */
  listNpmPackages(req: { parent: string; pageSize?: number; pageToken?: string }): Promise<{ npmPackages?: Json[]; nextPageToken?: string }>;
  getNpmPackage(req: { name: string }): Promise<Json>;
  /** Each version of each package of a PYTHON repository (`…/pythonPackages/PACKAGE:VERSION`); pageSize/pageToken only. */
  listPythonPackages(req: { parent: string; pageSize?: number; pageToken?: string }): Promise<{ pythonPackages?: Json[]; nextPageToken?: string }>;
  getPythonPackage(req: { name: string }): Promise<Json>;
  /** Each version of each artifact of a MAVEN repository (`…/mavenArtifacts/GROUP:ARTIFACT:VERSION`); pageSize/pageToken only. */
  listMavenArtifacts(req: { parent: string; pageSize?: number; pageToken?: string }): Promise<{ mavenArtifacts?: Json[]; nextPageToken?: string }>;
  getMavenArtifact(req: { name: string }): Promise<Json>;

  getProjectSettings(req: { name: string }): Promise<Json>;
  updateProjectSettings(req: { projectSettings: Json; updateMask?: string[] }): Promise<Json>;

  /** Rules (rule.proto): one per repository plus one per package; enforced on downloads (control/rules-api.ts). */
  listRules(req: { parent: string; pageSize?: number; pageToken?: string }): Promise<{ rules?: Json[]; nextPageToken?: string }>;
  getRule(req: { name: string }): Promise<Json>;
  createRule(req: { parent: string; ruleId?: string; rule: Json }): Promise<Json>;
  updateRule(req: { rule: Json; updateMask?: string[] }): Promise<Json>;
  deleteRule(req: { name: string }): Promise<Json>;

  /** Attachments (attachment.proto): OCI referrers of their target where it is an image (control/attachments-api.ts). */
  listAttachments(req: ListRequest): Promise<{ attachments?: Json[]; nextPageToken?: string }>;
  getAttachment(req: { name: string }): Promise<Json>;
  createAttachment(req: { parent: string; attachmentId?: string; attachment: Json }): Promise<OperationResource>;
  deleteAttachment(req: { name: string }): Promise<OperationResource>;

  /** VPC-SC config of a location (vpcsc_config.proto): DENY stops remote repositories' upstream fetches (control/vpcsc-api.ts). */
  getVpcscConfig(req: { name: string }): Promise<Json>;
  updateVpcscConfig(req: { vpcscConfig: Json; updateMask?: string[] }): Promise<Json>;

  /** ExportArtifact (export.proto): a version's files to the local directory a `gcsPath` maps to (control/export-api.ts). */
  exportArtifact(req: { repository: string; sourceVersion?: string; sourceTag?: string; gcsPath?: string }): Promise<OperationResource>;

  getIamPolicy(req: { resource: string; options?: { requestedPolicyVersion?: number } }): Promise<Json>;
  setIamPolicy(req: { resource: string; policy: Json; updateMask?: string[] }): Promise<Json>;
  /** `caller` is who asks (set by the transport after authentication); absent means the local owner. */
  testIamPermissions(req: { resource: string; permissions: string[]; caller?: { principal: string; groups: string[] } }): Promise<{ permissions?: string[] }>;
}

/** RPC names of the ArtifactRegistry service this API implements (used by transports and docs/api.md). */
export const ARTIFACT_REGISTRY_RPCS = [
  'ListRepositories', 'GetRepository', 'CreateRepository', 'UpdateRepository', 'DeleteRepository',
  'ListPackages', 'GetPackage', 'UpdatePackage', 'DeletePackage',
  'ListVersions', 'GetVersion', 'UpdateVersion', 'DeleteVersion', 'BatchDeleteVersions',
  'ListTags', 'GetTag', 'CreateTag', 'UpdateTag', 'DeleteTag',
  'ListFiles', 'GetFile', 'UpdateFile', 'DeleteFile',
  'ListDockerImages', 'GetDockerImage',
  'ListNpmPackages', 'GetNpmPackage', 'ListPythonPackages', 'GetPythonPackage', 'ListMavenArtifacts', 'GetMavenArtifact',
  'GetProjectSettings', 'UpdateProjectSettings',
  'GetIamPolicy', 'SetIamPolicy', 'TestIamPermissions',
  'ListRules', 'GetRule', 'CreateRule', 'UpdateRule', 'DeleteRule',
  'ListAttachments', 'GetAttachment', 'CreateAttachment', 'DeleteAttachment',
  'GetVPCSCConfig', 'UpdateVPCSCConfig', 'ExportArtifact',
  'ImportAptArtifacts', 'ImportYumArtifacts',
] as const;
