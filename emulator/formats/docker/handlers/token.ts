// The registry's token endpoint (spec ar-fidelity §3.1): GET with Basic credentials or none (Docker,
// containers/image), POST with an OAuth2 form (containerd). Answers `{token, access_token, expires_in,
// issued_at}`; an anonymous request for a repository anonymous callers may not pull is refused.
import { EmulatorError } from '../../../core/errors.js';
import type { RepositoryRef } from '../../../core/names.js';
import { readBody } from '../../../http/body.js';
import type { AppContext, Handler } from '../../../http/context.js';
import { refOf, type DockerDeps } from './deps.js';

export interface DockerAuth {
  /** The caller named by a username and password (containerd's password grant). */
  callerFromPassword(username: string, password: string): Promise<{ principal: string; groups: string[] }>;
  /** Throws when the caller may not obtain a token for these repositories. */
  assertTokenAllowed(caller: { principal: string; groups: string[] }, repositories: Array<{ project: string; location: string; repository: string }>): void;
  issue(principal: string): { accessToken: string; expiresIn: number; issuedAt: string };
  /**
   * Whether the request's caller may do `operation` (an iam/permissions.ts id) on the repository: for what a
   * handler decides beyond the route's own check (mount sources, the catalog's repositories). No event, no error.
   */
  allows(ctx: AppContext, operation: string, repository: RepositoryRef): boolean;
  /** Throws the denial the route guard would (registry wording, `policy.violated`) unless `allows`. */
  require(ctx: AppContext, operation: string, repository: RepositoryRef): void;
}

export function tokenHandlers(deps: DockerDeps, auth: DockerAuth): { getToken: Handler; postToken: Handler } {
  const answer = (ctx: AppContext, caller: { principal: string; groups: string[] }, scopes: string[]) => {
    const repositories = scopes.flatMap((scope) => {
      const m = /^repository:([^:]+):[a-z,*]+$/.exec(scope);
      if (!m) return [];
      try {
        // the location rule of the registry paths; a name held by several locations fails on the request itself
        return [refOf(deps, ctx, m[1]!).ref];
      } catch {
        return [];
      }
    });
    auth.assertTokenAllowed(caller, repositories);
    const token = auth.issue(caller.principal);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { token: token.accessToken, access_token: token.accessToken, expires_in: token.expiresIn, issued_at: token.issuedAt };
  };

  return {
    getToken: async (ctx) => {
      const scopes = [ctx.query.scope].flat().filter((s): s is string => typeof s === 'string').flatMap((s) => s.split(' '));
      answer(ctx, { principal: ctx.state.principal!, groups: ctx.state.groups ?? [] }, scopes);
    },

    postToken: async (ctx) => {
      const form = new URLSearchParams((await readBody(ctx, 64 * 1024)).toString('utf8'));
      const grant = form.get('grant_type');
      let caller = { principal: ctx.state.principal!, groups: ctx.state.groups ?? [] };
      if (grant === 'password') {
        caller = await auth.callerFromPassword(form.get('username') ?? '', form.get('password') ?? '');
      } else if (grant === 'refresh_token') {
        caller = await auth.callerFromPassword('oauth2accesstoken', form.get('refresh_token') ?? '');
      } else if (grant) {
        throw new EmulatorError('UNSUPPORTED', `unsupported grant_type "${grant.slice(0, 40)}"`);
      }
      answer(ctx, caller, (form.get('scope') ?? '').split(' ').filter(Boolean));
    },
  };
}
