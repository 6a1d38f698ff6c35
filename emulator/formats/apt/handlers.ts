// The Apt data plane: Release/InRelease/Release.gpg (rendered and signed on the first read after a change, then as
// stored), the Packages indexes (plain, gz, xz), the pool's .deb files and the location's signing key. Package
// downloads are pulls. Handlers adapt HTTP only; the service decides what a repository serves.
import type { DownloadRules } from '../../core/download-rules.js';
import { decodePercent } from '../../core/decode-percent.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { RepositoryRef } from '../../core/names.js';
import type { AppContext, Handler, RouteParams } from '../../http/context.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { debFileName } from './control.js';
import type { AptHandlers } from './routes.js';
import type { AptRemote } from './remote.js';
import type { AptService } from './service.js';
import { T, type AptTarget, type FileRecord } from './store.js';

export interface AptKeys {
  publicKeyArmored(location: string): Promise<string>;
  publicKeyBinary(location: string): Promise<Uint8Array>;
}

export interface AptHandlerDeps {
  service: AptService;
  blobs: BlobStore;
  events: EventBus;
  defaultLocation: string;
  keys?: AptKeys;
  /** the pull-through cache of remote repositories (absent: a remote repository serves nothing) */
  remote?: AptRemote;
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
}

const notFound = (what: string) => new EmulatorError('NOT_FOUND', `${what} was not found.`);
const INDEX_TYPES: Record<string, string> = { Packages: 'text/plain; charset=utf-8', 'Packages.gz': 'application/gzip', 'Packages.xz': 'application/x-xz' };

export const refOf = (params: RouteParams, ctx: AppContext, defaultLocation: string): RepositoryRef => ({
  project: params.project ?? '', location: ctx.state.hostLocation ?? defaultLocation, repository: params.repository ?? '',
});

