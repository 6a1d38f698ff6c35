// The emulator's own API under /_emulator/ (health, the live event feed, client settings snippets) and the
// answer for paths no format claims. Errors render in Google's JSON shape.
import { isAbsolute } from 'node:path';
import { EmulatorError } from '../core/errors.js';
import type { EmulatorEventMap, EventBus } from '../core/events.js';
import { readJson } from '../http/body.js';
import { SnapshotError } from '../storage/snapshot.js';
import type { Handler } from '../http/context.js';
import type { FormatModule } from '../http/format-module.js';
import { Routes } from '../http/routes.js';
import type { HealthResponse } from './dto.js';
import { renderGoogleError } from './errors.js';
import { renderSettings } from '../settings/render-settings.js';
import { settingsHost } from '../settings/settings-snippet.js';
import { SSE_CLIENT_BUFFER_LIMIT, SseClient } from './sse-client.js';
import { policyRoutes, type PolicyApiDeps } from './policy-api.js';
import { faultRoutes, type UpstreamSwitches } from './faults-api.js';
import { vulnDbRoutes, type VulnDbAccess } from './vulndb-api.js';
import type { RepositoryMode } from '../core/repository.js';
import type { ShadowingWarning } from './service/virtual-shadowing.js';

export interface EmulatorApiDeps {
  events: EventBus;
  /** IAM endpoints: POST /token (OAuth2), POST /_emulator/iam/tokens, PUT /_emulator/iam/groups/{group} */
  iamHandlers: { oauthToken: Handler; mintToken: Handler; setGroup: Handler };
  version: string;
  startedAt: number;
  url: () => string;
  /** the clock, cleanup and GC endpoints (policy-api.ts) */
  policy?: PolicyApiDeps;
  /** the one UpstreamConditions of the emulator: fault and offline endpoints (faults-api.ts); needs `policy` for its clock */
  upstream?: UpstreamSwitches;
  /** the advisory database: GET /_emulator/vulndb and POST /_emulator/vulndb:import (vulndb-api.ts) */
  vulndb?: VulnDbAccess;
  /** the mode of a repository by full name (the fault endpoints accept REMOTE_REPOSITORY ones only) */
  repositoryMode?: (name: string) => RepositoryMode | undefined;
  /** a virtual repository's dependency-confusion warnings by full name (undefined: no such repository); docs/virtual.md */
  virtualWarnings?: (name: string) => ShadowingWarning[] | undefined;
  /** the config file (docs/config.md): its state, and applying it again; absent without a config file */
  config?: () => { status(): unknown; apply(): Promise<unknown> } | undefined;
  /** a snapshot of the data dir into a directory (Emulator.exportSnapshot) */
  exportSnapshot?: (dir: string) => Promise<unknown>;
  /** back to the seeded state (Emulator.reset) */
  reset?: () => Promise<unknown>;
}

const DEFAULT_REPLAY = 100;

