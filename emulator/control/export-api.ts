// ExportArtifact (export.proto): a version's files (named by the version or a tag of it) written to the local
// directory its `gcsPath` maps to (`BUCKET[/DIR]` → `<gcs root>/BUCKET/DIR`, storage/gcs-export.ts), as a done
// operation whose metadata lists each exported file with its object path and hashes (docs/api.md).
import { EmulatorError } from '../core/errors.js';
import type { FileInfo } from '../core/inventory.js';
import { clip, fileName, parseResourceName, repositoryName } from '../core/names.js';
import { parseGcsPath, writeGcsObject } from '../storage/gcs-export.js';
import type { ControlApi, Json } from './api.js';
import type { ControlServiceDeps } from './control-service.js';
import { versionResource } from './resources.js';

export function exportApi(d: ControlServiceDeps): Pick<ControlApi, 'exportArtifact'> {
  return {
    async exportArtifact(req) {
      const ref = parseResourceName(String(req.repository ?? ''), 'repository', 'repository').ref;
      const record = d.repositories.get(ref);
      const inv = d.inventories.get(record.format);
      if (!!req.sourceVersion === !!req.sourceTag) {
        throw new EmulatorError('INVALID_ARGUMENT', 'Exactly one of "source_version" and "source_tag" is required.', { field: req.sourceVersion ? 'source_tag' : 'source_version' });
      }
      if (!req.gcsPath) throw new EmulatorError('INVALID_ARGUMENT', 'Field "gcs_path" is required.', { field: 'gcs_path' });
      const dest = parseGcsPath(req.gcsPath);
      if (typeof dest === 'string') throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "gcs_path": ${dest}`, { field: 'gcs_path' });
      if (!d.gcsRoot) throw new EmulatorError('UNSUPPORTED', 'ExportArtifact needs a Cloud Storage root (--gcs-root).');

      let pkg: string;
      let version: string;
      if (req.sourceTag) {
        const t = parseResourceName(req.sourceTag, 'tag', 'source_tag');
        if (repositoryName(t.ref) !== repositoryName(ref)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "source_tag": the tag must be in ${repositoryName(ref)}.`, { field: 'source_tag' });
        const tag = inv?.getTag(t.ref, t.package, t.tag);
        if (!tag) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
        pkg = t.package;
        version = tag.version;
      } else {
        const v = parseResourceName(req.sourceVersion!, 'version', 'source_version');
        if (repositoryName(v.ref) !== repositoryName(ref)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "source_version": the version must be in ${repositoryName(ref)}.`, { field: 'source_version' });
        pkg = v.package;
        version = v.version;
      }
      const info = inv?.getVersion(ref, pkg, version);
      if (!inv || !info) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');

      // the files: a container image's layers (of its linux/amd64 image for an index); else the files the version owns
      const files: Array<{ info: FileInfo; open: () => Promise<AsyncIterable<Uint8Array>> }> = [];
      if (record.format === 'DOCKER' && inv.images) {
        const layers = await inv.images.layersOf(ref, pkg, version);
        if (layers.kind !== 'layers') throw new EmulatorError('FAILED_PRECONDITION', `Version ${clip(version)} of ${clip(pkg)} has no layers to export.`);
        for (const l of layers.layers) {
          const f = inv.getFile(ref, l.digest);
          if (f) files.push({ info: f, open: () => l.open() });
        }
      } else {
        for (const f of inv.listFiles(ref)) {
          if (f.owner.package === pkg && f.owner.version === version) files.push({ info: f, open: () => inv.openFile(ref, f.id) });
        }
      }
      if (!files.length) throw new EmulatorError('FAILED_PRECONDITION', `Version ${clip(version)} of ${clip(pkg)} has no files to export.`);

      const exportedFiles: Json[] = [];
      for (const f of files) {
        // the object is named after the file: its last path segment (a generic file id is PACKAGE:VERSION:FILENAME)
        const last = f.info.id.split('/').pop()!;
        const base = record.format === 'GENERIC' ? last.split(':').slice(2).join(':') || last : last;
        const objectPath = await writeGcsObject(d.gcsRoot, dest, base, await f.open()).catch((err: unknown) => {
          throw new EmulatorError('FAILED_PRECONDITION', `Could not write ${clip(base)} under gcs_path "${clip(req.gcsPath!)}": ${(err as Error).message}`);
        });
        exportedFiles.push({
          name: fileName(ref, f.info.id),
          gcsObjectPath: objectPath,
          ...(f.info.hashes.length ? { hashes: f.info.hashes.map((h) => ({ type: h.type, value: Buffer.from(h.hex, 'hex').toString('base64') })) } : {}),
        });
      }
      return d.operations.completed(ref.project, ref.location, 'ExportArtifactResponse', { exportedVersion: versionResource(ref, pkg, info, false) }, 'ExportArtifactMetadata', { exportedFiles });
    },
  };
}
