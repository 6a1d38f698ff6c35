// ControlApi over the services: name parsing, list semantics and resource shapes in one place, shared by
// the REST and gRPC transports.
import { requestedRange, sliceStream } from './upload/download-range.js';
import { EmulatorError } from '../core/errors.js';
import type { ArtifactInventory, VersionInfo } from '../core/inventory.js';
import { assertValidParent, parseResourceName, repositoryName, versionName, type RepositoryRef } from '../core/names.js';
import type { ControlApi, ImportRequest, Json } from './api.js';
import { listPage, listPageOf, type ListSpec } from './listing.js';
import type { OperationStore } from './operations.js';
import type { PageTokens } from './page-token.js';
import { dockerImageResource, fileResource, packageResource, repositoryResource, tagResource, versionResource } from './resources.js';
import type { IamPolicyService } from '../iam/repository-policies.js';
import type { RepositoryService } from './service/repositories.js';
import type { SettingsService } from './service/settings.js';
import type { AnnotationStore } from './service/annotations.js';
import { immutableTagsPolicy, isImmutable } from '../content/immutable-tags.js';
import { emptyInventory } from './empty-inventory.js';
import { formatPackages } from './format-packages.js';
import type { EventBus } from '../core/events.js';
import type { ImportKind, ImportSource } from '../core/import-kind.js';
import type { Logger } from '../core/logger.js';
import type { VirtualShadowing } from './service/virtual-shadowing.js';
import { rulesApi } from './rules-api.js';
import type { DownloadRuleStore } from '../content/download-rules.js';
import type { VpcscConfigStore } from '../content/vpcsc.js';
import type { AttachmentStore } from './service/attachments.js';
import { attachmentsApi } from './attachments-api.js';
import { vpcscApi } from './vpcsc-api.js';
import { exportApi } from './export-api.js';

export interface ControlServiceDeps {
  repositories: RepositoryService;
  iam: IamPolicyService;
  settings: SettingsService;
  operations: OperationStore;
  pageTokens: PageTokens;
  inventories: Map<string, ArtifactInventory>;
  registryHost: () => string;
  held: (caller: { principal: string; groups: string[] } | undefined, repository: RepositoryRef, requested: string[]) => string[];
  annotations: AnnotationStore;
  /** the dependency-confusion check of virtual repositories, run after each create and patch of one */
  shadowing: VirtualShadowing;
  events: EventBus;
  logger?: Logger;
  /** the formats' `…/<kind>:import` methods, by kind (`aptArtifacts`) */
  importKinds?: ReadonlyMap<string, ImportKind>;
  /** resolves the `gcs_source` URIs of an import to local files (storage/gcs-source.ts) */
  importSources?: (uris: readonly string[], useWildcards: boolean) => Promise<ImportSource[]>;
  /** the repositories' download rules (content/download-rules.ts), which rules-api.ts reads and writes */
  rules?: DownloadRuleStore;
  /** the locations' VPC-SC configs (content/vpcsc.ts), which vpcsc-api.ts reads and writes */
  vpcsc?: VpcscConfigStore;
  /** the attachments the control plane created (control/service/attachments.ts) */
  attachments?: AttachmentStore;
  /** the directory gs:// paths map to (ExportArtifact writes under it; storage/gcs-export.ts) */
  gcsRoot?: string;
  /** the emulator's clock (create and update times of attachments) */
  now?: () => Date;
}

const byName = { name: (x: Json) => String(x.name) };
const times = { create_time: (x: Json) => String(x.createTime ?? ''), update_time: (x: Json) => String(x.updateTime ?? ''), name: (x: Json) => String(x.name) };
const annotations = (x: Json) => Object.entries((x.annotations as Record<string, string>) ?? {}).flatMap(([k, v]) => [k, `${k}:${v}`]);

