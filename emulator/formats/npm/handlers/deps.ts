// What every npm handler needs, and the helpers they share: the repository of the request, the package name
// parameter, the capped JSON body, tarball URLs built from the request's Host.
import type { DownloadRules } from '../../../core/download-rules.js';
import { EmulatorError } from '../../../core/errors.js';
import { clip } from '../../../core/names.js';
import type { AppContext, RouteParams } from '../../../http/context.js';
import type { Routes } from '../../../http/routes.js';
import { packageNameParam } from '../names.js';
import type { NpmPackages } from '../service/packages.js';
import type { NpmRemote } from '../service/remote.js';
import type { NpmVirtual } from '../service/virtual.js';
import type { VersionRecord } from '../service/tables.js';
import type { NpmTarget, NpmTargets } from '../service/target.js';

export interface NpmDeps {
  targets: NpmTargets;
  packages: NpmPackages;
  routes: () => Routes;
  defaultLocation: string;
  /** the most a publish body (the packument with its base64 tarball) may hold */
  maxPublishBytes: number;
  /** remote repositories' upstream reads (absent: a remote repository serves only its cache) */
  remote?: NpmRemote;
  virtual: NpmVirtual;
  /** the download rules (rule.proto) every download passes before any upstream fetch (absent: none) */
  downloadRules?: DownloadRules;
}

export function targetOf(deps: NpmDeps, ctx: AppContext, params: RouteParams): NpmTarget {
  return deps.targets.resolve({ project: params.project!, location: ctx.state.hostLocation ?? deps.defaultLocation, repository: params.repository! });
}

export function nameOf(params: RouteParams, forPublish = false): string {
  // `/-/…` is the registry's own namespace (npm login, npm audit, …): what is not served is a 404, not a bad name
  if (params.name!.startsWith('-/')) throw new EmulatorError('NOT_FOUND', `This registry does not serve /-/${clip(params.name!.slice(2))}`);
  return packageNameParam(params.name!, forPublish);
}

/** The principal for events and `_npmUser` (`user:…`, `serviceAccount:…`); undefined for an anonymous caller. */
export function principalOf(ctx: AppContext): string | undefined {
  const p = ctx.state.principal;
  return p && p !== 'anonymous' ? p : undefined;
}

/** Absolute URL of a version's tarball on this emulator, as the client reached it (Host, scheme). */
export function tarballUrl(deps: NpmDeps, ctx: AppContext, params: RouteParams, v: VersionRecord): string {
  const path = deps.routes().url('npm.tarball.get', { project: params.project!, repository: params.repository!, name: v.name, file: v.tarball.file });
  return `${ctx.protocol}://${ctx.host}${path}`;
}

/**
 * Reads the request body, holding at most `limit` bytes: a larger body (declared or streamed) is
 * RESOURCE_EXHAUSTED (413) and the rest of it is drained unread; a body cut short is UPLOAD_INVALID.
 */
export async function readCappedBody(ctx: AppContext, limit: number): Promise<Buffer> {
  const tooLarge = () => new EmulatorError('RESOURCE_EXHAUSTED', `The request body is larger than this registry's publish limit of ${limit} bytes`);
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limit) {
    ctx.req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of ctx.req) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > limit) {
        ctx.req.resume();
        throw tooLarge();
      }
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof EmulatorError) throw err;
    throw new EmulatorError('UPLOAD_INVALID', 'The request body ended before all of it arrived', undefined, { cause: err });
  }
  if (declared !== undefined && total !== declared) throw new EmulatorError('UPLOAD_INVALID', `The request body ended after ${total} of ${declared} bytes`);
  return Buffer.concat(chunks, total);
}

/** The body parsed as JSON (INVALID_ARGUMENT when it is not). */
export async function readJsonBody(ctx: AppContext, limit: number): Promise<unknown> {
  const raw = await readCappedBody(ctx, limit);
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw new EmulatorError('INVALID_ARGUMENT', `The request body is not valid JSON (${(err as Error).message}); it may have been cut short`);
  }
}

export function okJson(ctx: AppContext, status: number, body: Record<string, unknown>): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = body;
}
