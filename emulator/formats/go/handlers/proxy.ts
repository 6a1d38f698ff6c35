// The GOPROXY protocol (https://go.dev/ref/mod#goproxy-protocol) at /PROJECT/REPO/MODULE/…: `@v/list`,
// `@v/VERSION.info`, `.mod`, `.zip` and `@latest`, for every repository mode. Module paths and versions arrive
// case-encoded (`!x` for `X`) and are checked before any lookup; unknown ones are 404 so the go command moves on
// (it also asks for parent paths of the module it wants). Zip downloads are pulls (artifact.pulled).
import type { DownloadRules } from '../../../core/download-rules.js';
import type { Clock } from '../../../core/clock.js';
import { decodePercent } from '../../../core/decode-percent.js';
import { EmulatorError } from '../../../core/errors.js';
import type { EventBus } from '../../../core/events.js';
import { clip, type RepositoryRef } from '../../../core/names.js';
import type { AppContext, Handler, RouteParams } from '../../../http/context.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { latestOf, modulePathFromUrl, versionFromUrl } from '../names.js';
import type { GoModules, GoTarget, VersionRecord } from '../service/modules.js';
import type { GoRemote } from '../service/remote.js';
import type { GoVirtual } from '../service/virtual.js';

export interface GoDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  modules: GoModules;
  blobs: BlobStore;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  remote?: GoRemote;
  virtual: GoVirtual;
}

const FILE = /^(.+)\.(info|mod|zip)$/;
const notFound = (what: string) => new EmulatorError('NOT_FOUND', `not found: ${what}`);

/** RFC 3339 without fractional seconds, as the go command's proxies write `.info` Time. */
const rfc3339 = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');

function refOf(params: RouteParams, ctx: AppContext, defaultLocation: string): RepositoryRef {
  return { project: params.project ?? '', location: ctx.state.hostLocation ?? defaultLocation, repository: params.repository ?? '' };
}

const moduleOf = (params: RouteParams) => modulePathFromUrl(decodePercent(params.module ?? '', 'module path'));

export function proxyHandlers(d: GoDeps): Record<'getList' | 'getVersionFile' | 'getLatest', Handler> {
  /** The versions of `module` in `t`, whatever its mode (semver order). */
  const listOf = async (t: GoTarget, module: string): Promise<string[]> => {
    if (t.record.mode === 'VIRTUAL_REPOSITORY') return (await d.virtual.list(t, module)).versions;
    if (t.record.mode === 'REMOTE_REPOSITORY' && d.remote) return (await d.remote.list(t, module)).versions;
    const versions = d.modules.versions(t, module).map((v) => v.version);
    if (!versions.length) throw notFound(`${clip(module)}: no versions in this repository`);
    return versions;
  };

  /** Where `module@version` comes from, and its record (with its zip when `zip`). */
  const versionOf = async (t: GoTarget, module: string, version: string, zip: boolean): Promise<{ target: GoTarget; record: VersionRecord }> => {
    if (t.record.mode === 'VIRTUAL_REPOSITORY') return d.virtual.resolve(t, module, version, zip);
    if (t.record.mode === 'REMOTE_REPOSITORY' && d.remote) return { target: t, record: await d.remote.version(t, module, version, zip) };
    const record = d.modules.version(t, module, version);
    if (!record || (zip && !record.zip)) throw notFound(`${clip(module)}@${clip(version)}: unknown revision ${clip(version)}`);
    return { target: t, record };
  };

  const sendInfo = (ctx: AppContext, record: VersionRecord, cache: string) => {
    ctx.set('Cache-Control', cache);
    ctx.type = 'application/json';
    ctx.body = `${JSON.stringify({ Version: record.version, Time: rfc3339(record.time) })}\n`;
  };

  return {
    async getList(ctx, params) {
      const t = d.modules.target(refOf(params, ctx, d.defaultLocation));
      const module = moduleOf(params);
      const versions = await listOf(t, module);
      ctx.set('Cache-Control', 'max-age=0, must-revalidate');
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = versions.map((v) => `${v}\n`).join('');
    },

    async getVersionFile(ctx, params) {
      const t = d.modules.target(refOf(params, ctx, d.defaultLocation));
      const module = moduleOf(params);
      const m = FILE.exec(decodePercent(params.file ?? '', 'file name'));
      if (!m) throw notFound(`${clip(params.file ?? '')}: not a .info, .mod or .zip file`);
      const version = versionFromUrl(m[1]!);
      const ext = m[2] as 'info' | 'mod' | 'zip';
      // download rules of the asked repository, before any cache or upstream read (docs/rules.md)
      if (ext !== 'info') d.downloadRules?.check({ repository: t.ref, package: module, version });
      const { target, record } = await versionOf(t, module, version, ext === 'zip');
      const immutable = 'max-age=31536000, immutable';
      if (ext === 'info') return sendInfo(ctx, record, immutable);
      ctx.set('Cache-Control', immutable);
      const blob = ext === 'mod' ? record.mod : record.zip!;
      ctx.type = ext === 'mod' ? 'text/plain; charset=utf-8' : 'application/zip';
      ctx.set('ETag', `"${blob.sha256}"`);
      ctx.length = blob.size;
      ctx.body = await d.blobs.open(blob.digest); // Koa sends no body on HEAD and destroys the stream when the response ends
      if (ext === 'zip' && ctx.method === 'GET') {
        d.events.emit('artifact.pulled', {
          // the member that served it, for a virtual repository (docs/virtual.md: events name where the content is)
          repository: target.repository, format: 'GO', package: module, version, kind: 'file', sizeBytes: blob.size,
          action: `go mod download ${module}@${version}`, reference: `${module}@${version}`,
          ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
        });
      }
    },

    async getLatest(ctx, params) {
      const t = d.modules.target(refOf(params, ctx, d.defaultLocation));
      const module = moduleOf(params);
      if (t.record.mode === 'REMOTE_REPOSITORY' && d.remote) {
        const up = await d.remote.latest(t, module);
        if (up) {
          ctx.set('Cache-Control', 'max-age=0, must-revalidate');
          ctx.type = 'application/json';
          ctx.body = `${JSON.stringify({ Version: up.version, ...(up.time ? { Time: rfc3339(up.time) } : {}) })}\n`;
          return;
        }
      }
      const latest = latestOf(await listOf(t, module));
      if (!latest) throw notFound(`${clip(module)}: no versions`);
      const { record } = await versionOf(t, module, latest, false);
      sendInfo(ctx, record, 'max-age=0, must-revalidate');
    },
  };
}