export function createEmulatorApiModule(d: EmulatorApiDeps): FormatModule {
  // The dashboard's "last cleanup" panel: each repository's latest cleanup.completed, kept in memory; and every
  // move of the virtual clock as a clock.changed event, so the dashboard's header follows it.
  const lastCleanup = new Map<string, { time: string } & EmulatorEventMap['cleanup.completed']>();
  d.events.on('cleanup.completed', (e) => void lastCleanup.set(e.data.repository, { time: e.time, ...e.data }));
  const clock = d.policy?.clock;
  clock?.onChange((offsetMs) => d.events.emit('clock.changed', { now: clock.now().toISOString(), offsetSeconds: Math.round(offsetMs / 1000) }));

  /** GET /_emulator/cleanup/last?repository=projects/P/locations/L/repositories/R: the latest report, or `{}`. */
  const getLastCleanup: Handler = async (ctx) => {
    const repository = typeof ctx.query.repository === 'string' ? ctx.query.repository : '';
    if (!repository) throw new EmulatorError('INVALID_ARGUMENT', 'Query parameter "repository" is required.', { field: 'repository' });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = lastCleanup.get(repository) ?? {};
  };

  /**
   * GET /_emulator/warnings?repository=projects/P/locations/L/repositories/R: `{warnings: [...]}`, the
   * dependency-confusion warnings of a virtual repository's config now (empty for other modes), for its page.
   */
  const getWarnings: Handler = async (ctx) => {
    const repository = typeof ctx.query.repository === 'string' ? ctx.query.repository : '';
    if (!repository) throw new EmulatorError('INVALID_ARGUMENT', 'Query parameter "repository" is required.', { field: 'repository' });
    const warnings = d.virtualWarnings?.(repository) ?? (d.virtualWarnings ? undefined : []);
    if (!warnings) throw new EmulatorError('NOT_FOUND', `Repository ${repository.slice(0, 200)} was not found.`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { warnings };
  };

  /** GET /_emulator/config: the config file's state (applied, or invalid with `file:line:column` problems); POST …/apply reads it again. */
  const configFile = () => {
    const c = d.config?.();
    if (!c) throw new EmulatorError('FAILED_PRECONDITION', 'The emulator was started without a config file (--config FILE; docs/config.md).');
    return c;
  };
  const getConfig: Handler = async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = d.config?.()?.status() ?? { file: null };
  };
  const applyConfig: Handler = async (ctx) => {
    ctx.body = await configFile().apply();
  };

  /** POST /_emulator/reset: everything deleted, the config file applied again; answers the config's state. */
  const reset: Handler = async (ctx) => {
    if (!d.reset) throw new EmulatorError('UNSUPPORTED', 'Reset is not available.');
    ctx.body = { config: (await d.reset()) ?? null };
  };

  /** POST /_emulator/export {"dir": DIR}: a consistent, checksummed snapshot written to DIR (a path on this machine). */
  const exportTo: Handler = async (ctx) => {
    const body = (await readJson(ctx, 16 * 1024)) as { dir?: unknown };
    if (typeof body?.dir !== 'string' || !body.dir || !isAbsolute(body.dir)) throw new EmulatorError('INVALID_ARGUMENT', 'Field "dir" must be an absolute path on the emulator\'s machine.', { field: 'dir' });
    if (!d.exportSnapshot) throw new EmulatorError('UNSUPPORTED', 'Export is not available.');
    ctx.body = await d.exportSnapshot(body.dir).catch((err: unknown) => {
      if (err instanceof SnapshotError) throw new EmulatorError('FAILED_PRECONDITION', err.message);
      throw err;
    });
  };

  const health: Handler = async (ctx) => {
    const body: HealthResponse = { status: 'ok', version: d.version, uptimeSeconds: Math.round((Date.now() - d.startedAt) / 1000), url: d.url() };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };

  /**
   * Server-Sent Events: replays the last `replay` events of the `types` asked for (default 100; or those
   * after Last-Event-ID), then streams new ones until the client goes away or the emulator stops. A client
   * that stops reading is dropped once SSE_CLIENT_BUFFER_LIMIT bytes wait for it (see SseClient).
   */
  const streamEvents: Handler = async (ctx) => {
    const lastId = Number(ctx.get('Last-Event-ID') || ctx.query.after || 0) || 0;
    const replayRaw = Number(ctx.query.replay ?? DEFAULT_REPLAY);
    const replay = Number.isFinite(replayRaw) && replayRaw >= 0 ? Math.min(replayRaw, 10_000) : DEFAULT_REPLAY;
    const types = typeof ctx.query.types === 'string' ? new Set(ctx.query.types.split(',')) : undefined;
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    ctx.status = 200;
    const client = new SseClient(ctx, SSE_CLIENT_BUFFER_LIMIT, types);
    const stop = () => client.end();
    const dispose = d.events.onAny((e) => client.push(e));
    ctx.state.shutdown.addEventListener('abort', stop, { once: true });
    client.start(d.events.replay(lastId, lastId ? undefined : replay, types), () => {
      dispose();
      ctx.state.shutdown.removeEventListener('abort', stop);
    });
  };

  /**
   * GET /_emulator/settings/TOOL?project=&location=&repository=&iam=open|enforce[&scope=@S]: the snippet
   * `ar-emulator print-settings TOOL` prints for the same inputs (same renderer, same bytes), for the
   * dashboard. Renders only what it is given: the caller read the repository and the IAM mode already, and
   * no credential is ever put in (the snippet names the placeholders instead).
   */
  const getSettings: Handler = async (ctx, params) => {
    const q = (key: string): string | undefined => (typeof ctx.query[key] === 'string' ? (ctx.query[key] as string) : undefined);
    const required = (key: string): string => {
      const v = q(key);
      if (!v) throw new EmulatorError('INVALID_ARGUMENT', `Query parameter "${key}" is required.`, { field: key });
      return v;
    };
    const iam = q('iam') ?? 'open';
    if (iam !== 'open' && iam !== 'enforce') throw new EmulatorError('INVALID_ARGUMENT', 'Query parameter "iam" must be "open" or "enforce".', { field: 'iam' });
    const scope = q('scope');
    const snippet = renderSettings(params.tool ?? '', {
      host: settingsHost(new URL(d.url()).host), project: required('project'), location: required('location'), repository: required('repository'), iamMode: iam,
      ...(scope ? { scope } : {}),
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = snippet;
  };

  const root: Handler = async (ctx) => {
    ctx.body = {
      name: 'Artifact Registry emulator',
      version: d.version,
      endpoints: { docker: '/v2/', rest: '/v1/projects/PROJECT/locations/LOCATION/repositories', events: '/_emulator/events', health: '/_emulator/health' },
    };
  };

  const routes = new Routes([
    { name: 'emulator.root.get', method: 'GET', path: '/', handler: root },
    { name: 'emulator.health.get', method: 'GET', path: '/_emulator/health', handler: health },
    { name: 'emulator.events.stream', method: 'GET', path: '/_emulator/events', handler: streamEvents },
    { name: 'emulator.settings.get', method: 'GET', path: '/_emulator/settings/:tool', handler: getSettings },
    { name: 'emulator.cleanup.last', method: 'GET', path: '/_emulator/cleanup/last', handler: getLastCleanup },
    { name: 'emulator.warnings.get', method: 'GET', path: '/_emulator/warnings', handler: getWarnings },
    { name: 'emulator.config.get', method: 'GET', path: '/_emulator/config', handler: getConfig },
    { name: 'emulator.config.apply', method: 'POST', path: '/_emulator/config/apply', handler: applyConfig },
    { name: 'emulator.reset', method: 'POST', path: '/_emulator/reset', handler: reset },
    { name: 'emulator.export', method: 'POST', path: '/_emulator/export', handler: exportTo },
    { name: 'emulator.oauth.token', method: 'POST', path: '/token', handler: d.iamHandlers.oauthToken },
    { name: 'emulator.iam.mintToken', method: 'POST', path: '/_emulator/iam/tokens', handler: d.iamHandlers.mintToken },
    { name: 'emulator.iam.setGroup', method: 'PUT', path: '/_emulator/iam/groups/:group', handler: d.iamHandlers.setGroup },
    ...(d.policy ? policyRoutes(d.policy) : []),
    ...(d.upstream && d.policy ? faultRoutes({ upstream: d.upstream, clock: d.policy.clock, events: d.events, repositoryMode: d.repositoryMode ?? (() => undefined) }) : []),
    ...(d.vulndb ? vulnDbRoutes({ vulndb: d.vulndb }) : []),
  ]);
  return { id: 'emulator', prefixes: ['/_emulator/'], routes, renderError: renderGoogleError };
}
