// Container Analysis v1 (Grafeas) REST, read side, on the emulator's port (spec ar-fidelity §6.2, §6.3): the
// occurrences scans produce (VULNERABILITY per advisory × image, DISCOVERY per image), listed with the filter gcloud
// sends, one by name, the note of one, notes by name, and `occurrences:vulnerabilitySummary`; also under
// `/v1/projects/P/locations/L/…`. None of these paths is under `…/repositories`, so they never meet Artifact
// Registry's routes. Google JSON errors (the control module renders them). IAM: `containeranalysis.occurrences.list`
// / `.get` and `containeranalysis.notes.get` on the project (iam/permissions.ts `analysis.*`); the provider projects'
// notes (goog-vulnz, goog-analysis) are readable by any signed-in caller, as everyone's scans point at them.
// `POST /_emulator/scans` runs a scan now (admin-only beyond loopback). Control knows the scans only through
// AnalysisAccess (emulator/index.ts passes scanning/occurrences-query.ts), as it may not import scanning/.
import { createHash } from 'node:crypto';
import { AUTHENTICATED_ONLY, type AccessCheck } from '../core/access.js';
import { decodePercent } from '../core/decode-percent.js';
import { EmulatorError } from '../core/errors.js';
import { isValidProjectId } from '../core/names.js';
import type { Handler, RouteParams } from '../http/context.js';
import { readJson } from '../http/body.js';
import type { RouteDef } from '../http/routes.js';
import { intQuery, query, respond, seg } from './rest/request.js';

interface OccurrenceLike {
  name: string;
}

export interface AnalysisAccess {
  list(project: string, filter: string | undefined): OccurrenceLike[];
  get(project: string, id: string): OccurrenceLike;
  noteOf(project: string, id: string): Record<string, unknown>;
  note(project: string, noteId: string): Record<string, unknown>;
  summary(project: string, filter: string | undefined): object;
  scan(body: Record<string, unknown>): Promise<object>;
  /** projects.resources.exportSBOM: the image's SBOM attached to it; `{discoveryOccurrence}` */
  exportSbom(project: string, resource: string): Promise<object>;
}

/** Grafeas' default page size and the most one page holds. */
const DEFAULT_PAGE = 20;
const MAX_PAGE = 1000;
/** Provider projects whose notes every scan points at. */
const PROVIDER_PROJECTS = new Set(['goog-vulnz', 'goog-analysis']);

const P = '/v1/projects/:project';
const PL = '/v1/projects/:project/locations/:location';

function project(params: RouteParams): string {
  const p = decodePercent(seg(params.project));
  if (!isValidProjectId(p)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid resource field value in the request: project "${p.slice(0, 63)}".`, { field: 'parent' });
  return p;
}

const filterHash = (filter: string | undefined) => createHash('sha256').update(filter ?? '').digest('base64url').slice(0, 12);

function page<T>(items: T[], ctx: Parameters<Handler>[0], filter: string | undefined): { items: T[]; next?: string } {
  const size = intQuery(ctx, 'pageSize');
  if (size !== undefined && size < 0) throw new EmulatorError('INVALID_ARGUMENT', 'page_size must not be negative.', { field: 'page_size' });
  const n = Math.min(size || DEFAULT_PAGE, MAX_PAGE);
  const token = query(ctx, 'pageToken');
  let offset = 0;
  if (token) {
    let parsed: { o?: unknown; f?: unknown } | undefined;
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed.o !== 'number' || !Number.isSafeInteger(parsed.o) || parsed.o < 0 || parsed.f !== filterHash(filter)) {
      throw new EmulatorError('INVALID_ARGUMENT', 'The page token is invalid (or was issued for another filter).', { field: 'page_token' });
    }
    offset = parsed.o;
  }
  const slice = items.slice(offset, offset + n);
  const end = offset + slice.length;
  return end < items.length ? { items: slice, next: Buffer.from(JSON.stringify({ o: end, f: filterHash(filter) })).toString('base64url') } : { items: slice };
}

export function analysisRoutes(d: { analysis: AnalysisAccess }): RouteDef[] {
  const list: Handler = async (ctx, params) => {
    const filter = query(ctx, 'filter');
    const all = d.analysis.list(project(params), filter);
    const { items, next } = page(all, ctx, filter);
    respond(ctx, { ...(items.length ? { occurrences: items } : {}), ...(next ? { nextPageToken: next } : {}) });
  };
  const get: Handler = async (ctx, params) => respond(ctx, d.analysis.get(project(params), decodePercent(seg(params.occurrence))));
  const noteOf: Handler = async (ctx, params) => respond(ctx, d.analysis.noteOf(project(params), decodePercent(seg(params.occurrence))));
  const note: Handler = async (ctx, params) => respond(ctx, d.analysis.note(project(params), decodePercent(seg(params.note))));
  const summary: Handler = async (ctx, params) => respond(ctx, d.analysis.summary(project(params), query(ctx, 'filter')));
  const exportSbom: Handler = async (ctx, params) => {
    const body = await readJson(ctx, 64 << 10);
    const unknown = Object.keys(body).find((k) => k !== 'cloudStorageLocation');
    if (unknown) throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${unknown.slice(0, 60)}": Cannot find field.`, { field: unknown.slice(0, 60) });
    respond(ctx, await d.analysis.exportSbom(project(params), decodePercent(String(params.resource ?? ''))));
  };
  const r = (name: string, path: string, handler: Handler): RouteDef[] => [
    { name: `analysis.${name}`, method: 'GET', path: `${P}${path}`, handler },
    { name: `analysis.locations.${name}`, method: 'GET', path: `${PL}${path}`, handler },
  ];
  return [
    ...r('occurrences.vulnerabilitySummary', '/occurrences\\:vulnerabilitySummary', summary),
    ...r('occurrences.list', '/occurrences', list),
    ...r('occurrences.getNotes', '/occurrences/:occurrence/notes', noteOf),
    ...r('occurrences.get', '/occurrences/:occurrence', get),
    ...r('notes.get', '/notes/:note', note),
    // `v1/{name=projects/*/resources/**}:exportSBOM`: the resource URL (with its `https://`) is the rest of the path
    { name: 'analysis.resources.exportSBOM', method: 'POST', path: `${P}/resources/*resource\\:exportSBOM`, handler: exportSbom },
    { name: 'analysis.locations.resources.exportSBOM', method: 'POST', path: `${PL}/resources/*resource\\:exportSBOM`, handler: exportSbom },
  ];
}

/** What IAM must allow for an `analysis.*` route (operation ids of iam/permissions.ts); undefined for other routes. */
export function analysisAccess(routeName: string, params: RouteParams): AccessCheck | undefined {
  if (!routeName.startsWith('analysis.')) return undefined;
  const operation = routeName.replace(/^analysis\.locations\./, 'analysis.');
  const p = decodePercent(seg(params.project));
  if (operation === 'analysis.notes.get' && PROVIDER_PROJECTS.has(p)) return { operation: AUTHENTICATED_ONLY, project: p };
  return { operation, project: p };
}

export const SCAN_ROUTES = ['emulator.scans.run'] as const;

/** `POST /_emulator/scans` `{resourceUri}` or `{repository, image, digest | tag}`: scans now and answers the result. */
export function scanRoutes(d: { analysis: AnalysisAccess }): RouteDef[] {
  const run: Handler = async (ctx) => {
    const body = await readJson(ctx, 64 << 10);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await d.analysis.scan(body);
  };
  return [{ name: 'emulator.scans.run', method: 'POST', path: '/_emulator/scans', handler: run }];
}
