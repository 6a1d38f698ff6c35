// The one place that decides which FormatModule handles a request, decided once: by Host
// (`LOCATION-FORMAT.pkg.dev` → that location and format; a Container Registry host `gcr.io`, `us.gcr.io`, `eu.gcr.io`,
// `asia.gcr.io` → the Docker format, the repository of that name and its multi-region, spec §1.11), by the fixed prefixes the modules own (`/v2/`, `/v1/`,
// `/ui/`, `/_emulator/`), and otherwise by `/PROJECT/REPO/…` → the format of that repository. Sets
// ctx.state.format first, so even the host guard's refusals render in the dialect the request was for.
import type { Middleware } from 'koa';
import { EmulatorError } from '../core/errors.js';
import type { AppContext, RequestState } from './context.js';
import type { FormatModule, RequestGuard } from './format-module.js';

const PKG_DEV_HOST = /^([a-z0-9-]+?)-([a-z0-9]+)\.pkg\.dev(?::\d+)?$/;
const GCR_HOST = /^((?:us\.|eu\.|asia\.)?gcr\.io)(?::\d+)?$/;

/**
 * The gcr.io-domain repositories and the multi-region each must live in (spec §1.11: gcloud's
 * `_ALLOWED_GCR_REPO_LOCATION`); a request whose Host is one of them addresses that repository, DOCKER format.
 */
export const GCR_REPOSITORY_LOCATIONS: Readonly<Record<string, string>> = {
  'gcr.io': 'us',
  'us.gcr.io': 'us',
  'eu.gcr.io': 'europe',
  'asia.gcr.io': 'asia',
};

/** The gcr.io-domain repository a Host header names (`gcr.io`, `eu.gcr.io:8088`, …), or undefined. */
export function gcrHostRepository(host: string): { repository: string; location: string } | undefined {
  const m = GCR_HOST.exec(host.toLowerCase());
  return m ? { repository: m[1]!, location: GCR_REPOSITORY_LOCATIONS[m[1]!]! } : undefined;
}

export interface LocatedRepository {
  location: string;
  format: string;
}

/**
 * Where the repository PROJECT/REPO a request names lives, and its format: in the Host's location when the Host
 * named one; else in the default location; else in the one location holding a repository of that name. `several`
 * lists them when more than one does and nothing chose (the client must say which, by Host); undefined when none.
 */
export type RepositoryLocator = (
  project: string,
  repository: string,
  hostLocation: string | undefined,
) => LocatedRepository | { several: LocatedRepository[] } | undefined;

export interface DispatchTable {
  /** every registered module: the formats, the control plane, the dashboard */
  modules: readonly FormatModule[];
  /** answers paths no module claims (the emulator's own API and its 404s) */
  fallback: FormatModule;
  locateRepository: RepositoryLocator;
  guard?: RequestGuard;
}

export interface Dispatch {
  /** chooses the module (runs before the host guard) */
  select: Middleware<RequestState>;
  /** matches the module's routes, runs the IAM guard, then the handler */
  route: Middleware<RequestState>;
}

