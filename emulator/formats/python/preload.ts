// The config file's preload of a wheel or an sdist: the upload form twine would send, built from the file name
// (PEP 427 / PEP 625), through the same checks and store as `twine upload` (handlers/upload.ts; docs/config.md).
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { EmulatorError } from '../../core/errors.js';
import type { PreloadKind } from '../../core/preload-kind.js';
import type { PythonDeps } from './handlers/deps.js';
import { storeUpload } from './handlers/upload.js';
import { refuseNonStandardWrite } from './service/remote.js';

/** name, version and filetype of a distribution file name; undefined when it is neither a wheel nor an sdist */
export function distributionOf(filename: string): { name: string; version: string; filetype: 'bdist_wheel' | 'sdist' } | undefined {
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length < 5 || parts.length > 6) return undefined;
    return { name: parts[0]!, version: parts[1]!, filetype: 'bdist_wheel' };
  }
  const stem = /^(.+)\.(?:tar\.gz|zip)$/.exec(filename)?.[1];
  const dash = stem?.lastIndexOf('-') ?? -1;
  if (!stem || dash <= 0) return undefined;
  return { name: stem.slice(0, dash), version: stem.slice(dash + 1), filetype: 'sdist' };
}

export function pythonPreloadKind(d: PythonDeps): PreloadKind {
  return {
    format: 'PYTHON',
    async preload(ref, file) {
      const t = d.packages.target(ref);
      refuseNonStandardWrite(t);
      const filename = basename(file);
      const dist = distributionOf(filename);
      if (!dist) throw new EmulatorError('INVALID_ARGUMENT', `${filename} is neither a wheel (NAME-VERSION-…-PLATFORM.whl) nor an sdist (NAME-VERSION.tar.gz).`);
      if (d.packages.file(t, filename)) return 'exists';
      const fields = new Map([[':action', ['file_upload']], ['name', [dist.name]], ['version', [dist.version]], ['filetype', [dist.filetype]]]);
      const record = await storeUpload(d, t, fields, createReadStream(file), filename);
      d.events.emit('artifact.pushed', {
        repository: t.repository, format: 'PYTHON', package: record.project, version: record.version, kind: 'file', sizeBytes: record.size, action: `preload ${filename}`,
      });
      return 'created';
    },
  };
}