export function aptHandlers(d: AptHandlerDeps): AptHandlers {
  const target = (ctx: AppContext, params: RouteParams) => {
    let t: AptTarget;
    try {
      t = d.service.store.target(refOf(params, ctx, d.defaultLocation));
    } catch (err) {
      // another format's repository is no Apt repository: apt sees a plain 404
      if (err instanceof EmulatorError && err.code === 'FAILED_PRECONDITION') throw notFound('Repository');
      throw err;
    }
    // virtual Apt repositories are not served yet: say so, instead of an empty index that hides every member
    if (t.record.mode === 'VIRTUAL_REPOSITORY') {
      throw new EmulatorError('UNSUPPORTED', `Repository "${t.repository}" is a virtual APT repository; the emulator does not serve virtual Apt repositories yet: point apt at its member repositories (docs/virtual.md).`);
    }
    return t;
  };

  /** The remote cache of a REMOTE repository; undefined for the others. */
  const remoteOf = (t: { record: { mode?: string } }) => {
    if (t.record.mode !== 'REMOTE_REPOSITORY') return undefined;
    if (!d.remote) throw notFound('Repository');
    return d.remote;
  };

  const getSigningKey: Handler = async (ctx, params) => {
    const file = decodePercent(params.file ?? '', 'file name');
    const location = ctx.state.hostLocation ?? d.defaultLocation;
    if (!d.keys || (file !== 'repo-signing-key.gpg' && file !== 'repo-signing-key.asc')) throw notFound(`doc/${file.slice(0, 120)}`);
    ctx.set('Cache-Control', 'no-cache');
    if (file.endsWith('.gpg')) {
      ctx.type = 'application/pgp-keys';
      ctx.body = Buffer.from(await d.keys.publicKeyBinary(location));
    } else {
      ctx.type = 'application/pgp-keys';
      ctx.body = await d.keys.publicKeyArmored(location);
    }
  };

  const getRelease: Handler = async (ctx, params) => {
    const t = target(ctx, params);
    const file = decodePercent(params.file ?? '', 'file name');
    if (file !== 'Release' && file !== 'InRelease' && file !== 'Release.gpg') throw notFound(`dists/${t.ref.repository}/${file.slice(0, 120)}`);
    const remote = remoteOf(t);
    const built = remote ? await remote.release(t) : await d.service.release(t);
    const body = file === 'Release' ? built.release : file === 'InRelease' ? built.inRelease : built.releaseGpg;
    if (body === undefined) throw notFound(`dists/${t.ref.repository}/${file}`);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = file === 'Release.gpg' ? 'application/pgp-signature' : 'text/plain; charset=utf-8';
    ctx.body = body;
  };

  const getIndex: Handler = async (ctx, params) => {
    const t = target(ctx, params);
    const component = decodePercent(params.component ?? '', 'component');
    const index = decodePercent(params.index ?? '', 'index');
    const file = decodePercent(params.file ?? '', 'file name');
    const arch = /^binary-([a-z0-9][a-z0-9-]{0,31})$/.exec(index)?.[1];
    const what = `dists/${t.ref.repository}/${component.slice(0, 40)}/${index.slice(0, 40)}/${file.slice(0, 40)}`;
    if (!arch || !INDEX_TYPES[file]) throw notFound(what);
    const remote = remoteOf(t);
    const f = remote ? await remote.indexFile(t, component, arch, file) : await d.service.indexFile(t, component, arch, file);
    if (!f) throw notFound(what);
    ctx.type = INDEX_TYPES[file]!;
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', `"${f.sha256}"`);
    ctx.length = f.size;
    ctx.body = await d.blobs.open(f.digest);
  };

  const getIndexByHash: Handler = async (ctx, params) => {
    const t = target(ctx, params);
    const component = decodePercent(params.component ?? '', 'component');
    const arch = /^binary-([a-z0-9][a-z0-9-]{0,31})$/.exec(decodePercent(params.index ?? '', 'index'))?.[1];
    const hash = decodePercent(params.hash ?? '', 'hash');
    const f = arch && params.algorithm === 'SHA256' && /^[0-9a-f]{64}$/.test(hash) ? (remoteOf(t) ?? d.service).indexFileByHash(t, component, arch, hash) : undefined;
    if (!f) throw notFound(`by-hash/${(params.algorithm ?? '').slice(0, 16)}/${hash.slice(0, 64)}`);
    ctx.type = INDEX_TYPES[f.name]!;
    ctx.set('Cache-Control', 'max-age=31536000, immutable');
    ctx.length = f.size;
    ctx.body = await d.blobs.open(f.digest);
  };

  const getPoolFile: Handler = async (ctx, params) => {
    const t = target(ctx, params);
    const path = decodePercent(params.path ?? '', 'path');
    const name = path.slice(path.lastIndexOf('/') + 1);
    // download rules of the asked repository, before any cache or upstream read (docs/rules.md): NAME_VERSION_ARCH.deb
    const deb = /^([^_]+)_([^_]+)_[^_]+\.deb$/.exec(name);
    d.downloadRules?.check({ repository: t.ref, package: deb?.[1] ?? name, version: deb ? deb[2]!.replace(/%3a/gi, ':') : '' });
    const remote = remoteOf(t);
    if (remote) {
      const cached = await remote.poolFile(t, path);
      ctx.type = 'application/vnd.debian.binary-package';
      ctx.set('Cache-Control', 'max-age=31536000, immutable');
      ctx.length = cached.size;
      ctx.body = await remote.open(cached);
      return;
    }
    const f = t.shard.get<FileRecord>(T.files, name);
    if (!f || f.filename !== `pool/${t.ref.repository}/${path}` || debFileName(f) !== name) throw notFound(`Package ${name.slice(0, 120)}`);
    ctx.type = 'application/vnd.debian.binary-package';
    ctx.set('Cache-Control', 'max-age=31536000, immutable');
    ctx.set('ETag', `"${f.sha256}"`);
    ctx.length = f.size;
    ctx.body = await d.blobs.open(f.digest); // Koa sends no body on HEAD and destroys the stream when the response ends
    if (ctx.method === 'GET') {
      d.events.emit('artifact.pulled', {
        repository: t.repository, format: 'APT', package: f.package, version: f.version, kind: 'file', sizeBytes: f.size,
        action: `apt-get install ${f.package}`, reference: name,
        ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
      });
    }
  };

  return { getSigningKey, getRelease, getIndex, getIndexByHash, getPoolFile };
}