export function createDispatch(t: DispatchTable): Dispatch {
  const byFormat = new Map(t.modules.filter((m) => m.repositoryFormat).map((m) => [m.repositoryFormat!.toLowerCase(), m]));
  const byId = new Map([t.fallback, ...t.modules].map((m) => [m.id, m]));
  const prefixed = t.modules.flatMap((m) => (m.prefixes ?? []).map((prefix) => ({ prefix, module: m })));
  prefixed.sort((a, b) => b.prefix.length - a.prefix.length);
  const byAgent = t.modules.filter((m) => m.clientAgent);

  const choose = (ctx: AppContext): FormatModule => {
    const gcr = gcrHostRepository(ctx.get('host'));
    if (gcr) {
      // Container Registry paths carry no repository segment (`/v2/PROJECT/IMAGE…`): the Docker module reads them
      // with the Host's repository; only the fixed prefixes (the control plane, the emulator's own API) stay theirs.
      ctx.state.hostLocation = gcr.location;
      ctx.state.hostRepository = gcr.repository;
      const docker = byFormat.get('docker');
      const fixed = prefixed.find((p) => ctx.path === p.prefix.replace(/\/$/, '') || ctx.path.startsWith(p.prefix))?.module;
      return fixed ?? docker ?? t.fallback;
    }
    const host = PKG_DEV_HOST.exec(ctx.get('host'));
    const hostModule = host ? byFormat.get(host[2]!) : undefined;
    if (host) ctx.state.hostLocation = host[1];
    // whose dialect an error about a missing or foreign repository speaks: the Host's format, else the client's
    const userAgent = ctx.get('user-agent');
    const agentModule = host || !userAgent ? undefined : byAgent.find((a) => a.clientAgent!.test(userAgent));
    // the module that serves the agent's format (a later registration of the same format wins, as in byFormat)
    const hint = hostModule ?? (agentModule?.repositoryFormat ? byFormat.get(agentModule.repositoryFormat.toLowerCase()) : agentModule);
    const path = ctx.path;
    const fixed = prefixed.find((p) => path === p.prefix.replace(/\/$/, '') || path.startsWith(p.prefix))?.module;
    if (fixed) return fixed;
    if (path.startsWith('/projects/')) return chooseProjectPath(ctx, path, hostModule);
    const m = /^\/([^/]+)\/([^/]+)(?:\/|$)/.exec(path);
    if (!m || m[1] === '_emulator') return hostModule ?? t.fallback;
    const located = t.locateRepository(m[1]!, m[2]!, ctx.state.hostLocation);
    if (located && 'several' in located) {
      const formats = new Set(located.several.map((r) => r.format.toLowerCase()));
      const only = formats.size === 1 ? byFormat.get([...formats][0]!) : undefined;
      ctx.state.format = (only ?? hint ?? t.fallback).id;
      throw new EmulatorError('FAILED_PRECONDITION', inSeveralLocations(m[1]!, m[2]!, located.several, only?.repositoryFormat));
    }
    const found = located;
    if (!found && hint) {
      ctx.state.format = hint.id;
      const where = ctx.state.hostLocation ? `, location "${ctx.state.hostLocation}"` : '';
      throw new EmulatorError('REPOSITORY_NOT_FOUND', `Repository "${m[2]!.slice(0, 63)}" was not found in project "${m[1]!.slice(0, 63)}"${where}.`);
    }
    if (!found) return t.fallback;
    ctx.state.hostLocation ??= found.location;
    const owner = byFormat.get(found.format.toLowerCase());
    const asked = hint ?? owner;
    if (asked && owner === asked && owner.repositoryPaths) return owner;
    const dialect = asked ?? t.fallback;
    ctx.state.format = dialect.id;
    throw new EmulatorError('FAILED_PRECONDITION', wrongFormat(m[2]!, found.format, dialect));
  };

  /**
   * `/projects/PROJECT/…`, where Apt (`dists/REPO/…`, `pool/REPO/…`) and Yum (`REPO/…`) repositories live: the module
   * of the repository it names when that module serves such paths; otherwise what served these paths before any
   * did (the Host's module, else the fallback's 404). A Yum repository named `dists` or `pool` is still reached:
   * the Apt reading wins only when it names an Apt repository.
   */
  const chooseProjectPath = (ctx: AppContext, path: string, hostModule: FormatModule | undefined): FormatModule => {
    const m = /^\/projects\/([^/]+)\/([^/]+)(?:\/([^/]+))?/.exec(path);
    if (!m) return hostModule ?? t.fallback;
    const served = (project: string, repository: string): FormatModule | undefined => {
      const located = t.locateRepository(project, repository, ctx.state.hostLocation);
      if (!located || 'several' in located) return undefined;
      const owner = byFormat.get(located.format.toLowerCase());
      if (!owner?.projectPaths) return undefined;
      ctx.state.hostLocation ??= located.location;
      return owner;
    };
    const project = m[1]!;
    const apt = (m[2] === 'dists' || m[2] === 'pool') && m[3] ? served(project, m[3]) : undefined;
    return apt ?? served(project, m[2]!) ?? hostModule ?? t.fallback;
  };

  const select: Middleware<RequestState> = async (koaCtx, next) => {
    const ctx = koaCtx as AppContext;
    ctx.state.format = choose(ctx).id;
    await next();
  };

  const route: Middleware<RequestState> = async (koaCtx, next) => {
    const ctx = koaCtx as AppContext;
    const chosen = byId.get(ctx.state.format) ?? t.fallback;
    const path = ctx.path;
    const match = chosen.routes.match(ctx.method, path);
    if (match.kind === 'none') throw new EmulatorError('NOT_FOUND', `no route for ${clipPath(path)}`);
    if (match.kind === 'method-not-allowed') {
      throw new EmulatorError('METHOD_NOT_ALLOWED', `method ${ctx.method} is not supported on ${clipPath(path)}`, undefined, {
        headers: { Allow: match.allowed.join(', ') },
      });
    }
    ctx.state.routeName = match.route.name;
    if (t.guard) {
      await t.guard.authenticate(ctx, chosen);
      await t.guard.authorize(ctx, chosen, chosen.access?.(match.route.name, match.params, ctx));
    }
    await match.route.handler(ctx, match.params);
    await next();
  };

  return { select, route };
}

function wrongFormat(repository: string, format: string, asked: FormatModule): string {
  const name = repository.slice(0, 63);
  if (asked.repositoryFormat === format && asked.prefixes?.length) {
    return `Repository "${name}" is a ${format} repository: its clients reach it under ${asked.prefixes[0]}, not at /PROJECT/REPOSITORY/ paths.`;
  }
  if (!asked.repositoryFormat) return `Repository "${name}" is a ${format} repository, which this emulator does not serve at /PROJECT/REPOSITORY/ paths.`;
  return `Repository "${name}" is a ${format} repository, not a ${asked.repositoryFormat} repository: use the ${format} client's URL for it.`;
}

/** The error for a repository name held by several locations when the request did not say which. */
export function inSeveralLocations(project: string, repository: string, where: readonly LocatedRepository[], format = where[0]?.format ?? 'FORMAT'): string {
  const locations = where.map((r) => r.location).sort();
  const host = `${locations[0]}-${format.toLowerCase()}.pkg.dev`;
  return (
    `Repository "${repository.slice(0, 63)}" exists in several locations of project "${project.slice(0, 63)}" (${locations.join(', ')}) and none is the default location: ` +
    `say which with a Host header of the form LOCATION-${format.toLowerCase()}.pkg.dev[:PORT] (for example ${host}, mapped to this emulator's address).`
  );
}

function clipPath(p: string): string {
  return p.length > 100 ? `${p.slice(0, 100)}…` : p;
}
