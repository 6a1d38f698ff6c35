// The emulator's policy administration under /_emulator/ (issue 11): the virtual clock, cleanup runs on demand
// and garbage collection on demand. Loopback callers use it freely, others need the admin token (security.ts);
// errors render in Google's JSON shape like the rest of /_emulator/.
import type { VirtualClock } from '../core/clock.js';
import { parseDurationMs } from '../core/duration.js';
import { EmulatorError } from '../core/errors.js';
import { isValidProjectId, isValidRepositoryId, parseRepositoryName } from '../core/names.js';
import type { Handler } from '../http/context.js';
import type { RouteDef } from '../http/routes.js';
import type { CleanupReport } from '../content/cleanup-runner.js';
import { readJson } from '../http/body.js';

export interface PolicyApiDeps {
  clock: VirtualClock;
  /** runs the repository's cleanup policies now; `dryRun` overrides the repository's setting for this run */
  cleanup(repository: string, dryRun: boolean | undefined): Promise<CleanupReport>;
  gc(): Promise<{ blobsDeleted: number; bytesReclaimed: number }>;
}

/** Route names (the admin surface lists them). */
export const POLICY_ROUTES = ['emulator.clock.get', 'emulator.clock.set', 'emulator.cleanup.run', 'emulator.gc.run'] as const;

export function policyRoutes(d: PolicyApiDeps): RouteDef[] {
  const clockJson = () => ({ now: d.clock.now().toISOString(), offsetSeconds: Math.round(d.clock.offsetMs / 1000) });

  const getClock: Handler = async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = clockJson();
  };

  /** `{"advance": "2592000s" | "30d"}`, `{"set": RFC 3339}` or `{"reset": true}`; exactly one. */
  const setClock: Handler = async (ctx) => {
    const body = object(await readJson(ctx, 1 << 16), 'body');
    const given = (['advance', 'set', 'reset'] as const).filter((k) => body[k] !== undefined);
    if (given.length !== 1) throw bad('body', 'send exactly one of "advance", "set" or "reset"');
    try {
      if (given[0] === 'advance') {
        const ms = typeof body.advance === 'string' ? parseDurationMs(body.advance) : undefined;
        if (ms === undefined) throw bad('advance', `"${String(body.advance).slice(0, 40)}" is not a duration like "2592000s" or "30d"`);
        d.clock.advance(ms);
      } else if (given[0] === 'set') {
        const at = typeof body.set === 'string' && RFC3339.test(body.set) ? new Date(body.set) : undefined;
        if (!at || Number.isNaN(at.getTime())) throw bad('set', `"${String(body.set).slice(0, 40)}" is not an RFC 3339 time like "2026-01-31T00:00:00Z"`);
        d.clock.set(at);
      } else {
        if (body.reset !== true) throw bad('reset', 'must be true');
        d.clock.reset();
      }
    } catch (err) {
      if (err instanceof RangeError) throw bad(given[0]!, err.message);
      throw err;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = clockJson();
  };

  const runCleanup: Handler = async (ctx) => {
    const body = object(await readJson(ctx, 1 << 16), 'body');
    if (typeof body.repository !== 'string') throw bad('repository', 'is required: "projects/P/locations/L/repositories/R"');
    const ref = parseRepositoryName(body.repository);
    // a name no repository can have (upper case, a bad project id) is malformed, not merely absent
    if (!ref || !isValidProjectId(ref.project) || !isValidRepositoryId(ref.repository)) {
      throw bad('repository', `"${body.repository.slice(0, 200)}" is not "projects/P/locations/L/repositories/R"`);
    }
    if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') throw bad('dryRun', 'must be true or false');
    ctx.body = await d.cleanup(body.repository, body.dryRun as boolean | undefined);
  };

  const runGc: Handler = async (ctx) => {
    ctx.body = await d.gc();
  };

  return [
    { name: 'emulator.clock.get', method: 'GET', path: '/_emulator/clock', handler: getClock },
    { name: 'emulator.clock.set', method: 'POST', path: '/_emulator/clock', handler: setClock },
    { name: 'emulator.cleanup.run', method: 'POST', path: '/_emulator/cleanup\\:run', handler: runCleanup },
    { name: 'emulator.gc.run', method: 'POST', path: '/_emulator/gc', handler: runGc },
  ];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(field, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function bad(field: string, problem: string): EmulatorError {
  return new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": ${problem}.`, { field });
}
