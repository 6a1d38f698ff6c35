// Distribution downloads: GET /PROJECT/REPO/packages/NAME/FILE serves the file, FILE.metadata its core
// metadata (PEP 658). Downloads of a distribution are pulls (artifact.pulled).
import { decodePercent } from '../../../core/decode-percent.js';
import type { Handler } from '../../../http/context.js';
import { normalizeName, parseFilename } from '../names.js';
import { refOf, type PythonDeps } from './deps.js';
import { readThroughFile, readThroughMetadata } from './read-through.js';

const METADATA_SUFFIX = '.metadata';

export function fileHandlers(d: PythonDeps): { getFile: Handler } {
  return {
    async getFile(ctx, params) {
      const t = d.packages.target(refOf(params, ctx, d.defaultLocation));
      const project = normalizeName(decodePercent(params.name ?? '', 'project name'));
      const asked = decodePercent(params.file ?? '', 'file name');
      const isMetadata = asked.endsWith(METADATA_SUFFIX);
      const filename = isMetadata ? asked.slice(0, -METADATA_SUFFIX.length) : asked;
      // download rules of the asked repository, before any cache or upstream read (docs/rules.md)
      d.downloadRules?.check({ repository: t.ref, package: project, version: parseFilename(filename)?.version ?? '' });
      ctx.set('Cache-Control', 'max-age=31536000, immutable');
      if (isMetadata) {
        const found = await readThroughMetadata(d, t, project, filename);
        ctx.type = 'text/plain; charset=utf-8';
        if (found.body) {
          ctx.body = found.body;
          return;
        }
        const meta = found.record!.metadata!;
        ctx.set('ETag', `"${meta.sha256}"`);
        ctx.length = meta.size;
        ctx.body = await d.blobs.open(meta.digest);
        return;
      }
      const source = await readThroughFile(d, t, project, filename);
      ctx.type = filename.endsWith('.whl') || filename.endsWith('.zip') ? 'application/zip' : filename.endsWith('.tar.gz') ? 'application/gzip' : 'application/x-tar';
      if (source.record) {
        ctx.set('ETag', `"${source.record.sha256}"`);
        ctx.length = source.record.size;
        ctx.body = await d.blobs.open(source.record.digest); // Koa sends no body on HEAD and destroys the stream when the response ends
      } else {
        // the first fetch of a remote file: streamed while it is stored; a failed verification cuts the body short
        if (source.length !== undefined) ctx.length = source.length;
        source.stream.once('error', () => ctx.res.destroy());
        ctx.body = source.stream;
      }
      if (ctx.method === 'GET') {
        const f = source.record ?? d.packages.file(source.target, filename);
        d.events.emit('artifact.pulled', {
          // the member that served it, for a virtual repository (docs/virtual.md: events name where the content is)
          repository: source.target.repository, format: 'PYTHON', package: project, ...(f ? { version: f.version } : {}), kind: 'file',
          sizeBytes: f?.size ?? (source.record ? 0 : (source.length ?? 0)), action: `pip download ${filename}`, reference: filename,
          ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
        });
      }
    },
  };
}
