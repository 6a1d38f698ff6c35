// The `goModules` upload kind (spec ar-fidelity §1.5 goModules.upload, `gcloud artifacts go upload`): the media
// is a module zip; UploadGoModuleRequest carries nothing else, so the module path and version come from the zip's
// `MODULE@VERSION/` prefix. The stored zip is checked as x/mod/zip checks it (zip-check.ts), its go.mod must name
// the module, and the go.mod becomes its own blob (the `.mod` file). A failed check links nothing (the blob is
// unreferenced and garbage collection takes it).
import { createHash } from 'node:crypto';
import type { Clock } from '../../../core/clock.js';
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { clip, type RepositoryRef } from '../../../core/names.js';
import type { UploadKind } from '../../../core/upload-kind.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { checkModuleVersion } from '../names.js';
import { checkZipEntries, GO_ZIP_LIMITS, goModModulePath, moduleVersionOfEntries, openStoredZip, type ZipLimits } from '../zip-check.js';
import { versionExists, type BlobRef, type GoModules } from './modules.js';

const invalid = (message: string) => new EmulatorError('INVALID_ARGUMENT', message);

/** The blob reference `data` will be stored under. */
export function blobRefOf(data: Buffer): BlobRef {
  const sha256 = createHash('sha256').update(data).digest('hex');
  return { digest: `sha256:${sha256}`, size: data.length, sha256 };
}

/** The go.mod the go command synthesises for a module zip without one (modfetch: `module M`). */
export const syntheticGoMod = (module: string) => Buffer.from(`module ${module}\n`);

/**
 * Checks a stored module zip and reads its go.mod: the module path and version it holds, and the `.mod` bytes.
 * `expect` (a proxy fetch) pins the module and version the zip must be for.
 */
export async function inspectModuleZip(
  blobs: BlobStore,
  blob: { digest: string; size: number },
  limits: ZipLimits,
  expect?: { module: string; version: string },
): Promise<{ module: string; version: string; goMod: Buffer | undefined }> {
  if (blob.size > limits.zipFile) throw invalid(`module zip file is too large (${blob.size} bytes; limit is ${limits.zipFile} bytes)`);
  const zip = await openStoredZip(blobs, blob.digest, blob.size);
  try {
    const mv = expect ?? moduleVersionOfEntries(zip.entries);
    if (!mv) throw invalid('Invalid module zip: its entries must be under MODULE@VERSION/ (as `go mod download` and x/mod/zip lay them out).');
    const parsed = checkModuleVersion(mv.module, mv.version);
    const { problems, goMod } = checkZipEntries(zip.entries, mv.module, mv.version, limits);
    if (!problems.ok) throw problems.error(mv.module, mv.version);
    const text = goMod !== undefined ? await zip.read(goMod, limits.goMod) : undefined;
    if (text) {
      const declared = goModModulePath(text.toString('utf8'));
      if (declared === undefined) throw invalid(`${clip(mv.module)}@${clip(mv.version)}: go.mod has no module directive`);
      if (declared !== mv.module) throw invalid(`${clip(mv.module)}@${clip(mv.version)}: go.mod has non-${clip(mv.module)} module path "${clip(declared)}"`);
      if (parsed.incompatible) throw invalid(`${clip(mv.module)}@${clip(mv.version)}: invalid version: +incompatible suffix not allowed: module contains a go.mod file, so semantic import versioning is required`);
    }
    return { module: mv.module, version: mv.version, goMod: text };
  } finally {
    zip.close();
  }
}

export function goModulesUploadKind(modules: GoModules, blobs: BlobStore, events: EventBus, clock: Clock, limits: ZipLimits = GO_ZIP_LIMITS): UploadKind {
  return {
    kind: 'goModules',
    responseType: 'UploadGoModuleResponse',
    metadataType: 'UploadGoModuleMetadata',
    // UploadGoModuleRequest has no fields but the parent: a media upload needs no metadata
    metadataFromQuery: () => ({}),
    prepare(repo: RepositoryRef) {
      const t = modules.uploadTarget(repo);
      return {
        maxBytes: limits.zipFile,
        async commit(blob) {
          let z: Awaited<ReturnType<typeof inspectModuleZip>>;
          try {
            z = await inspectModuleZip(blobs, blob, limits);
            if (modules.version(t, z.module, z.version)) throw versionExists(t, z.module, z.version);
          } catch (err) {
            // a refused module is a failed push: the tray and the feed show it
            if (isEmulatorError(err)) events.emit('push.failed', { repository: t.repository, format: 'GO', code: err.code, message: err.message });
            throw err;
          }
          const modBytes = z.goMod ?? syntheticGoMod(z.module);
          const mod = blobRefOf(modBytes);
          const now = clock.now().toISOString();
          // the go.mod blob is held (with the zip) until the record links both: garbage collection may run meanwhile
          await blobs.hold([mod.digest], async () => {
            await blobs.put(modBytes, mod.digest);
            await modules.addVersion(t, {
              module: z.module, version: z.version, time: now, createTime: now, updateTime: now, mod,
              zip: { digest: blob.digest, size: blob.size, sha256: blob.digests.sha256!, ...(blob.digests.md5 ? { md5: blob.digests.md5 } : {}) },
            });
          });
          events.emit('artifact.pushed', { repository: t.repository, format: 'GO', package: z.module, version: z.version, kind: 'version', sizeBytes: blob.size });
          // UploadGoModuleResponse: `goModule` (go.proto GoModule: name, version, createTime, updateTime)
          return { goModule: { name: `${t.repository}/goModules/${encodeURIComponent(`${z.module}:${z.version}`)}`, version: z.version, createTime: now, updateTime: now } };
        },
      };
    },
  };
}
