// The Yum data plane: repomd.xml (assembled and signed on the first read after a change, then as stored), its
// detached signature `repomd.xml.asc` and the signing key `repomd.xml.key` (also at /doc/repo-signing-key.gpg,
// served by the Apt module), the compressed metadata files, and the packages. Package downloads are pulls.
import type { DownloadRules } from '../../core/download-rules.js';
import { decodePercent } from '../../core/decode-percent.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { RepositoryRef } from '../../core/names.js';
import type { AppContext, Handler, RouteParams } from '../../http/context.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { checkRemotePath, type YumRemote } from './remote.js';
import type { YumHandlers } from './routes.js';
import type { YumService } from './service.js';
import { T, type FileRecord, type YumTarget } from './store.js';

export interface YumHandlerDeps {
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
  service: YumService;
  blobs: BlobStore;
  events: EventBus;
  defaultLocation: string;
  /** the pull-through cache of remote repositories (absent: a remote repository serves nothing) */
  remote?: YumRemote;
  /** the location's public key, armored (absent: no `repomd.xml.key`) */
  publicKeyArmored?: (location: string) => Promise<string>;
}

const notFound = (what: string) => new EmulatorError('NOT_FOUND', `${what} was not found.`);

export const refOf = (params: RouteParams, ctx: AppContext, defaultLocation: string): RepositoryRef => ({
  project: params.project ?? '', location: ctx.state.hostLocation ?? defaultLocation, repository: params.repository ?? '',
});

export function yumHandlers(d: YumHandlerDeps): YumHandlers {
  const target = (ctx: AppContext, params: RouteParams) => {
    let t: YumTarget;
    try {
      t = d.service.store.target(refOf(params, ctx, d.defaultLocation));
    } catch (err) {
      // another format's repository is no Yum repository: the client sees a plain 404
      if (err instanceof EmulatorError && err.code === 'FAILED_PRECONDITION') throw notFound('Repository');
      throw err;
    }
    // virtual Yum repositories are not served yet: say so, instead of an empty index that hides every member
    if (t.record.mode === 'VIRTUAL_REPOSITORY') {
      throw new EmulatorError('UNSUPPORTED', `Repository "${t.repository}" is a virtual YUM repository; the emulator does not serve virtual Yum repositories yet: point dnf at its member repositories (docs/virtual.md).`);
    }
    return t;
  };

  const getRepodata: Handler = async (ctx, params) => {
    const t = target(ctx, params);
    const file = decodePercent(params.file ?? '', 'file name');
    if (isRemote(t) && file !== 'repomd.xml.key') return serveRemote(ctx, t, `repodata/${file}`);
    if (file === 'repomd.xml' || file === 'repomd.xml.asc') {
      const built = await d.service.repodata(t);
      ctx.set('Cache-Control', 'no-cache');
      if (file === 'repomd.xml') {
        ctx.type = 'text/xml; charset=utf-8';
        ctx.body = built.repomd;
      } else {
        if (!built.asc) throw notFound('repodata/repomd.xml.asc');
        ctx.type = 'application/pgp-signature';
        ctx.body = built.asc;
      }
      return;
    }
    if (file === 'repomd.xml.key') {
      if (!d.publicKeyArmored) throw notFound('repodata/repomd.xml.key');
      ctx.type = 'application/pgp-keys';
      ctx.body = await d.publicKeyArmored(t.ref.location);
      return;
    }
    const entry = d.service.repodataFile(t, file);
    if (!entry) throw notFound(`repodata/${file.slice(0, 120)}`);
    ctx.type = 'application/gzip';
    ctx.set('Cache-Control', 'max-age=31536000, immutable');
    ctx.set('ETag', `"${entry.checksum}"`);
    ctx.length = entry.size;
    ctx.body = await d.blobs.open(entry.digest);
  };

  const getPackage: Handler = async (ctx, params) => {
    const t = target(ctx, params);
    const file = decodePercent(params.file ?? '', 'file name');
    const letter = decodePercent(params.letter ?? '', 'directory');
    if (isRemote(t)) return serveRemote(ctx, t, `Packages/${letter}/${file}`);
    const f = t.shard.get<FileRecord>(T.files, file);
    if (!f || f.href !== `Packages/${letter}/${file}`) throw notFound(`Package ${file.slice(0, 120)}`);
    // download rules of the asked repository (docs/rules.md)
    d.downloadRules?.check({ repository: t.ref, package: f.name, version: f.versionId });
    ctx.type = 'application/x-rpm';
    ctx.set('Cache-Control', 'max-age=31536000, immutable');
    ctx.set('ETag', `"${f.sha256}"`);
    ctx.length = f.size;
    ctx.body = await d.blobs.open(f.digest); // Koa sends no body on HEAD and destroys the stream when the response ends
    if (ctx.method === 'GET') {
      d.events.emit('artifact.pulled', {
        repository: t.repository, format: 'YUM', package: f.name, version: f.versionId, kind: 'file', sizeBytes: f.size,
        action: `dnf install ${f.name}`, reference: file,
        ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
      });
    }
  };

  const getRemoteFile: Handler = async (ctx, params) => {
    const t = target(ctx, params);
    const raw = params.path ?? '';
    const path = (Array.isArray(raw) ? raw : raw.split('/')).map((s: string) => decodePercent(s, 'path')).join('/');
    if (!isRemote(t)) throw notFound(`File ${path.slice(0, 120)}`);
    return serveRemote(ctx, t, path);
  };

  const isRemote = (t: YumTarget) => t.record.mode === 'REMOTE_REPOSITORY';

  /** A remote repository's file: repomd.xml (with the emulator's signature) or any cached or fetched file. */
  const serveRemote = async (ctx: AppContext, t: YumTarget, path: string) => {
    if (!d.remote) throw notFound(`File ${path.slice(0, 120)}`);
    checkRemotePath(path);
    if (path === 'repodata/repomd.xml' || path === 'repodata/repomd.xml.asc') {
      const rec = await d.remote.repomd(t);
      ctx.set('Cache-Control', 'no-cache');
      if (path === 'repodata/repomd.xml') {
        ctx.type = 'text/xml; charset=utf-8';
        ctx.body = rec.body;
      } else {
        if (!rec.asc) throw notFound('repodata/repomd.xml.asc');
        ctx.type = 'application/pgp-signature';
        ctx.body = rec.asc;
      }
      return;
    }
    if (path.endsWith('.rpm')) {
      // download rules, before the cache or the upstream (docs/rules.md): NAME-VERSION-RELEASE.ARCH.rpm (no epoch in a file name)
      const rpm = /^(.+)-([^-]+-[^-]+)\.[^.]+\.rpm$/.exec(path.slice(path.lastIndexOf('/') + 1));
      if (rpm) d.downloadRules?.check({ repository: t.ref, package: rpm[1]!, version: rpm[2]! });
    }
    const f = await d.remote.file(t, path);
    ctx.type = path.endsWith('.rpm') ? 'application/x-rpm' : path.endsWith('.gz') ? 'application/gzip' : 'application/octet-stream';
    ctx.length = f.size;
    ctx.body = await d.remote.open(f);
    if (ctx.method === 'GET' && path.endsWith('.rpm')) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      d.events.emit('artifact.pulled', {
        repository: t.repository, format: 'YUM', package: name.replace(/-[^-]+-[^-]+\.[^.]+\.rpm$/, ''), kind: 'file', sizeBytes: f.size,
        action: `dnf install ${name}`, reference: name, ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
      });
    }
  };

  return { getRepodata, getPackage, getRemoteFile };
}
