// Attachments (attachment.proto): List/Get/Create/Delete. An attachment of a Docker image version is stored as an
// OCI referrer of it (an artifact manifest whose subject is the image and whose layers are the attachment's files),
// so `/v2/…/referrers/DIGEST` and this API agree; referrers pushed by clients (oras attach, cosign) and the deploy
// policy's attestations are listed here too, as attachments named `oci-<digest hex>`. Other targets (packages,
// repositories, versions of other formats) keep the attachment as a record (docs/api.md).
import { EmulatorError } from '../core/errors.js';
import { ATTACHMENT_NAMESPACE_ANNOTATION, type ReferrerInfo } from '../core/inventory.js';
import { clip, fileName, parseResourceName, repositoryName, versionName, type RepositoryRef } from '../core/names.js';
import type { ControlApi, Json } from './api.js';
import type { ControlServiceDeps } from './control-service.js';
import { listPage } from './listing.js';
import { validateAnnotations } from './service/annotations.js';
import type { AttachmentRecord } from './service/attachments.js';
import { rejectUnknownFields } from './unknown-fields.js';

const ATTACHMENT_ID = /^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/;
const FIELDS = ['name', 'target', 'type', 'attachmentNamespace', 'annotations', 'createTime', 'updateTime', 'files', 'ociVersionName'] as const;
const OCI_PREFIX = 'oci-';
const MAX_FILES = 100;

