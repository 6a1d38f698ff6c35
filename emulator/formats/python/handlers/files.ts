// Distribution downloads: GET /PROJECT/REPO/packages/NAME/FILE serves the file, FILE.metadata its core
// metadata (PEP 658). Downloads of a distribution are pulls (artifact.pulled).
import { decodePercent } from '../../../core/decode-percent.js';
import { EmulatorError } from '../../../core/errors.js';
import type { Handler } from '../../../http/context.js';
import { normalizeName } from '../names.js';
import { refOf, type PythonDeps } from './deps.js';

const METADATA_SUFFIX = '.metadata';

export function fileHandlers(d: PythonDeps): { getFile: Handler } {
  return {
    async getFile(ctx, params) {
      const t = d.packages.target(refOf(params, ctx, d.defaultLocation));
      const project = normalizeName(decodePercent(params.name ?? '', 'project name'));
      const asked = decodePercent(params.file ?? '', 'file name');
      const isMetadata = asked.endsWith(METADATA_SUFFIX);
      const filename = isMetadata ? asked.slice(0, -METADATA_SUFFIX.length) : asked;
      const file = d.packages.file(t, filename);
      if (!file || file.project !== project || (isMetadata && !file.metadata)) throw new EmulatorError('NOT_FOUND', `File '${asked.slice(0, 200)}' was not found in this repository.`);
      const blob = isMetadata ? file.metadata! : file;
      const stream = await d.blobs.open(blob.digest);
      ctx.set('ETag', `"${isMetadata ? file.metadata!.sha256 : file.sha256}"`);
      ctx.set('Cache-Control', 'max-age=31536000, immutable');
      ctx.type = isMetadata ? 'text/plain; charset=utf-8' : filename.endsWith('.whl') || filename.endsWith('.zip') ? 'application/zip' : 'application/x-tar';
      if (!isMetadata && filename.endsWith('.tar.gz')) ctx.type = 'application/gzip';
      ctx.length = blob.size;
      ctx.body = stream; // Koa sends no body on HEAD and destroys the stream when the response ends
      if (!isMetadata && ctx.method === 'GET') {
        d.events.emit('artifact.pulled', {
          repository: t.repository, format: 'PYTHON', package: file.project, version: file.version, kind: 'file',
          sizeBytes: file.size, action: `pip download ${file.filename}`, reference: file.filename,
          ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
        });
      }
    },
  };
}