export function createControlService(d: ControlServiceDeps): ControlApi {
  // A format no module serves yet has stored nothing: empty lists, NOT_FOUND for anything named (not a 501).
  const inventoryOf = (ref: RepositoryRef): ArtifactInventory => {
    const record = d.repositories.get(ref);
    return d.inventories.get(record.format) ?? emptyInventory(record.format);
  };
  const repoJson = (ref: RepositoryRef) => {
    const record = d.repositories.get(ref);
    const size = d.inventories.get(record.format)?.sizeBytes(ref) ?? 0;
    return repositoryResource(record, d.registryHost(), size);
  };
  const page = <T extends Json>(items: T[], spec: ListSpec<T>, req: Parameters<typeof listPage>[2]) => listPage(items, spec, req, d.pageTokens);
  const pageOf = <S, T extends Json>(source: S[], toItem: (s: S) => T, spec: ListSpec<T>, req: Parameters<typeof listPage>[2]) => listPageOf(source, toItem, spec, req, d.pageTokens);
  const packageOf = (name: string) => {
    const n = parseResourceName(name, 'package');
    if (!inventoryOf(n.ref).getPackage(n.ref, n.package)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return n;
  };
  const withAnn = <T extends { annotations?: Record<string, string> }>(ref: RepositoryRef, kind: 'package' | 'version', id: string, item: T): T => {
    const ann = d.annotations.get(ref, kind, id);
    return ann ? { ...item, annotations: ann } : item;
  };
  const isFull = (view: string | undefined) => {
    const v = String(view ?? 'BASIC').toUpperCase();
    if (!['BASIC', 'FULL', 'VERSION_VIEW_UNSPECIFIED', '0', '1', '2'].includes(v)) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "view": BASIC or FULL.', { field: 'view' });
    return v === 'FULL' || v === '2';
  };

  /** The `…/<kind>:import` methods: the request checked, the URIs resolved, the kind's ingest, a done operation. */
  const importInto = async (kind: string, req: ImportRequest) => {
    const ref = parseResourceName(String(req.parent ?? ''), 'repository', 'parent').ref;
    const importer = d.importKinds?.get(kind);
    const record = d.repositories.get(ref);
    if (!importer || !d.importSources) throw new EmulatorError('UNSUPPORTED', `Method ${kind}:import is not implemented by the emulator.`);
    if (record.format !== importer.format) {
      throw new EmulatorError('FAILED_PRECONDITION', `Repository "${ref.repository}" is a ${record.format} repository: ${kind}:import needs a ${importer.format} repository.`);
    }
    const source = req.gcsSource;
    const uris = Array.isArray(source?.uris) ? source.uris.map(String) : [];
    if (uris.length === 0) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "gcs_source.uris": at least one gs:// URI is required.', { field: 'gcs_source.uris' });
    if (uris.length > 1000) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "gcs_source.uris": at most 1000 URIs.', { field: 'gcs_source.uris' });
    const sources = await d.importSources(uris, source?.useWildcards === true);
    const response = await importer.run(ref, sources);
    return d.operations.completed(ref.project, ref.location, importer.responseType, response, importer.metadataType);
  };

  return {
    ...formatPackages({
      inventoryFor: (ref, format) => (d.repositories.get(ref).format === format ? d.inventories.get(format) : undefined),
      pageTokens: d.pageTokens,
      registryHost: d.registryHost,
    }),
    ...rulesApi(d),
    ...attachmentsApi(d),
    ...vpcscApi(d),
    ...exportApi(d),

    async listLocations(req) {
      const project = /^projects\/([^/]+)$/.exec(req.name)?.[1];
      if (!project) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "name": expected projects/PROJECT.', { field: 'name' });
      const r = page(d.settings.listLocations(project), { scope: req.name, filterFields: {}, orderFields: {} }, req);
      return { ...(r.items.length ? { locations: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getLocation(req) {
      const n = parseResourceName(req.name, 'location');
      return d.settings.location(n.project, n.location);
    },
    async getOperation(req) {
      parseResourceName(req.name, 'operation');
      return d.operations.get(req.name);
    },
    importAptArtifacts: (req) => importInto('aptArtifacts', req),
    importYumArtifacts: (req) => importInto('yumArtifacts', req),

    async createRepository(req) {
      const m = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(req.parent);
      if (!m) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "parent": expected projects/PROJECT/locations/LOCATION.', { field: 'parent' });
      const record = await d.repositories.create(m[1]!, m[2]!, req.repositoryId, req.repository);
      d.shadowing.report(record, d.events, d.logger, req.warn);
      return d.operations.completed(m[1]!, m[2]!, 'Repository', repoJson(record));
    },
    async getRepository(req) {
      return repoJson(parseResourceName(req.name, 'repository').ref);
    },
    async listRepositories(req) {
      const m = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(req.parent);
      if (!m) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "parent": expected projects/PROJECT/locations/LOCATION.', { field: 'parent' });
      assertValidParent(m[1]!, m[2]!);
      const all = d.repositories.list(m[1]!, m[2]!).map((r) => repoJson(r));
      const r = page(all, { scope: req.parent, filterFields: byName, orderFields: times }, req);
      return { ...(r.items.length ? { repositories: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async updateRepository(req) {
      const ref = parseResourceName(String(req.repository?.name ?? ''), 'repository', 'repository.name').ref;
      const record = await d.repositories.update(ref, req.repository, req.updateMask);
      if (record.mode === 'VIRTUAL_REPOSITORY') d.shadowing.report(record, d.events, d.logger, req.warn);
      return repoJson(ref);
    },
    async deleteRepository(req) {
      const n = parseResourceName(req.name, 'repository');
      await d.repositories.delete(n.ref);
      return d.operations.completed(n.ref.project, n.ref.location, 'Empty', {});
    },

    async listPackages(req) {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      const r = pageOf(inventoryOf(ref).listPackages(ref), (p) => packageResource(ref, withAnn(ref, 'package', p.id, p)), { scope: req.parent, filterFields: { ...byName, annotations }, orderFields: times }, req);
      return { ...(r.items.length ? { packages: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getPackage(req) {
      const n = parseResourceName(req.name, 'package');
      const p = inventoryOf(n.ref).getPackage(n.ref, n.package);
      if (!p) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      return packageResource(n.ref, withAnn(n.ref, 'package', p.id, p));
    },
    async updatePackage(req) {
      const n = packageOf(String(req.package?.name ?? ''));
      onlyAnnotations(req.updateMask, req.package, 'package');
      await d.annotations.set(n.ref, 'package', n.package, req.package.annotations, 'package.annotations');
      return packageResource(n.ref, withAnn(n.ref, 'package', n.package, inventoryOf(n.ref).getPackage(n.ref, n.package)!));
    },
    async deletePackage(req) {
      const n = parseResourceName(req.name, 'package');
      await inventoryOf(n.ref).deletePackage(n.ref, n.package);
      await d.annotations.forget(n.ref, 'package', n.package);
      return d.operations.completed(n.ref.project, n.ref.location, 'Empty', {});
    },

    async listVersions(req) {
      const n = packageOf(req.parent);
      const full = isFull(req.view);
      const toItem = (lazy: () => VersionInfo) => {
        const v = lazy();
        return versionResource(n.ref, n.package, withAnn(n.ref, 'version', `${n.package}@${v.id}`, v), full);
      };
      const r = pageOf(inventoryOf(n.ref).listVersions(n.ref, n.package), toItem, { scope: req.parent, filterFields: { ...byName, annotations }, orderFields: times }, req);
      return { ...(r.items.length ? { versions: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getVersion(req) {
      const n = parseResourceName(req.name, 'version');
      const v = inventoryOf(n.ref).getVersion(n.ref, n.package, n.version);
      if (!v) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      return versionResource(n.ref, n.package, withAnn(n.ref, 'version', `${n.package}@${v.id}`, v), isFull(req.view));
    },
    async updateVersion(req) {
      const n = parseResourceName(String(req.version?.name ?? ''), 'version', 'version.name');
      const v = inventoryOf(n.ref).getVersion(n.ref, n.package, n.version);
      if (!v) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      onlyAnnotations(req.updateMask, req.version, 'version');
      await d.annotations.set(n.ref, 'version', `${n.package}@${n.version}`, req.version.annotations, 'version.annotations');
      return versionResource(n.ref, n.package, withAnn(n.ref, 'version', `${n.package}@${v.id}`, v), false);
    },
    async deleteVersion(req) {
      const n = parseResourceName(req.name, 'version');
      await inventoryOf(n.ref).deleteVersion(n.ref, n.package, n.version, req.force === true);
      await d.annotations.forget(n.ref, 'version', `${n.package}@${n.version}`);
      return d.operations.completed(n.ref.project, n.ref.location, 'Empty', {});
    },
    async batchDeleteVersions(req) {
      const parent = packageOf(req.parent);
      if (!Array.isArray(req.names) || req.names.length === 0) throw new EmulatorError('INVALID_ARGUMENT', 'Field "names" is required.', { field: 'names' });
      const versions = req.names.map((name, i) => {
        const v = parseResourceName(name, 'version', `names[${i}]`);
        if (v.package !== parent.package || repositoryName(v.ref) !== repositoryName(parent.ref)) {
          throw new EmulatorError('INVALID_ARGUMENT', `names[${i}] is not a version of ${req.parent}.`, { field: `names[${i}]` });
        }
        if (!inventoryOf(v.ref).getVersion(v.ref, v.package, v.version)) throw new EmulatorError('NOT_FOUND', `Version ${name} was not found.`);
        return v;
      });
      // immutable tags: refuse the whole batch before deleting any of it when one version is tagged
      const record = d.repositories.get(parent.ref);
      if (isImmutable(record)) {
        for (const v of versions) {
          const tags = inventoryOf(v.ref).getVersion(v.ref, v.package, v.version)?.tags ?? [];
          if (tags.length) immutableTagsPolicy().checkVersionDelete?.({ repository: record, pkg: v.package, version: v.version, tags });
        }
      }
      if (!req.validateOnly) for (const v of versions) await inventoryOf(v.ref).deleteVersion(v.ref, v.package, v.version, true);
      return d.operations.completed(parent.ref.project, parent.ref.location, 'Empty', {}, 'BatchDeleteVersionsMetadata');
    },

    async listTags(req) {
      const n = packageOf(req.parent);
      const r = pageOf(inventoryOf(n.ref).listTags(n.ref, n.package), (t) => tagResource(n.ref, n.package, t), { scope: req.parent, filterFields: { ...byName, version: (x) => String(x.version) }, orderFields: {} }, req);
      return { ...(r.items.length ? { tags: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getTag(req) {
      const n = parseResourceName(req.name, 'tag');
      const t = inventoryOf(n.ref).getTag(n.ref, n.package, n.tag);
      if (!t) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      return tagResource(n.ref, n.package, t);
    },
    async createTag(req) {
      const n = packageOf(req.parent);
      if (!req.tagId) throw new EmulatorError('INVALID_ARGUMENT', 'Field "tag_id" is required.', { field: 'tag_id' });
      const inv = inventoryOf(n.ref);
      if (inv.getTag(n.ref, n.package, req.tagId)) throw new EmulatorError('ALREADY_EXISTS', `Tag ${req.tagId} already exists.`);
      const version = versionIdOf(req.tag?.version, n.ref, n.package, 'tag.version');
      return tagResource(n.ref, n.package, await inv.setTag(n.ref, n.package, req.tagId, version));
    },
    async updateTag(req) {
      const n = parseResourceName(String(req.tag?.name ?? ''), 'tag', 'tag.name');
      const mask = req.updateMask;
      if (mask && mask.some((p) => p !== 'version')) throw new EmulatorError('INVALID_ARGUMENT', `Invalid update_mask: only "version" can be updated.`, { field: 'update_mask' });
      const inv = inventoryOf(n.ref);
      if (!inv.getTag(n.ref, n.package, n.tag)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      const version = versionIdOf(req.tag.version, n.ref, n.package, 'tag.version');
      return tagResource(n.ref, n.package, await inv.setTag(n.ref, n.package, n.tag, version));
    },
    async deleteTag(req) {
      const n = parseResourceName(req.name, 'tag');
      await inventoryOf(n.ref).deleteTag(n.ref, n.package, n.tag);
      return {};
    },

    async listFiles(req) {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      const r = pageOf(inventoryOf(ref).listFiles(ref), (f) => fileResource(ref, f, d.annotations.get(ref, 'file', f.id)), { scope: req.parent, filterFields: { ...byName, owner: (x) => String(x.owner), annotations }, orderFields: times }, req);
      return { ...(r.items.length ? { files: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getFile(req) {
      const n = parseResourceName(req.name, 'file');
      const f = inventoryOf(n.ref).getFile(n.ref, n.file);
      if (!f) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      return fileResource(n.ref, f, d.annotations.get(n.ref, 'file', f.id));
    },
    async updateFile(req) {
      const n = parseResourceName(String(req.file?.name ?? ''), 'file', 'file.name');
      const f = inventoryOf(n.ref).getFile(n.ref, n.file);
      if (!f) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      if (!req.updateMask?.length) throw new EmulatorError('INVALID_ARGUMENT', 'Field "update_mask" is required.', { field: 'update_mask' });
      onlyAnnotations(req.updateMask, req.file, 'file');
      await d.annotations.set(n.ref, 'file', n.file, req.file.annotations, 'file.annotations');
      return fileResource(n.ref, f, d.annotations.get(n.ref, 'file', n.file));
    },
    async deleteFile(req) {
      const n = parseResourceName(req.name, 'file');
      const record = d.repositories.get(n.ref);
      const inv = inventoryOf(n.ref);
      if (!inv.getFile(n.ref, n.file)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      if (inv.deleteFile) {
        await inv.deleteFile(n.ref, n.file);
        return d.operations.completed(n.ref.project, n.ref.location, 'Empty', {});
      }
      throw new EmulatorError('FAILED_PRECONDITION', `Files can only be deleted in GENERIC repositories; ${repositoryName(n.ref)} is ${record.format}. Delete the version instead.`);
    },
    async downloadFile(req) {
      const n = parseResourceName(req.name, 'file');
      const inv = inventoryOf(n.ref);
      const f = inv.getFile(n.ref, n.file);
      if (!f) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      // download rules (rule.proto) hold for files.download as for each format's own download path
      d.rules?.check({ repository: n.ref, package: f.owner.package, version: f.owner.version ?? '' });
      const span = req.range ? requestedRange(req.range, f.sizeBytes) : undefined;
      if (!span) return { file: fileResource(n.ref, f), body: await inv.openFile(n.ref, n.file) };
      const body = inv.openFileRange ? await inv.openFileRange(n.ref, n.file, span) : sliceStream(await inv.openFile(n.ref, n.file), span);
      return { file: fileResource(n.ref, f), body, span };
    },

    async listDockerImages(req) {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      const inv = inventoryOf(ref);
      const r = pageOf(inv.listDockerImages?.(ref) ?? [], (x) => dockerImageResource(ref, x, d.registryHost()), { scope: req.parent, filterFields: {}, orderFields: { ...times, upload_time: (x) => String(x.uploadTime), build_time: (x) => String(x.buildTime ?? '') } }, req);
      return { ...(r.items.length ? { dockerImages: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getDockerImage(req) {
      const n = parseResourceName(req.name, 'dockerImage');
      const found = (inventoryOf(n.ref).listDockerImages?.(n.ref) ?? []).find((x) => x.image === n.image && x.digest === n.digest);
      if (!found) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      return dockerImageResource(n.ref, found, d.registryHost());
    },

    async getProjectSettings(req) {
      return d.settings.getProjectSettings(parseResourceName(req.name, 'projectSettings').project);
    },
    async updateProjectSettings(req) {
      const n = parseResourceName(String(req.projectSettings?.name ?? ''), 'projectSettings', 'project_settings.name');
      return d.settings.updateProjectSettings(n.project, req.projectSettings, req.updateMask);
    },

    async getIamPolicy(req) {
      const ref = parseResourceName(req.resource, 'repository', 'resource').ref;
      d.repositories.get(ref);
      return { ...d.iam.get(ref, Number(req.options?.requestedPolicyVersion ?? 0)) };
    },
    async setIamPolicy(req) {
      const ref = parseResourceName(req.resource, 'repository', 'resource').ref;
      d.repositories.get(ref);
      return { ...(await d.iam.set(ref, req.policy)) };
    },
    async testIamPermissions(req) {
      const ref = parseResourceName(req.resource, 'repository', 'resource').ref;
      d.repositories.get(ref);
      const perms = (req.permissions ?? []).filter((p) => typeof p === 'string');
      if (perms.some((p) => p.includes('*'))) throw new EmulatorError('INVALID_ARGUMENT', 'Permissions with wildcards (*) are not allowed.', { field: 'permissions' });
      const held = d.held(req.caller, ref, perms);
      return held.length ? { permissions: held } : {};
    },
  };
}

/** A tag's `version` field: a full version name (of the same package) or a bare version id. */
function versionIdOf(value: unknown, ref: RepositoryRef, pkg: string, field: string): string {
  if (typeof value !== 'string' || !value) throw new EmulatorError('INVALID_ARGUMENT', `Field "${field}" is required.`, { field });
  if (!value.includes('/')) return value;
  const v = parseResourceName(value, 'version', field);
  if (versionName(v.ref, v.package, v.version) !== versionName(ref, pkg, v.version)) {
    throw new EmulatorError('INVALID_ARGUMENT', `Field "${field}" must name a version of the same package.`, { field });
  }
  return v.version;
}

/** Only `annotations` can be updated on packages, versions and files. */
function onlyAnnotations(mask: string[] | undefined, body: Json, what: string): void {
  const paths = mask ?? Object.keys(body).filter((k) => k !== 'name');
  const bad = paths.find((p) => p !== 'annotations');
  if (bad !== undefined) throw new EmulatorError('INVALID_ARGUMENT', `Invalid update_mask: "${bad.slice(0, 60)}" cannot be updated on a ${what}; only "annotations" can.`, { field: 'update_mask' });
}