export function attachmentsApi(d: ControlServiceDeps): Pick<ControlApi, 'listAttachments' | 'getAttachment' | 'createAttachment' | 'deleteAttachment'> {
  const store = () => {
    if (!d.attachments) throw new EmulatorError('UNSUPPORTED', 'Attachments are not served by this emulator instance.');
    return d.attachments;
  };
  const now = () => (d.now ? d.now() : new Date()).toISOString();
  const inventoryOf = (ref: RepositoryRef) => d.inventories.get(d.repositories.get(ref).format);

  /** Every attachment of the repository: the records, then the OCI referrers no record stands for. */
  const all = async (ref: RepositoryRef): Promise<Json[]> => {
    const records = store().list(ref);
    const own = new Set(records.flatMap((r) => (r.ociVersionName ? [r.ociVersionName] : [])));
    const referrers = (await inventoryOf(ref)?.referrers?.list(ref)) ?? [];
    const fromOci = referrers.map((r) => fromReferrer(ref, r)).filter((a) => !own.has(String(a.ociVersionName)));
    return [...records.map((r) => ({ ...r }) as Json), ...fromOci];
  };
  const find = async (name: string, field = 'name') => {
    const n = parseResourceName(name, 'attachment', field);
    d.repositories.get(n.ref);
    const record = store().get(n.ref, n.attachment);
    if (record) return { n, attachment: record as unknown as Json, record };
    if (n.attachment.startsWith(OCI_PREFIX)) {
      const found = (await all(n.ref)).find((a) => a.name === `${repositoryName(n.ref)}/attachments/${n.attachment}`);
      if (found) return { n, attachment: found, record: undefined };
    }
    throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
  };

  return {
    async listAttachments(req) {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      d.repositories.get(ref);
      const spec = {
        scope: `${req.parent}|attachments`,
        filterFields: { target: (x: Json) => String(x.target ?? ''), type: (x: Json) => String(x.type ?? ''), attachment_namespace: (x: Json) => String(x.attachmentNamespace ?? '') },
        orderFields: {},
      };
      const r = listPage(await all(ref), spec, req, d.pageTokens);
      return { ...(r.items.length ? { attachments: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },

    async getAttachment(req) {
      return (await find(req.name)).attachment;
    },

    async createAttachment(req) {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      const repo = d.repositories.get(ref);
      const id = req.attachmentId ?? '';
      if (!id) throw new EmulatorError('INVALID_ARGUMENT', 'Field "attachment_id" is required.', { field: 'attachment_id' });
      if (!ATTACHMENT_ID.test(id) || id.startsWith(OCI_PREFIX)) {
        throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "attachment_id": "${clip(id)}". Attachment ids are 1 to 128 lowercase letters, digits, hyphens, underscores and dots, starting and ending with a letter or digit (ids starting with "${OCI_PREFIX}" name OCI referrers).`, { field: 'attachment_id' });
      }
      const body = req.attachment ?? {};
      rejectUnknownFields(body, FIELDS, 'attachment');
      const target = targetOf(body.target, ref, d);
      const files = filesOf(body.files, ref, d);
      const type = optionalString(body.type, 'attachment.type', 255);
      const namespace = optionalString(body.attachmentNamespace, 'attachment.attachment_namespace', 255);
      const annotations = annotationsOf(body.annotations);
      const time = now();
      const record: AttachmentRecord = {
        name: `${repositoryName(ref)}/attachments/${id}`, target: target.name,
        ...(type ? { type } : {}), ...(namespace ? { attachmentNamespace: namespace } : {}), ...(annotations ? { annotations } : {}),
        files: files.map((f) => f.name), createTime: time, updateTime: time,
      };
      if (store().get(ref, id)) throw new EmulatorError('ALREADY_EXISTS', `Attachment "${record.name}" already exists.`);
      const referrers = inventoryOf(ref)?.referrers;
      if (repo.format === 'DOCKER' && target.version && referrers) {
        if (!type) throw new EmulatorError('INVALID_ARGUMENT', 'Field "attachment.type" is required for an attachment of a Docker image: it becomes the OCI artifactType.', { field: 'attachment.type' });
        const ociAnnotations = { ...(annotations ?? {}), ...(namespace ? { [ATTACHMENT_NAMESPACE_ANNOTATION]: namespace } : {}) };
        const digest = await referrers.attach(ref, target.package!, target.version, { artifactType: type, layers: files.map((f) => f.id), annotations: ociAnnotations });
        record.ociVersionName = versionName(ref, target.package!, digest);
      }
      await store().create(ref, id, record);
      return d.operations.completed(ref.project, ref.location, 'Attachment', { ...record });
    },

    async deleteAttachment(req) {
      const { n, attachment, record } = await find(req.name);
      const oci = typeof attachment.ociVersionName === 'string' ? parseResourceName(attachment.ociVersionName, 'version', 'attachment.oci_version_name') : undefined;
      if (oci) {
        const inv = inventoryOf(n.ref);
        if (inv?.getVersion(n.ref, oci.package, oci.version)) await inv.deleteVersion(n.ref, oci.package, oci.version, true);
      }
      if (record) await store().delete(n.ref, n.attachment);
      return d.operations.completed(n.ref.project, n.ref.location, 'Empty', {});
    },
  };
}

/** An OCI referrer in the Attachment shape. */
function fromReferrer(ref: RepositoryRef, r: ReferrerInfo): Json {
  const hex = r.digest.slice(r.digest.indexOf(':') + 1);
  const { [ATTACHMENT_NAMESPACE_ANNOTATION]: namespace, ...annotations } = r.annotations ?? {};
  return {
    name: `${repositoryName(ref)}/attachments/${OCI_PREFIX}${hex}`,
    target: versionName(ref, r.image, r.subject),
    ...(r.artifactType ? { type: r.artifactType } : {}),
    ...(namespace ? { attachmentNamespace: namespace } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
    createTime: r.createTime, updateTime: r.createTime,
    files: r.layers.map((l) => fileName(ref, l)),
    ociVersionName: versionName(ref, r.image, r.digest),
  };
}

/** The attachment's target: a version, package or repository of the same repository that exists. */
function targetOf(value: unknown, ref: RepositoryRef, d: ControlServiceDeps): { name: string; package?: string; version?: string } {
  const field = 'attachment.target';
  if (typeof value !== 'string' || !value) throw new EmulatorError('INVALID_ARGUMENT', `Field "${field}" is required.`, { field });
  const same = (other: RepositoryRef) => {
    if (repositoryName(other) !== repositoryName(ref)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": the target must be in ${repositoryName(ref)}.`, { field });
  };
  const inv = d.inventories.get(d.repositories.get(ref).format);
  const missing = () => new EmulatorError('NOT_FOUND', `Target ${clip(value, 200)} was not found.`);
  if (/\/versions\/[^/]+$/.test(value)) {
    const v = parseResourceName(value, 'version', field);
    same(v.ref);
    if (!inv?.getVersion(v.ref, v.package, v.version)) throw missing();
    return { name: value, package: v.package, version: v.version };
  }
  if (/\/packages\/[^/]+$/.test(value)) {
    const p = parseResourceName(value, 'package', field);
    same(p.ref);
    if (!inv?.getPackage(p.ref, p.package)) throw missing();
    return { name: value, package: p.package };
  }
  same(parseResourceName(value, 'repository', field).ref);
  return { name: value };
}

function filesOf(value: unknown, ref: RepositoryRef, d: ControlServiceDeps): Array<{ name: string; id: string }> {
  const field = 'attachment.files';
  if (!Array.isArray(value) || value.length === 0) throw new EmulatorError('INVALID_ARGUMENT', `Field "${field}" is required: at least one file of the repository.`, { field });
  if (value.length > MAX_FILES) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": at most ${MAX_FILES} files.`, { field });
  const inv = d.inventories.get(d.repositories.get(ref).format);
  return value.map((name, i) => {
    const f = parseResourceName(String(name), 'file', `${field}[${i}]`);
    if (repositoryName(f.ref) !== repositoryName(ref)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}[${i}]": the file must be in ${repositoryName(ref)}.`, { field: `${field}[${i}]` });
    if (!inv?.getFile(f.ref, f.file)) throw new EmulatorError('NOT_FOUND', `File ${clip(String(name), 200)} was not found.`);
    return { name: fileName(ref, f.file), id: f.file };
  });
}

function optionalString(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max || /[\u0000-\u001f]/.test(value)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": a string of at most ${max} characters.`, { field });
  return value;
}

function annotationsOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const map = validateAnnotations(value, 'attachment.annotations');
  return Object.keys(map).length ? map : undefined;
}
