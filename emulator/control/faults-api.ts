// Upstream fault injection and offline mode under /_emulator/ (issue 12): add, list and clear faults of remote
// repositories, and switch offline mode globally or per repository. Mutating routes are admin-only beyond loopback
// (security.ts); errors render in Google's JSON shape like the rest of /_emulator/. Times are emulator time.
import type { Clock } from '../core/clock.js';
import { EmulatorError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import { isValidProjectId, isValidRepositoryId, parseRepositoryName } from '../core/names.js';
import type { RepositoryMode } from '../core/repository.js';
import type { Handler } from '../http/context.js';
import type { RouteDef } from '../http/routes.js';
import { readJson } from '../http/body.js';
import type { Fault, FaultMode } from '../core/faults.js';

export type { Fault, FaultMode };

const FAULT_MODES: readonly FaultMode[] = ['down', 'slow', 'status'];
/** bounds on a fault (a longer delay would outlast every client's timeout anyway) */
const FAULT_LIMITS = { minStatus: 400, maxStatus: 599, maxDelayMs: 600_000, maxForSeconds: 366 * 86_400 } as const;

/**
 * What the routes need of remote/faults.ts UpstreamConditions (control knows remote repositories only through
 * this shape: emulator/index.ts passes the one instance).
 */
export interface UpstreamSwitches {
  listFaults(): Fault[];
  setFault(f: Fault): void;
  clearFaults(repository?: string): void;
  offlineState(): { global: boolean; repositories: string[] };
  setOffline(repository: string | undefined, offline: boolean): void;
  /** called after every change made through it */
  onChange(listener: () => void): () => void;
}

export interface FaultsApiDeps {
  upstream: UpstreamSwitches;
  clock: Clock;
  events: EventBus;
  /** the mode of the named repository, or undefined when there is none */
  repositoryMode(name: string): RepositoryMode | undefined;
}

/** Route names (the admin surface lists them). */
export const FAULT_ROUTES = ['emulator.faults.list', 'emulator.faults.add', 'emulator.faults.clear', 'emulator.offline.get', 'emulator.offline.set'] as const;
/** The ones that change state: admin-only beyond loopback. */
export const FAULT_ADMIN_ROUTES = ['emulator.faults.add', 'emulator.faults.clear', 'emulator.offline.set'] as const;

const bad = (field: string, why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid value for "${field}": ${why}.`, { field });

export function faultRoutes(d: FaultsApiDeps): RouteDef[] {
  const state = () => ({ faults: d.upstream.listFaults(), offline: d.upstream.offlineState() });
  // every change (and every expiry the clock moves past) reaches the dashboard as one faults.changed event
  let lastCount = d.upstream.listFaults().length;
  const emit = () => {
    const s = state();
    lastCount = s.faults.length;
    d.events.emit('faults.changed', s);
  };
  d.upstream.onChange(emit);
  d.events.on('clock.changed', () => {
    if (d.upstream.listFaults().length !== lastCount) emit();
  });

  /** A well-formed remote repository name that exists; NOT_FOUND / FAILED_PRECONDITION otherwise. */
  const remoteRepository = (value: unknown, field = 'repository'): string => {
    if (typeof value !== 'string' || !value) throw bad(field, 'is required: "projects/P/locations/L/repositories/R"');
    const ref = parseRepositoryName(value);
    if (!ref || !isValidProjectId(ref.project) || !isValidRepositoryId(ref.repository)) {
      throw bad(field, `"${value.slice(0, 200)}" is not "projects/P/locations/L/repositories/R"`);
    }
    const mode = d.repositoryMode(value);
    if (!mode) throw new EmulatorError('NOT_FOUND', `Repository ${value} was not found.`);
    if (mode !== 'REMOTE_REPOSITORY') {
      throw new EmulatorError('FAILED_PRECONDITION', `Repository ${value} is a ${mode}; faults and offline mode apply to REMOTE_REPOSITORY repositories only.`);
    }
    return value;
  };

  const integer = (body: Record<string, unknown>, field: string, min: number, max: number): number | undefined => {
    const v = body[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(field, `must be an integer from ${min} to ${max}`);
    return v;
  };

  const list: Handler = async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { faults: d.upstream.listFaults() };
  };

  /** `{"repository", "mode": "down"|"slow"|"status", "status"?, "delayMs"?, "forSeconds"?}`: replaces the repository's fault. */
  const add: Handler = async (ctx) => {
    const body = await readJson(ctx, 1 << 16);
    const known = new Set(['repository', 'mode', 'status', 'delayMs', 'forSeconds']);
    const unknown = Object.keys(body).find((k) => !known.has(k));
    if (unknown) throw bad(unknown.slice(0, 60), 'is not a field of a fault (repository, mode, status, delayMs, forSeconds)');
    if (typeof body.mode !== 'string' || !FAULT_MODES.includes(body.mode as FaultMode)) throw bad('mode', 'must be "down", "slow" or "status"');
    const mode = body.mode as FaultMode;
    const status = integer(body, 'status', FAULT_LIMITS.minStatus, FAULT_LIMITS.maxStatus);
    const delayMs = integer(body, 'delayMs', 0, FAULT_LIMITS.maxDelayMs);
    const forSeconds = integer(body, 'forSeconds', 1, FAULT_LIMITS.maxForSeconds);
    if (mode === 'status' && status === undefined) throw bad('status', 'is required for mode "status" (an HTTP status from 400 to 599, e.g. 429)');
    if (mode !== 'status' && status !== undefined) throw bad('status', `applies to mode "status" only, not "${mode}"`);
    if (mode === 'slow' && delayMs === undefined) throw bad('delayMs', 'is required for mode "slow"');
    if (mode !== 'slow' && delayMs !== undefined) throw bad('delayMs', `applies to mode "slow" only, not "${mode}"`);
    const repository = remoteRepository(body.repository);
    const fault: Fault = {
      repository, mode,
      ...(status !== undefined ? { status } : {}),
      ...(delayMs !== undefined ? { delayMs } : {}),
      ...(forSeconds !== undefined ? { until: new Date(d.clock.now().getTime() + forSeconds * 1000).toISOString() } : {}),
    };
    d.upstream.setFault(fault);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = fault;
  };

  /** all faults, or `?repository=` one (a name without a fault is fine: nothing to clear) */
  const clear: Handler = async (ctx) => {
    const q = ctx.query.repository;
    if (q !== undefined) {
      if (typeof q !== 'string') throw bad('repository', 'must be given once');
      const ref = parseRepositoryName(q);
      if (!ref || !isValidProjectId(ref.project) || !isValidRepositoryId(ref.repository)) throw bad('repository', `"${q.slice(0, 200)}" is not "projects/P/locations/L/repositories/R"`);
    }
    d.upstream.clearFaults(typeof q === 'string' ? q : undefined);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { faults: d.upstream.listFaults() };
  };

  const getOffline: Handler = async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = d.upstream.offlineState();
  };

  /** `{"offline": true|false, "repository"?: name}`: without a repository, the global switch (as --offline). */
  const setOffline: Handler = async (ctx) => {
    const body = await readJson(ctx, 1 << 16);
    const unknown = Object.keys(body).find((k) => k !== 'offline' && k !== 'repository');
    if (unknown) throw bad(unknown.slice(0, 60), 'is not a field (offline, repository)');
    if (typeof body.offline !== 'boolean') throw bad('offline', 'must be true or false');
    const repository = body.repository === undefined ? undefined : remoteRepository(body.repository);
    d.upstream.setOffline(repository, body.offline);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = d.upstream.offlineState();
  };

  return [
    { name: 'emulator.faults.list', method: 'GET', path: '/_emulator/faults', handler: list },
    { name: 'emulator.faults.add', method: 'POST', path: '/_emulator/faults', handler: add },
    { name: 'emulator.faults.clear', method: 'DELETE', path: '/_emulator/faults', handler: clear },
    { name: 'emulator.offline.get', method: 'GET', path: '/_emulator/offline', handler: getOffline },
    { name: 'emulator.offline.set', method: 'POST', path: '/_emulator/offline', handler: setOffline },
  ];
}
